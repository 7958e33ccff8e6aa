"""Split a Markdown body into translatable segments; everything else stays literal.

What is translated: the text of paragraphs, headings, list items, blockquotes, table
cells, link text, image alt text and emphasis.  What stays byte for byte: code (spans,
fenced, indented), HTML (blocks and tags; text between inline tags is prose), link
destinations and titles, image titles, reference definitions, the text of shortcut and
collapsed reference links (``[Oslo]``, ``[Oslo][]``: it is the key to the definition),
autolinks, bare URLs and e-mail addresses, footnote labels ``[^1]``, Hugo shortcodes,
backslash escapes and entities, markers, pipes, indentation and all whitespace that is not
a single space between two words.  Pieces without a letter ("2015", "–", "43 %") stay
literal too, so every segment is worth sending to the engine.

The dialects of Hugo and MkDocs are read by the same parser (see "Dialects" below): the
bodies of admonitions (``!!! note``), content tabs (``=== "Linux"``), alerts (``> [!NOTE]``),
definition lists and ``{{% x %}}`` shortcodes are prose like any other, and so are
admonition titles, tab labels and terms; their markers, ``{{< x >}}…{{< /x >}}`` bodies,
attribute lists (``{#id}``, ``{ .md-button }``), icons (``:material-check:``) and
abbreviation definitions (``*[HTML]: …``) stay literal.

Pipeline, with exact offsets so that ``render([s.text for s in segments]) == body``:

1. Line endings are normalised as markdown-it does (``\\r\\n``/``\\r`` → ``\\n``,
   NUL → U+FFFD); removed ``\\r`` positions are remembered to map offsets back.
2. markdown-it-py parses the body.  Its paragraph/heading/table block rules are wrapped
   to record where each line (or cell) of an inline token's ``content`` lies in the source,
   so container prefixes (``> ``, list indentation) never become text.  The link, image,
   autolink and code-span rules are wrapped to record the source extent they consumed.
3. The inline children are walked in order.  Text tokens are verbatim source (``text_join``
   is off, so escapes and entities stay separate tokens), every other token is skipped by
   its markup or recorded extent, so text is never looked for inside a URL or a title.
4. Text runs lose the literal spans above, then are cut at whitespace and sentence ends.

Each step is checked against markdown-it's token contents; a block whose mapping cannot be
proven is left literal (untranslated beats corrupted).
"""

from __future__ import annotations

import functools
import itertools
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.ruler import RuleOptionsType
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.attrs.parse import ParseError as AttrsParseError
from mdit_py_plugins.attrs.parse import parse as parse_attributes
from mdit_py_plugins.deflist import deflist_plugin

from bilingo.errors import BilingoError

__all__ = [
    "Block",
    "Document",
    "Segment",
    "markdown",
    "parse",
    "prose_mask",
    "segment",
    "segment_text",
    "split_sentences",
    "structure_problems",
]

try:
    from markdown_it.common.utils import mdTrim as _md_trim
except ImportError:  # pragma: no cover

    def _md_trim(string: str) -> str:  # markdown-it-py < 4 trimmed with str.strip()
        return string.strip()


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of prose for the engine: a single-line source substring."""

    text: str  # the exact source substring to translate
    block: int  # index into Document.blocks
    line: int  # 1-based body line where the segment starts
    kind: str  # innermost context: paragraph, heading, table_cell, link_text, image_alt, ...
    start: int  # body[start:end] == text
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A leaf block with inline content (paragraph, heading, table cell), in body order."""

    index: int
    kind: str  # "paragraph" | "heading" | "table_cell" | "text" (segment_text)
    start: int  # body[start:end] == text; spans never overlap
    end: int
    line: int  # 1-based
    segments: tuple[int, ...]  # indices into Document.segments
    text: str
    containers: tuple[str, ...] = ()  # enclosing "blockquote" / "list_item", outermost first
    #: The inline structure, in body offsets (bilingo.units reads it): ("text", start, end,
    #: kind) for prose, ("open"/"close", start, end, kind) for the markers of emphasis,
    #: strong, strikethrough, link and image, ("break", start, end, "") for a line break with
    #: the next line's prefix. What lies between them is literal.
    inline: tuple[tuple[str, int, int, str], ...] = ()


@dataclass(frozen=True)
class Document:
    body: str
    segments: tuple[Segment, ...]
    blocks: tuple[Block, ...]

    @functools.cached_property
    def block_hashes(self) -> tuple[str, ...]:
        """Each block's provenance hash (:func:`bilingo.provenance.block_hashes`), computed once."""
        from bilingo.provenance import block_hashes

        return block_hashes(b.text for b in self.blocks)

    def render(
        self, translations: Sequence[str], *, overrides: Mapping[int, str] | None = None
    ) -> str:
        """Rebuild the body with ``translations[i]`` in place of ``segments[i]``.

        ``overrides[block_index]`` replaces that block's whole span verbatim (the segments
        inside it are then ignored).  A segment never spans lines, so newlines in a
        translation become spaces; nothing else is escaped, which keeps an identity
        translation byte-identical.
        """
        if len(translations) != len(self.segments):
            raise ValueError(f"expected {len(self.segments)} translations, got {len(translations)}")
        overrides = overrides or {}
        for index in overrides:
            if not 0 <= index < len(self.blocks):
                raise ValueError(f"override for unknown block {index}")
        body = self.body
        out: list[str] = []
        pos = 0
        for block in self.blocks:
            if block.index in overrides:
                out.append(body[pos : block.start])
                out.append(overrides[block.index])
                pos = block.end
                continue
            for i in block.segments:
                seg = self.segments[i]
                out.append(body[pos : seg.start])
                out.append(_NEWLINE_RE.sub(" ", translations[i]))
                pos = seg.end
        out.append(body[pos:])
        return "".join(out)


class NestingError(BilingoError):
    """A body nested too deeply for the Markdown parser."""


def segment(body: str) -> Document:
    """Segment a Markdown body (front matter already removed)."""
    try:
        return _segment(body, strict=False)
    except RecursionError:
        from bilingo.limits import deepest_construct

        raise NestingError(
            f"the Markdown is nested too deeply to be translated safely ({deepest_construct(body)}"
            "; hundreds of levels); flatten them"
        ) from None


def segment_text(text: str) -> Document:
    """Segment plain prose with no Markdown (e.g. a front-matter title or description).

    The whole text is one block of kind ``"text"``; whitespace and sentence rules are the
    same as for Markdown bodies.
    """
    builder = _Builder(text, text, array("q"))
    builder.add_plain(text)
    return builder.document()


def split_sentences(text: str) -> list[str]:
    """Split prose into the whitespace-free pieces a segment can be, in order.

    Cuts at sentence ends and at any whitespace other than one space between words; the
    whitespace itself is dropped.  Pieces without letters are returned too (``segment``
    keeps those literal).
    """
    return [text[a:b] for a, b in _prose_spans(text, 0, len(text))]


# --------------------------------------------------------------------------------------
# Whitespace and sentences

_NEWLINE_RE = re.compile(r"\r\n?|\n")

# Characters SentencePiece would normalise away or rewrite: all whitespace, C0/C1
# controls and invisible format characters.  Segments never contain them; one plain
# space between two other characters is the only exception.
_SEPARATORS = (
    r"\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\ufeff\ufff9-\ufffb"
)
_CHUNK_RE = re.compile(rf"[^{_SEPARATORS}]+(?: [^{_SEPARATORS}]+)*")
_LETTER_RE = re.compile(r"[^\W\d_]")

# Sentence end: terminal punctuation, optional closers, exactly one space.  Colons and
# semicolons do not end sentences: "sier han: «...»" reads best as one unit.
_SENTENCE_END_RE = re.compile(r"([.!?]+)[»\"”’')\]]* ")
_OPENERS = "«\"“‘'(["
_DASHES = "–—"
_DOTTED_RE = re.compile(r"(?:[^\W\d_]{1,5}\.)+[^\W\d_]{1,5}")  # bl.a, f.eks, U.S, m.a.o
# Lower-case, without the final dot.  Erring towards not splitting is safe: a missed
# boundary only makes a longer segment, a wrong one cuts a sentence in half.
_ABBREVIATIONS = frozenset(
    """
    adm adr ang ant avd bl ca co corp dept dir div dr ekskl etc evt ev fig fr gen hhv hr
    ifm iflg ift iht inc inkl jf jfr jr kap kl kr ltd mfl mht mill mnd mob mr mrd mrs ms
    mtp mv no nr osv pga pkt pr prof pst red ref resp sek sen sr st stk tel tilsv tlf vedr
    vha vol vs jan feb apr aug sep sept okt oct nov des dec
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _prose_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each whitespace-free chunk's sentences in text[start:end]."""
    for chunk in _CHUNK_RE.finditer(text, start, end):
        yield from _sentences(text, chunk.start(), chunk.end())


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    pos = start
    for m in _SENTENCE_END_RE.finditer(text, start, end):
        if _is_sentence_end(text, m, start, end):
            yield pos, m.end() - 1
            pos = m.end()
    yield pos, end


def _is_sentence_end(text: str, m: re.Match[str], start: int, end: int) -> bool:
    # The next sentence must start with a capital, possibly after «, ( or a dialogue dash.
    r = m.end()
    while r < end and text[r] in _OPENERS:
        r += 1
    if r < end and text[r] in _DASHES:
        r += 1
        if r < end and text[r] == " ":
            r += 1
        while r < end and text[r] in _OPENERS:
            r += 1
    if r >= end or not text[r].isupper():
        return False
    if m.group(1) != ".":
        return True
    space = text.rfind(" ", start, m.start())
    word = text[space + 1 if space >= 0 else start : m.start()].lstrip(_OPENERS)
    if not word:
        return True
    if word.lower() in _ABBREVIATIONS or _DOTTED_RE.fullmatch(word):
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "Hans E. Melandsø"
        return False
    # "1. oktober", "3. plass": short numbers with a dot are ordinals; "i 2014. Siden" ends.
    return not (word.isdigit() and len(word) <= 3)


# --------------------------------------------------------------------------------------
# Literal spans inside prose

# Matched on a whole inline content but only honoured when they start inside a text run,
# so link destinations (not text) never turn the text after them literal.
_LITERAL_RE = re.compile(
    r"""
      (?P<shortcode>\{\{[<%][^{}]*[%>]\}\})                     # Hugo {{< x >}} / {{% x %}}
    | (?P<hugolink>!?\[(?=[^\[\]\n]*\]\(\s*\{\{[<%])             # [text]({{< ref "x" >}}):
    | \]\(\s*\{\{[<%][^{}]*[%>]\}\}\s*\))                       #   markdown-it sees text
    | (?P<footdef>^\[\^[^\[\]\s]+\]:)                           # [^1]: footnote definition
    | (?P<footref>\[\^[^\[\]\s]+\])                             # [^1]
    | (?P<alert>^\[![A-Za-z]+\][+-]?)                             # > [!NOTE] (Hugo, GitHub)
    | (?P<icon>(?<![\w:]):(?=[a-z0-9_-]*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+)*:(?![\w:]))
                                                                #   :material-check: :smile:
    | (?P<url>(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>"`]+)         # bare URL
    | (?P<email>(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+)        # e-mail address
    """,
    re.VERBOSE,
)
# The shortcode with a literal body goes first: ``{{< x >}}code{{< /x >}}`` on one line.
_PAIRED_SHORTCODE_RE = re.compile(r"\{\{<\s*([\w./-]+)[^{}]*>\}\}[^{}]*?\{\{<\s*/\1\s*>\}\}")
# Attribute lists, ``{#id}`` ``{.lead}`` ``{: .md-button }``: on their own, since the URL
# before ``[x](url){ .md-button }`` would swallow the brace in the alternation above.
_ATTRIBUTES_RE = re.compile(r"\{:?[ \t]*[#.\w][^{}\n]*\}")
_LITERAL_TRIGGERS = ("{", "[^", "[!", "://", "www.", "@", ":")
_URL_TRAILING = set(".,:;!?'\"*_~»”’")


def _url_end(text: str, start: int, end: int) -> int:
    """GFM-style: drop trailing punctuation and unbalanced closing parentheses."""
    opened = text.count("(", start, end)
    closed = text.count(")", start, end)
    while end > start:
        ch = text[end - 1]
        if ch in _URL_TRAILING:
            end -= 1
        elif ch == ")" and closed > opened:
            closed -= 1
            end -= 1
        else:
            break
    return end


# --------------------------------------------------------------------------------------
# Source maps recorded while markdown-it parses blocks

_META = "bilingo.source"
#: An inline token whose text is not in the body as such (an admonition's default title).
_LITERAL = "bilingo.literal"


@dataclass(frozen=True, slots=True)
class _Span:
    """A stretch of an inline token's content that is contiguous in the source."""

    cstart: int
    cend: int
    delta: int  # source offset = content offset + delta
    line: int  # 0-based


@dataclass(frozen=True, slots=True)
class _Source:
    kind: str
    spans: tuple[_Span, ...]
    literals: tuple[tuple[int, int], ...] = ()  # content ranges to keep literal


_BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _wrap(rule: _BlockRule, annotate: Callable[[StateBlock, list[Token]], None]) -> _BlockRule:
    def wrapped(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        first = len(state.tokens)
        ok = rule(state, start_line, end_line, silent)
        if ok and not silent:
            annotate(state, state.tokens[first:])
        return ok

    return wrapped


def _annotate_lines(kind: str) -> Callable[[StateBlock, list[Token]], None]:
    """Paragraphs and setext headings: content is getLines(map) with markdown's trim."""

    def annotate(state: StateBlock, tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.type != "inline" or not tok.map or not tok.content:
                continue
            begin, end = tok.map
            raw = state.getLines(begin, end, state.blkIndent, False)
            lead = raw.find(tok.content)  # the trimmed prefix is whitespace only
            pieces = raw.split("\n")
            if lead < 0 or len(pieces) != end - begin:
                continue
            spans = []
            r = 0
            for i, piece in enumerate(pieces):
                # getLines may prepend spaces for half-consumed tabs, so align each line
                # on its end: the piece is a suffix of the source line.
                cstart = max(0, r - lead)
                cend = min(len(tok.content), r + len(piece) - lead)
                if cstart < cend:
                    delta = state.eMarks[begin + i] - len(piece) - r + lead
                    spans.append(_Span(cstart, cend, delta, begin + i))
                r += len(piece) + 1
            tok.meta[_META] = _Source(kind, tuple(spans))

    return annotate


def _annotate_atx(state: StateBlock, tokens: list[Token]) -> None:
    tok = tokens[1] if len(tokens) > 1 else None
    if tok is None or tok.type != "inline" or not tok.map:
        return
    line = tok.map[0]
    after_marker = state.bMarks[line] + state.tShift[line] + len(tokens[0].markup)
    # Only whitespace separates the marker from the content, so the first hit is it.
    found = state.src.find(tok.content, after_marker, state.eMarks[line])
    if tok.content and found >= 0:
        tok.meta[_META] = _Source("heading", (_Span(0, len(tok.content), found, line),))


def _annotate_table(state: StateBlock, tokens: list[Token]) -> None:
    rows: dict[int, list[Token]] = {}
    for tok in tokens:
        if tok.type == "inline" and tok.map:
            rows.setdefault(tok.map[0], []).append(tok)
    for line, cells in rows.items():
        row_start = state.bMarks[line] + state.tShift[line]
        columns = _split_row(state.src, row_start, state.eMarks[line])
        for tok, pieces in zip(cells, columns, strict=False):
            source = _cell_source(state.src, pieces, tok.content, line)
            if source is not None:
                tok.meta[_META] = source


def _split_row(src: str, start: int, end: int) -> list[list[tuple[int, int]]]:
    """Mirror markdown-it's escapedSplit, keeping source ranges: a column is the
    concatenation of its pieces (an escaped pipe ``\\|`` drops its backslash)."""
    columns: list[list[tuple[int, int]]] = []
    pieces: list[tuple[int, int]] = []
    last = start
    pos = src.find("|", start, end)
    while pos >= 0:
        if pos > start and src[pos - 1] == "\\":
            pieces.append((last, pos - 1))
            last = pos
        else:
            pieces.append((last, pos))
            columns.append(pieces)
            pieces = []
            last = pos + 1
        pos = src.find("|", pos + 1, end)
    pieces.append((last, end))
    columns.append(pieces)

    def blank(col: list[tuple[int, int]]) -> bool:
        return not _md_trim("".join(src[a:b] for a, b in col))

    if columns and blank(columns[0]):
        columns.pop(0)
    if columns and blank(columns[-1]):
        columns.pop()
    return columns


def _cell_source(
    src: str, pieces: list[tuple[int, int]], content: str, line: int
) -> _Source | None:
    column = "".join(src[a:b] for a, b in pieces)
    lead = column.find(content)
    if not content or lead < 0 or _md_trim(column) != content:
        return None
    spans = []
    literals = []
    offset = 0
    for k, (a, b) in enumerate(pieces):
        cstart = max(0, offset - lead)
        cend = min(len(content), offset + b - a - lead)
        if cstart < cend:
            spans.append(_Span(cstart, cend, a - offset + lead, line))
        if k and 0 <= offset - lead < len(content):
            literals.append((offset - lead, offset - lead + 1))  # the pipe of "\|"
        offset += b - a
    return _Source("table_cell", tuple(spans), tuple(literals))


# Inline rules whose source extent cannot be read off their token: the wrapped rule
# stores (start, end) of what it consumed on the token it pushed.
_EXTENT = "bilingo.extent"
_RECORDED = {
    "link": "link_open",
    "image": "image",
    "autolink": "link_open",
    "backticks": "code_inline",
}
_InlineRule = Callable[[StateInline, bool], bool]


def _record_extent(rule: _InlineRule, token_type: str) -> _InlineRule:
    def wrapped(state: StateInline, silent: bool) -> bool:
        start, first = state.pos, len(state.tokens)
        ok = rule(state, silent)
        if ok and not silent:
            for i in range(first, len(state.tokens)):  # a flushed pending text may come first
                if state.tokens[i].type == token_type:
                    state.tokens[i].meta[_EXTENT] = (start, state.pos)
                    break
        return ok

    return wrapped


# No silent limit: markdown-it stops tokenizing at maxNesting, which would leave the rest
# of the body untranslated unnoticed; past Python's recursion limit we fail loudly instead.
_MAX_NESTING = 100_000
_RAW_HTML = re.compile(r"<(script|style)\b[^>]*(?<!/)>", re.IGNORECASE)


@functools.cache
def _parser() -> MarkdownIt:
    md = _dialect()
    # commonmark's limit of 20 nested containers makes markdown-it stop tokenizing the
    # rest of the body, which would leave every later paragraph silently untranslated.
    md.options["maxNesting"] = _MAX_NESTING
    # We normalise ourselves (to map offsets back) and need escapes/entities as
    # separate tokens, so both core rules that rewrite text are off.
    md.core.ruler.disable(["normalize", "text_join"])
    annotators: dict[str, Callable[[StateBlock, list[Token]], None]] = {
        "paragraph": _annotate_lines("paragraph"),
        "lheading": _annotate_lines("heading"),
        "heading": _annotate_atx,
        "table": _annotate_table,
        "deflist": _annotate_terms,
        "admonition": _annotate_titles,
    }
    ruler = md.block.ruler
    for rule in ruler.__rules__:  # the public Ruler.at() would drop the rule's alt chains
        if rule.name in annotators:
            ruler.at(rule.name, _wrap(rule.fn, annotators[rule.name]), {"alt": list(rule.alt)})
    inline = md.inline.ruler
    for irule in inline.__rules__:
        if irule.name in _RECORDED:
            recording = _record_extent(irule.fn, _RECORDED[irule.name])
            inline.at(irule.name, recording, {"alt": list(irule.alt)})
    return md


# --------------------------------------------------------------------------------------
# Dialects: the block syntax of Hugo (Goldmark) and MkDocs (Python-Markdown, pymdownx)
#
# One superset parser reads all three dialects. Each construct is a syntax error or plain
# text in the others, so recognising it there costs at most a few words kept literal; the
# one overlap is a body indented four spaces under ``!!! note`` or ``=== "Tab"``, which
# CommonMark alone reads as code, and only MkDocs writes those lines. Keeping one parser
# keeps every stage (segments, block hashes, checks, masks) on one reading of a body, with
# no setting to pass through each of them. What the walker needs of a construct: its
# markers, ids and code are outside any inline token (so literal), and the prose in it is
# an inline token with a source map (titles, labels, terms) or an ordinary paragraph.

# Python-Markdown: ``!!! type "Title"``, ``??? type``, ``???+ type``, words for the type.
_ADMONITION_RE = re.compile(r'(?:!!!|\?\?\?\+?) ?[\w-]+(?: +[\w-]+)*(?: +"(.*)")? *')
# pymdownx.tabbed: ``=== "Label"``, ``===! "Label"`` (new tab set), ``===+ "Label"`` (selected).
_TAB_RE = re.compile(r'===[!+]{0,2} +"(.*)" *')
# Hugo: ``{{< name params >}}`` / ``{{% name params %}}``, parameters over several lines.
_SHORTCODE_OPEN_RE = re.compile(r"\{\{([<%])\s*(/?)\s*([\w./-]+)")
# Lines starting with a tag (after indentation or quote markers): an opening one, or a
# closing one alone on its line.
_SHORTCODE_OPEN_LINE_RE = re.compile(r"[ \t>]*\{\{([<%])\s*([\w./-]+)")
_SHORTCODE_CLOSE_LINE_RE = re.compile(r"[ \t>]*\{\{([<%])\s*/\s*([\w./-]+)\s*[%>]\}\}\s*$")
_SHORTCODE_PAIRS = "bilingo.shortcode_pairs"
_SHORTCODE_MAX_LINES = 50
# Python-Markdown's abbr extension: ``*[HTML]: Hyper Text Markup Language``.
_ABBREVIATION_RE = re.compile(r"\*\[[^\]\n]+\]:")


def _line(state: StateBlock, line: int) -> tuple[int, int]:
    return state.bMarks[line] + state.tShift[line], state.eMarks[line]


def _admonition(rules: Sequence[Any]) -> _BlockRule:
    plugin: _BlockRule = next(rule.fn for rule in rules if rule.name == "admonition")

    def admonition(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        start, end = _line(state, start_line)
        if not _ADMONITION_RE.fullmatch(state.src, start, end):
            return False
        return plugin(state, start_line, end_line, silent)

    return admonition


def _tabbed(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A content tab: the label line, then the body indented four spaces (as admonitions)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = _line(state, start_line)
    label = _TAB_RE.fullmatch(state.src, start, end)
    if label is None:
        return False
    if silent:
        return True
    old = state.parentType, state.lineMax, state.blkIndent
    state.blkIndent = state.sCount[start_line] + 4
    next_line, was_empty = start_line, False
    while (next_line := next_line + 1) < end_line:
        first, last = _line(state, next_line)
        is_empty = state.sCount[next_line] < state.blkIndent
        if is_empty and was_empty:
            break  # two blank lines end the tab
        was_empty = is_empty
        if first < last and state.sCount[next_line] < state.blkIndent:
            break
    state.parentType, state.lineMax = "tab", next_line
    token = state.push("tab_open", "div", 1)
    token.markup, token.block = state.src[start : start + 3], True
    token.map = [start_line, next_line]
    text = label.group(1)
    token = state.push("inline", "", 0)
    token.content, token.map, token.children = text, [start_line, start_line + 1], []
    if text:
        token.meta[_META] = _Source("title", (_Span(0, len(text), label.start(1), start_line),))
    state.md.block.tokenize(state, start_line + 1, next_line)
    state.push("tab_close", "div", -1).block = True
    state.parentType, state.lineMax, state.blkIndent = old
    state.line = next_line
    return True


def _shortcode(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A Hugo shortcode on lines of its own. With a closing tag, ``{{< x >}}`` keeps its
    inner content literal (the shortcode receives it raw, often code or TOML) and
    ``{{% x %}}``'s inner content is Markdown. The tags themselves are literal."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, _ = _line(state, start_line)
    tag = _SHORTCODE_OPEN_RE.match(state.src, start)
    if tag is None:
        return False
    delim, name = tag.group(1), tag.group(3)
    closer = ">}}" if delim == "<" else "%}}"
    # Parameters may run over a few lines; looking further would make a page of unclosed
    # tags quadratic.
    limit = state.eMarks[min(start_line + _SHORTCODE_MAX_LINES, end_line) - 1]
    tag_end = state.src.find(closer, tag.end(), limit)
    if tag_end < 0:
        return False
    tag_end += len(closer)
    tag_last = start_line  # the tag's last line: it must end there
    while tag_last < end_line and state.eMarks[tag_last] < tag_end:
        tag_last += 1
    if tag_last >= end_line or state.src[tag_end : state.eMarks[tag_last]].strip():
        return False
    close_line = None
    if not tag.group(2) and not state.src[tag.end() : tag_end].rstrip(closer).endswith("/"):
        close_line = _shortcode_pairs(state).get(start_line)
        if close_line is not None and not tag_last < close_line < end_line:
            close_line = None
    if close_line is None and tag_last == start_line:
        return False  # one line, no body: a paragraph as before, its shortcode literal
    if silent:
        return True
    if close_line is None or delim == "<":
        last = tag_last if close_line is None else close_line
        token = state.push("shortcode", "", 0)
        token.map, token.info = [start_line, last + 1], name
        state.line = last + 1
        return True
    old_line_max = state.lineMax
    token = state.push("shortcode_open", "", 1)
    token.map, token.info = [start_line, close_line + 1], name
    state.lineMax = close_line
    state.md.block.tokenize(state, tag_last + 1, close_line)
    state.lineMax = old_line_max
    state.push("shortcode_close", "", -1)
    state.line = close_line + 1
    return True


def _shortcode_pairs(state: StateBlock) -> dict[int, int]:
    """Opening line -> closing line of every shortcode pair on lines of their own, matched
    as brackets per name (found once per body: a page of a thousand bodiless ``figure``
    shortcodes must not scan the page a thousand times)."""
    pairs: dict[int, int] | None = state.env.get(_SHORTCODE_PAIRS)
    if pairs is None:
        pairs = {}
        opened: dict[tuple[str, str], list[int]] = {}
        for i, text in enumerate(state.src.split("\n")):
            if "{{" not in text:
                continue
            if tag := _SHORTCODE_CLOSE_LINE_RE.match(text):
                if stack := opened.get((tag.group(1), tag.group(2))):
                    pairs[stack.pop()] = i
            elif (tag := _SHORTCODE_OPEN_LINE_RE.match(text)) and not _self_closing(text):
                opened.setdefault((tag.group(1), tag.group(2)), []).append(i)
        state.env[_SHORTCODE_PAIRS] = pairs
    return pairs


def _self_closing(text: str) -> bool:
    return "/>}}" in text or "/%}}" in text


def _abbreviation(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Abbreviation definitions, one a line: literal (the page shows the full form as a
    tooltip, and translating it would part it from the abbreviation it explains)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start, end = _line(state, start_line)
    if not _ABBREVIATION_RE.match(state.src, start, end):
        return False
    if silent:
        return True
    line = start_line + 1
    while line < end_line and _ABBREVIATION_RE.match(state.src, *_line(state, line)):
        line += 1
    token = state.push("abbreviation", "", 0)
    token.map = [start_line, line]
    state.line = line
    return True


def _annotate_titles(state: StateBlock, tokens: list[Token]) -> None:
    """An admonition's quoted title is prose; a title made up from its type is not."""
    for prev, tok in itertools.pairwise(tokens):
        if prev.type != "admonition_title_open" or tok.meta.get(_META) or not tok.map:
            continue
        start, end = _line(state, tok.map[0])
        title = _ADMONITION_RE.fullmatch(state.src, start, end)
        if title and title.group(1) == tok.content and tok.content:
            span = _Span(0, len(tok.content), title.start(1), tok.map[0])
            tok.meta[_META] = _Source("title", (span,))
        else:
            tok.meta[_LITERAL] = True  # "Note" made up from ``!!! note``: not in the body


def _annotate_terms(state: StateBlock, tokens: list[Token]) -> None:
    """A definition list's terms (one line each); the definitions are paragraphs."""
    for prev, tok in itertools.pairwise(tokens):
        if prev.type != "dt_open" or tok.meta.get(_META) or not tok.map or not tok.content:
            continue
        start, end = _line(state, tok.map[0])
        found = state.src.find(tok.content, start, end)
        if found >= 0:
            tok.meta[_META] = _Source("term", (_Span(0, len(tok.content), found, tok.map[0]),))


# --------------------------------------------------------------------------------------
# Inline walk: token stream → text runs with content offsets


class _Mismatch(Exception):
    """The source does not line up with markdown-it's tokens (a bug, or an exotic case)."""


@dataclass(slots=True)
class _Run:
    start: int
    end: int
    kind: str


_OPEN_KIND = {"em_open": "emphasis", "strong_open": "strong", "s_open": "strikethrough"}
_CLOSE = frozenset({"em_close", "strong_close", "s_close"})


class _InlineWalker:
    def __init__(self) -> None:
        self.runs: list[_Run] = []
        self.events: list[tuple[str, int, int, str]] = []  # content offsets, see Block.inline

    def walk(
        self,
        tokens: list[Token],
        src: str,  # the string these tokens were parsed from
        offset: int,  # content offset of src[0]
        pos: int,
        limit: int,
        kind: str,
    ) -> int:
        """Consume tokens from src[pos:], record text runs, return the end position."""
        kinds = [kind]
        raw: str | None = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            typ = tok.type
            if typ == "text":
                pos = _expect(src, pos, tok.content)
                # Text between inline <script>/<style> tags is code, not prose.
                if tok.content and raw is None:
                    self.runs.append(_Run(offset + pos - len(tok.content), offset + pos, kinds[-1]))
            elif typ in ("softbreak", "hardbreak"):
                start = pos
                pos = _skip_break(src, pos, limit)
                self.events.append(("break", offset + start, offset + pos, ""))
            elif typ == "text_special":  # escape or entity: literal, markup is its source
                pos = _expect(src, pos, tok.markup)
            elif typ == "html_inline":
                pos = _expect(src, pos, tok.content)
                if raw is None and (opened := _RAW_HTML.match(tok.content)):
                    raw = opened.group(1).lower()
                elif raw is not None and tok.content.lower().startswith(f"</{raw}"):
                    raw = None
            elif typ in _OPEN_KIND:
                start = pos
                pos = _expect(src, pos, tok.markup)
                kinds.append(_OPEN_KIND[typ])
                self.events.append(("open", offset + start, offset + pos, kinds[-1]))
            elif typ in _CLOSE:
                start = pos
                pos = _expect(src, pos, tok.markup)
                self.events.append(("close", offset + start, offset + pos, kinds[-1]))
                if len(kinds) > 1:
                    kinds.pop()
            elif typ == "code_inline":
                pos = _extent_end(tok, pos)
            elif typ == "link_open":
                close = i + 1
                while close < len(tokens) and tokens[close].type != "link_close":
                    close += 1
                end = _extent_end(tok, pos)
                if tok.info != "auto":  # an autolink <http://...> is literal as a whole
                    first_run, first_event = len(self.runs), len(self.events)
                    self.events.append(("open", offset + pos, offset + pos + 1, "link"))
                    children = tokens[i + 1 : close]
                    label_end = self.walk(children, src, offset, pos + 1, end, "link_text")
                    _expect(src, label_end, "]")
                    self.events.append(("close", offset + label_end, offset + end, "link"))
                    if _label_is_reference(src, pos + 1, label_end, end):
                        del self.runs[first_run:]
                        del self.events[first_event:]
                pos = end
                i = close + 1
                continue
            elif typ == "image":
                end = _extent_end(tok, pos)
                alt = tok.content
                label_end = _expect(src, _expect(src, pos, "!["), alt)
                _expect(src, label_end, "]")
                if not _label_is_reference(src, pos + 2, label_end, end):
                    # markdown-it parses the alt text as a string of its own
                    children = tok.children or []
                    self.events.append(("open", offset + pos, offset + pos + 2, "image"))
                    alt_end = self.walk(children, alt, offset + pos + 2, 0, len(alt), "image_alt")
                    if alt_end != len(alt):
                        raise _Mismatch(f"image alt ends at {alt_end} of {len(alt)}")
                    self.events.append(("close", offset + label_end, offset + end, "image"))
                pos = end
            else:
                raise _Mismatch(f"unexpected inline token {typ}")
            i += 1
        return pos


def _expect(src: str, pos: int, text: str) -> int:
    if not src.startswith(text, pos):
        raise _Mismatch(f"expected {text!r} at {pos}")
    return pos + len(text)


def _extent_end(tok: Token, pos: int) -> int:
    extent = tok.meta.get(_EXTENT)
    if not isinstance(extent, tuple) or extent[0] != pos:
        raise _Mismatch(f"{tok.type} at {pos} has no matching recorded extent {extent}")
    end: int = extent[1]
    return end


def _label_is_reference(src: str, start: int, label_end: int, end: int) -> bool:
    """True when the link text must stay as written: a footnote label ``[^1]``, or a
    shortcut/collapsed reference whose text is the key to its definition."""
    return src.startswith("^", start) or src[label_end + 1 : end] in ("", "[]")


def _skip_break(src: str, pos: int, limit: int) -> int:
    """Skip a soft/hard break: trailing spaces, optional backslash, newline, indentation."""
    while pos < limit and src[pos] == " ":
        pos += 1
    if pos < limit and src[pos] == "\\":
        pos += 1
    if pos >= limit or src[pos] != "\n":
        raise _Mismatch(f"expected a line break at {pos}")
    pos += 1
    while pos < limit and src[pos] in " \t":
        pos += 1
    return pos


def _carve(runs: list[_Run], literals: list[tuple[int, int]]) -> Iterator[_Run]:
    """Runs minus the (sorted, non-overlapping) literal ranges."""
    j = 0
    for run in runs:
        start = run.start
        while j < len(literals) and literals[j][1] <= start:
            j += 1
        k = j
        while k < len(literals) and literals[k][0] < run.end:
            lit_start, lit_end = literals[k]
            if lit_start > start:
                yield _Run(start, lit_start, run.kind)
            start = max(start, lit_end)
            k += 1
        if start < run.end:
            yield _Run(start, run.end, run.kind)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _literal_ranges(content: str, runs: list[_Run]) -> list[tuple[int, int]]:
    if not any(trigger in content for trigger in _LITERAL_TRIGGERS):
        return []  # the common case: a cheap scan instead of the regex
    starts = [run.start for run in runs]

    def in_text(start: int) -> bool:
        i = bisect_right(starts, start) - 1
        return i >= 0 and start < runs[i].end

    found = [
        m.span()
        for m in (_PAIRED_SHORTCODE_RE.finditer(content) if "{{<" in content else ())
        if in_text(m.start())
    ]
    if "{" in content:
        found += [
            m.span()
            for m in _ATTRIBUTES_RE.finditer(content)
            if in_text(m.start()) and _is_attribute_list(m.group())
        ]
    for m in _LITERAL_RE.finditer(content):
        start = m.start()
        end = _url_end(content, start, m.end()) if m.lastgroup == "url" else m.end()
        if in_text(start) or (m.lastgroup in ("url", "email") and in_text(end - 1)):
            # An address whose first letter went to an escape (``\post@ex.no``) is still
            # an address; one inside a link destination touches no text run.
            found.append((start, end))
    return found


def _is_attribute_list(text: str) -> bool:
    """``{#id .class key=value}`` as Goldmark and Python-Markdown's attr_list write it (the
    latter may start with ``{:``), read by mdit-py-plugins' attribute parser."""
    inner = "{" + text[2:] if text.startswith("{:") else text
    try:
        end, attrs = parse_attributes(inner)
    except AttrsParseError:
        return False
    return bool(attrs) and end == len(inner) - 1


# --------------------------------------------------------------------------------------
# Assembly


class _Builder:
    def __init__(self, body: str, norm: str, removed_cr: array[int]) -> None:
        self.body = body
        self.norm = norm
        self.removed_cr = removed_cr  # normalised offsets whose "\n" was "\r\n"
        self.segments: list[Segment] = []
        self.blocks: list[Block] = []

    def _orig(self, pos: int) -> int:
        return pos + bisect_left(self.removed_cr, pos) if self.removed_cr else pos

    def add_inline(
        self, tok: Token, source: _Source, containers: tuple[str, ...], walker: _InlineWalker
    ) -> None:
        content = tok.content
        walker.runs = []
        walker.events = []
        end = walker.walk(tok.children or [], content, 0, 0, len(content), source.kind)
        if end != len(content):
            raise _Mismatch(f"inline walk stopped at {end} of {len(content)}")
        runs = _merge_runs(walker.runs)
        literals = _merge(_literal_ranges(content, runs) + list(source.literals))
        span_starts = [span.cstart for span in source.spans]

        def span_at(pos: int) -> _Span:
            span = source.spans[bisect_right(span_starts, pos) - 1]
            if not span.cstart <= pos < span.cend:
                raise _Mismatch(f"content offset {pos} is not mapped")
            return span

        pending: list[tuple[int, int, int, str]] = []  # body start, end, line, kind
        for run in _carve(runs, literals):
            span = span_at(run.start)
            if run.end > span.cend:
                raise _Mismatch(f"text run {run.start}:{run.end} crosses a line")
            start, stop = run.start + span.delta, run.end + span.delta
            if self.norm[start:stop] != content[run.start : run.end]:
                raise _Mismatch(f"text run {run.start}:{run.end} is not at {start}")
            ostart = self._orig(start)  # a run holds no newline, so no "\r" inside
            for a, b in _prose_spans(self.body, ostart, ostart + stop - start):
                if _LETTER_RE.search(self.body, a, b):
                    pending.append((a, b, span.line + 1, run.kind))
        first, last = span_at(0), span_at(len(content) - 1)

        def body_at(pos: int, *, end: bool) -> int:
            """Body offset of content offset ``pos``: of the character there (a start), or
            just after the character before it (an end); the other way where that one is
            not mapped (a newline, a line's end)."""

            def mapped(p: int) -> int | None:
                if not 0 <= p < len(content):
                    return None
                span = source.spans[bisect_right(span_starts, p) - 1]
                return p + span.delta if span.cstart <= p < span.cend else None

            at, before = mapped(pos), mapped(pos - 1)
            if (end or at is None) and before is not None:
                return self._orig(before) + 1
            if at is None:
                raise _Mismatch(f"content offset {pos} is not mapped")
            return self._orig(at)

        structure = [
            ("text", body_at(run.start, end=False), body_at(run.end, end=True), run.kind)
            for run in _carve(runs, literals)
        ]
        for kind, start, stop, what in walker.events:
            structure.append((kind, body_at(start, end=False), body_at(stop, end=True), what))
        structure.sort(key=lambda item: (item[1], item[2]))
        self._add_block(
            source.kind,
            self._orig(first.delta),
            self._orig(len(content) + last.delta),
            first.line + 1,
            pending,
            containers,
            tuple(structure),
        )

    def add_plain(self, text: str) -> None:
        pending = []
        line, counted = 1, 0
        for a, b in _prose_spans(text, 0, len(text)):
            line, counted = line + text.count("\n", counted, a), a
            if _LETTER_RE.search(text, a, b):
                pending.append((a, b, line, "text"))
        self._add_block("text", 0, len(text), 1, pending, ())

    def _add_block(
        self,
        kind: str,
        start: int,
        end: int,
        line: int,
        pending: list[tuple[int, int, int, str]],
        containers: tuple[str, ...],
        inline: tuple[tuple[str, int, int, str], ...] = (),
    ) -> None:
        index = len(self.blocks)
        first = len(self.segments)
        for a, b, seg_line, seg_kind in pending:
            self.segments.append(Segment(self.body[a:b], index, seg_line, seg_kind, a, b))
        self.blocks.append(
            Block(
                index, kind, start, end, line, tuple(range(first, len(self.segments))),
                self.body[start:end], containers, inline,
            )
        )  # fmt: skip

    def document(self) -> Document:
        return Document(self.body, tuple(self.segments), tuple(self.blocks))


def _merge_runs(runs: list[_Run]) -> list[_Run]:
    """Join touching runs of the same kind (e.g. text around an unmatched ``*``)."""
    merged: list[_Run] = []
    for run in runs:
        if merged and merged[-1].end == run.start and merged[-1].kind == run.kind:
            merged[-1].end = run.end
        else:
            merged.append(run)
    return merged


def _normalize(body: str) -> tuple[str, array[int]]:
    """markdown-it's normalisation, remembering where "\\r\\n" lost its "\\r"."""
    removed: array[int] = array("q")
    norm = body
    if "\r" in body:
        for m in re.finditer("\r\n", body):
            removed.append(m.start() - len(removed))
        norm = body.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in norm:
        norm = norm.replace("\0", "\ufffd")  # same length: offsets unchanged
    return norm, removed


_CONTAINERS = {
    "blockquote_open": "blockquote",
    "list_item_open": "list_item",
    "dd_open": "definition",
    "admonition_open": "admonition",
    "tab_open": "tab",
    "shortcode_open": "shortcode",
}
_CONTAINER_CLOSE = frozenset(name.replace("_open", "_close") for name in _CONTAINERS)


def _segment(body: str, *, strict: bool) -> Document:
    norm, removed_cr = _normalize(body)
    md = _parser()
    env: dict[str, Any] = {}
    tokens = md.parse(norm, env)
    builder = _Builder(body, norm, removed_cr)
    walker = _InlineWalker()
    containers: list[str] = []
    for tok in tokens:
        if tok.type in _CONTAINERS:
            containers.append(_CONTAINERS[tok.type])
        elif tok.type in _CONTAINER_CLOSE:
            containers.pop()
        elif tok.type == "inline" and tok.content:
            source = tok.meta.get(_META)
            if not isinstance(source, _Source):
                if strict and not tok.meta.get(_LITERAL):
                    raise _Mismatch(f"no source map for inline token at line {tok.map}")
                continue
            try:
                builder.add_inline(tok, source, tuple(containers), walker)
            except _Mismatch:
                if strict:
                    raise
                # Leave the block literal: untranslated beats corrupted.
    return builder.document()


# --------------------------------------------------------------------------------------
# The one Markdown dialect every module reads, and what the other modules ask of a body


def _dialect() -> MarkdownIt:
    """A new parser of bilingo's dialect: CommonMark with tables and strikethrough, and the
    block syntax of Hugo and MkDocs (see "Dialects" above): definition lists, admonitions,
    content tabs, shortcodes with inner content, abbreviations."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(deflist_plugin).use(admon_plugin)
    # Python-Markdown's own admonition pattern: a word after the marker, a quoted title.
    body_alt: RuleOptionsType = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.at("admonition", _admonition(md.block.ruler.__rules__), body_alt)
    md.block.ruler.before("fence", "tabbed", _tabbed, body_alt)
    md.block.ruler.before("fence", "shortcode", _shortcode, body_alt)
    md.block.ruler.before("paragraph", "abbreviation", _abbreviation, {"alt": ["paragraph"]})
    return md


@functools.cache
def markdown() -> MarkdownIt:
    """The plain parser of :func:`_dialect` (no source maps), for links, references and
    text runs (``bilingo.detect``, ``bilingo.compare``); segmenting uses the same dialect."""
    return _dialect()


#: Larger bodies are segmented each time they are asked for, never kept.
_PARSE_CACHE_MAX = 256 * 1024


def parse(body: str) -> Document:
    """:func:`segment`, remembered for the last bodies: one translate job asks for the same
    source (plan, language, seal) and twin (merge, provenance) several times."""
    return _parse_cached(body) if len(body) <= _PARSE_CACHE_MAX else segment(body)


@functools.lru_cache(maxsize=64)
def _parse_cached(body: str) -> Document:
    return segment(body)


def prose_mask(text: str) -> str:
    """``text`` with everything that is not prose (no segment) blanked to spaces, newlines
    kept, so offsets still index ``text``: what the engine sees, and nothing else.

    A term inside a shortcode, code or a link target is never translated, so it must not
    be looked for either (``bilingo glossary check``, ``bilingo diff``).
    """
    try:
        doc = parse(text)
    except BilingoError:  # nested too deeply to segment: nothing of it is translated
        return re.sub(r"[^\n]", " ", text)
    out: list[str] = []
    pos = 0
    for seg in doc.segments:
        out.append(re.sub(r"[^\n]", " ", text[pos : seg.start]))
        out.append(seg.text)
        pos = seg.end
    out.append(re.sub(r"[^\n]", " ", text[pos:]))
    return "".join(out)


#: Characters that make structure when outside prose: emphasis, code, links, tables, HTML.
_MARKUP = frozenset("*_`[]|<>~\\")


def _literal_markup(doc: Document, block: Block) -> list[str]:
    """The markup characters of ``block`` outside its segments, in order."""
    out: list[str] = []
    pos = block.start
    for i in (*block.segments, None):
        end = doc.segments[i].start if i is not None else block.end
        out += [ch for ch in doc.body[pos:end] if ch in _MARKUP]
        if i is not None:
            pos = doc.segments[i].end
    return out


def _letters(texts: Iterable[str]) -> str:
    """The letters of ``texts`` in order: prose, whatever the spacing and punctuation."""
    return "".join(ch for text in texts for ch in text if ch.isalpha())


def structure_problems(
    source: Document,
    translations: Sequence[str],
    twin: Document,
    *,
    overrides: Mapping[int, str] | None = None,
) -> list[int]:
    """Source blocks whose translation changed the twin's structure; [] when none did.

    ``twin`` is ``source.render(translations, overrides=overrides)`` segmented. Block by
    block it must have the same kind and containers, the text rendered for it (a ``|`` in
    a table cell's translation makes a new cell, and markdown-it drops the row's last),
    the same markup outside prose (a ``*`` in a translation that pairs with another makes
    emphasis) and the same prose (a backtick that pairs with one of the source's turns its
    code into prose). Returns the first such block's index (blocks after it cannot be
    compared); overridden blocks are the twin's own text and are not judged.
    """
    overrides = overrides or {}
    for block in source.blocks:
        if block.index >= len(twin.blocks):
            return [block.index]
        other = twin.blocks[block.index]
        if block.index in overrides:
            if other.text.strip() != overrides[block.index].strip():
                return []  # a person's paragraph changed the layout: later blocks do not align
            continue
        pos, parts = block.start, []
        for i in block.segments:
            seg = source.segments[i]
            parts += [source.body[pos : seg.start], _NEWLINE_RE.sub(" ", translations[i])]
            pos = seg.end
        expected = "".join([*parts, source.body[pos : block.end]])
        placed = "".join(translations[i] for i in block.segments)
        if (
            (other.kind, other.containers) != (block.kind, block.containers)
            or other.text.strip() != expected.strip()
            or _literal_markup(twin, other) != _literal_markup(source, block)
            or _letters(twin.segments[i].text for i in other.segments) != _letters([placed])
        ):
            return [block.index]
    if len(twin.blocks) != len(source.blocks) and source.blocks:
        return [source.blocks[-1].index]
    return []
