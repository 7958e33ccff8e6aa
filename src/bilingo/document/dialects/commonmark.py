"""CommonMark with tables and strikethrough (GFM), footnote labels, bare URLs and e-mail
addresses: the dialect every other one extends."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from bilingo.document.dialects import LiteralFinder, LiteralPattern
from bilingo.document.sourcemap import META, Annotator, Source, Span

try:
    from markdown_it.common.utils import mdTrim as _md_trim
except ImportError:  # pragma: no cover

    def _md_trim(string: str) -> str:  # markdown-it-py < 4 trimmed with str.strip()
        return string.strip()


def _annotate_lines(kind: str) -> Annotator:
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
                    spans.append(Span(cstart, cend, delta, begin + i))
                r += len(piece) + 1
            tok.meta[META] = Source(kind, tuple(spans))

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
        tok.meta[META] = Source("heading", (Span(0, len(tok.content), found, line),))


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
                tok.meta[META] = source


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


def _cell_source(src: str, pieces: list[tuple[int, int]], content: str, line: int) -> Source | None:
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
            spans.append(Span(cstart, cend, a - offset + lead, line))
        if k and 0 <= offset - lead < len(content):
            literals.append((offset - lead, offset - lead + 1))  # the pipe of "\|"
        offset += b - a
    return Source("table_cell", tuple(spans), tuple(literals))


class CommonMark:
    name = "commonmark"
    kinds = frozenset({"bilingo", "hugo", "mkdocs", "plain", "commonmark"})
    containers: Mapping[str, str] = MappingProxyType(
        {"blockquote_open": "blockquote", "list_item_open": "list_item"}
    )
    annotators: Mapping[str, Annotator] = MappingProxyType(
        {
            "paragraph": _annotate_lines("paragraph"),
            "lheading": _annotate_lines("heading"),
            "heading": _annotate_atx,
            "table": _annotate_table,
        }
    )
    literals = (
        # [^1]: footnote definition, [^1]
        LiteralPattern("footdef", r"^\[\^[^\[\]\s]+\]:", triggers=("[^",)),
        LiteralPattern("footref", r"\[\^[^\[\]\s]+\]", triggers=("[^",)),
        LiteralPattern(
            "url",
            r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"`]+",
            address=True,
            triggers=("://", "www."),
        ),
        # An address whole, escapes in it included: foo\_bar@example.com, <foo\+@bar.example.com>
        LiteralPattern(
            "email",
            r"(?<![\w.+-])<?(?:[\w.+-]|\\[!-/:-@\[-`{-~])+@[\w-]+(?:\.[\w-]+)+>?",
            address=True,
            triggers=("@",),
        ),
    )
    finders: tuple[LiteralFinder, ...] = ()
    triggers = ("[^", "://", "www.", "@")
    #: markdown-it's own rules, each of which returns False before anything else unless its
    #: line holds these (a table's header row a pipe, a fence three markers, …).
    block_triggers: Mapping[str, tuple[str, ...]] = MappingProxyType(
        {"table": ("|",), "fence": ("```", "~~~"), "blockquote": (">",), "html_block": ("<",)}
    )

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        md.enable(["table", "strikethrough"])


DIALECT = CommonMark()
