"""Carry a sentence's inline Markdown across a translation, through the word alignment.

The engine sees a whole sentence as plain text: emphasis, strong, strikethrough, link text
and image alt lose their markers, soft line breaks (and any whitespace other than one space)
become one space, and literal pieces (code spans, URLs, inline HTML, shortcodes, footnote
references, math, glossary terms) become one private-use placeholder character each.
:func:`project` puts everything back into the translation:

* **Placeholders** that come back exactly once stay where the model put them. A lost one is
  placed through the alignment (next to the target words of its source neighbours), or, for a
  glossary term, over the target words aligned to it alone; so nothing depends on the model
  copying a token it cannot read. Extra copies are removed.
* **Spans** cover the whole target words aligned to their source words (the outermost
  aligned words, so a span is never split), or, when given, the place where a separately
  translated copy of the span's text is found in the sentence's translation (argos' tag
  injection). Nesting is kept: an outer span grows over an inner one; disjoint spans that
  overlap in the target fail.
* **Marks** (line breaks, odd whitespace) replace one space between two target words, chosen
  through the alignment; a line never starts with what Markdown would read as a block.

The result is checked by parsing it again (the same parser the segmenter uses): every span
exactly once with its own markers, every placeholder exactly once, the target text unchanged.
Any failed check returns :class:`Failed` with the reason, and the caller translates that
sentence piecewise as before. Pure: no engine, no I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar
from markdown_it.token import Token

__all__ = [
    "Alignment",
    "Failed",
    "Literal",
    "Mark",
    "Projected",
    "Sentence",
    "Span",
    "project",
    "source_words",
    "word_alignment",
    "words",
]

#: (source word, target word) index pairs, over :func:`source_words` and :func:`words`.
Alignment = Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Span:
    """Inline markup around ``text[start:end]`` of a :class:`Sentence`."""

    start: int
    end: int
    open: str  # "*", "**", "~~", "[", "!["
    close: str  # "*", "**", "~~", "](https://…)", "][ref]"
    kind: str = "emphasis"  # emphasis | strong | strikethrough | link | image


@dataclass(frozen=True, slots=True)
class Mark:
    """Whitespace kept verbatim (a soft line break with the next line's indentation, two
    spaces, a no-break space): the sentence text has one plain space at ``pos`` instead."""

    pos: int
    text: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A piece the engine must not see: its one-character placeholder is at ``text[pos]``."""

    pos: int
    placeholder: str
    text: str  # what replaces the placeholder in the result (itself: the caller restores it)
    #: A glossary term: when lost, it replaces the target words aligned to it alone.
    term: bool = False


@dataclass(frozen=True, slots=True)
class Sentence:
    """What the engine translates (``text``) and what goes around it."""

    text: str
    #: In the order their opening markers stand in the source (outer first).
    spans: tuple[Span, ...] = ()
    marks: tuple[Mark, ...] = ()
    literals: tuple[Literal, ...] = ()


@dataclass(frozen=True, slots=True)
class Projected:
    markdown: str
    #: Placeholders the engine lost, placed through the alignment.
    placed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    reason: str


# --------------------------------------------------------------------------------------
# Words

_WORD_RE = re.compile(r"\w+|[^\w\s]")


def words(text: str, cuts: Iterable[int] = ()) -> list[tuple[int, int]]:
    """(start, end) of each word of ``text``: a run of letters/digits, or one other
    non-space character; also cut at each offset in ``cuts``."""
    bounds = sorted(set(cuts))
    out: list[tuple[int, int]] = []
    j = 0
    for m in _WORD_RE.finditer(text):
        start, end = m.span()
        while j < len(bounds) and bounds[j] <= start:
            j += 1
        k = j
        while k < len(bounds) and bounds[k] < end:
            out.append((start, bounds[k]))
            start = bounds[k]
            k += 1
        out.append((start, end))
    return out


def source_words(sentence: Sentence) -> list[tuple[int, int]]:
    """The source words an :data:`Alignment` counts: cut at every span boundary."""
    return words(sentence.text, (b for s in sentence.spans for b in (s.start, s.end)))


def word_alignment(
    source: Sequence[tuple[int, int]],
    target: Sequence[tuple[int, int]],
    pairs: Iterable[tuple[int, int, int, int]],
) -> list[tuple[int, int]]:
    """Word pairs from character-range pairs (source start, end, target start, end), e.g.
    each target piece with the source piece the model's alignment head attends to."""
    from bisect import bisect_left, bisect_right

    s_ends = [e for _, e in source]
    s_starts = [s for s, _ in source]
    t_ends = [e for _, e in target]
    t_starts = [s for s, _ in target]
    out: set[tuple[int, int]] = set()
    for s0, s1, t0, t1 in pairs:
        sw = range(bisect_right(s_ends, s0), bisect_left(s_starts, s1))
        tw = range(bisect_right(t_ends, t0), bisect_left(t_starts, t1))
        if len(sw) == len(tw):  # a piece of several words ("»."): word by word
            out.update(zip(sw, tw, strict=True))
        else:
            out.update((i, j) for i in sw for j in tw)
    return sorted(out)


# --------------------------------------------------------------------------------------
# Projection


@dataclass(slots=True)
class _Cell:
    """A target word, or a placeholder put into the target."""

    text: str
    sources: frozenset[int]  # aligned source words
    placeholder: str = ""
    origin: int = -1  # the target word it is (:func:`_words_kept`); -1: put in by bilingo


@dataclass(slots=True)
class _Target:
    cells: list[_Cell]
    gaps: list[str]  # gaps[i] is the whitespace before cells[i]; gaps[len(cells)] after
    placed: list[str] = field(default_factory=list)
    #: Target words a lost glossary term replaced (the model's words for it).
    replaced: set[int] = field(default_factory=set)

    def insert(self, g: int, cell: _Cell, space_before: bool, space_after: bool) -> None:
        """Put ``cell`` into gap ``g``, spaced as its source was."""
        gap = self.gaps[g]
        if not gap.strip(" "):  # plain spaces (where the model dropped the token): one
            gap = " "
        first, last = g == 0, g == len(self.cells)
        left = gap if space_before else ""
        right = gap if space_after else ""
        self.cells.insert(g, cell)
        self.gaps[g : g + 1] = ["" if first else left, "" if last else right]

    def unspace(self, i: int, *, before: bool, after: bool) -> None:
        """Drop plain spaces (never a line break) before and/or after cell ``i``."""
        for g, wanted in ((i, before), (i + 1, after)):
            if wanted and 0 < g < len(self.cells) and not self.gaps[g].strip(" "):
                self.gaps[g] = ""

    def replace(self, a: int, b: int, cell: _Cell) -> None:
        """Cells a..b (inclusive) become ``cell``."""
        self.replaced.update(c.origin for c in self.cells[a : b + 1] if c.origin >= 0)
        self.cells[a : b + 1] = [cell]
        del self.gaps[a + 1 : b + 1]

    def remove(self, i: int) -> None:
        del self.cells[i]
        left, right = self.gaps[i], self.gaps[i + 1]
        joined = "" if i == 0 or i == len(self.cells) else (left or right)
        self.gaps[i : i + 2] = [joined]


def project(
    sentence: Sentence,
    target: str,
    alignment: Alignment,
    *,
    hints: Mapping[int, str] | None = None,
    strict: bool = False,
) -> Projected | Failed:
    """The translation ``target`` of ``sentence.text`` with the sentence's markup carried
    across; ``alignment`` pairs :func:`source_words` with :func:`words` of ``target``.
    ``hints[i]``: a separate translation of span ``i``'s text (used where found once).
    ``strict``: the alignment holds only checked pairs (``bilingo.placement``): a line break
    or lost literal whose neighbouring source words it does not hold fails, never guessed."""
    text = sentence.text
    for span in sentence.spans:
        if not 0 <= span.start < span.end <= len(text):
            return Failed(f"empty or out-of-range span {span.start}:{span.end}")
        for b in (span.start, span.end):
            if 0 < b < len(text) and _is_word(text[b - 1]) and _is_word(text[b]):
                return Failed("a span starts or ends inside a word")
    src = source_words(sentence)
    tgt_words = words(target)
    if not tgt_words:
        return Failed("empty translation")
    aligned: dict[int, set[int]] = {}
    for s, t in alignment:
        if 0 <= s < len(src) and 0 <= t < len(tgt_words):
            aligned.setdefault(t, set()).add(s)
    cells = [
        _Cell(target[a:b], frozenset(aligned.get(j, ())), origin=j)
        for j, (a, b) in enumerate(tgt_words)
    ]
    gaps = [""]  # leading and trailing whitespace is not part of the sentence
    gaps += [target[tgt_words[j - 1][1] : tgt_words[j][0]] for j in range(1, len(tgt_words))]
    gaps.append("")
    tgt = _Target(cells, gaps)
    word_at = {a: i for i, (a, _) in enumerate(src)}

    failed = _place_literals(sentence, tgt, src, word_at, strict)
    if failed is not None:
        return failed
    ranges = _span_ranges(sentence, tgt, src, hints or {})
    if isinstance(ranges, Failed):
        return ranges
    mark_gaps = _place_marks(sentence, tgt, src, strict)
    if isinstance(mark_gaps, Failed):
        return mark_gaps
    kept = _words_kept(sentence, target, tgt_words, tgt)
    if kept is not None:
        return Failed(kept)
    markdown, check = _render(sentence, tgt, ranges, mark_gaps)
    problem = _verify(check, sentence, tgt, ranges)
    if problem is not None:
        return Failed(problem)
    return Projected(markdown, tuple(tgt.placed))


def _words_kept(
    sentence: Sentence, target: str, tgt_words: Sequence[tuple[int, int]], tgt: _Target
) -> str | None:
    """Never publish a word the engine did not write: every target word once, in the
    engine's order, but for placeholders and the words a lost glossary term replaced; a
    literal put back never glued to a word its source was spaced from. Why not, or None."""
    placeholders = {lit.placeholder for lit in sentence.literals}
    kept = [c.origin for c in tgt.cells if not c.placeholder]
    if any(origin < 0 for origin in kept):
        return "a word the engine did not write"
    if any(a >= b for a, b in pairwise(kept)):
        return "a word of the translation duplicated or moved"
    wanted = {
        j for j, (a, b) in enumerate(tgt_words) if target[a:b] not in placeholders
    } - tgt.replaced
    if set(kept) != wanted:
        return "a word of the translation dropped"
    by_placeholder = {lit.placeholder: lit for lit in sentence.literals}
    text = sentence.text
    placed = set(tgt.placed)
    last = len(tgt.cells) - 1
    for i, cell in enumerate(tgt.cells):
        if cell.placeholder not in placed:
            continue
        lit = by_placeholder[cell.placeholder]
        glued_before = lit.pos > 0 and not text[lit.pos - 1].isspace()
        glued_after = lit.pos + 1 < len(text) and not text[lit.pos + 1].isspace()
        if (i > 0 and not tgt.gaps[i] and not glued_before) or (
            i < last and not tgt.gaps[i + 1] and not glued_after
        ):
            return "a literal put back is glued to a word"
    return None


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _place_literals(
    sentence: Sentence,
    tgt: _Target,
    src: list[tuple[int, int]],
    word_at: dict[int, int],
    strict: bool = False,
) -> Failed | None:
    text = sentence.text
    for lit in sentence.literals:
        if text[lit.pos : lit.pos + 1] != lit.placeholder or lit.pos not in word_at:
            return Failed(f"placeholder of {lit.text!r} is not at {lit.pos}")
        k = word_at[lit.pos]
        found = [i for i, c in enumerate(tgt.cells) if c.text == lit.placeholder]
        if found:
            keep = next((i for i in found if k in tgt.cells[i].sources), found[0])
            for i in reversed(found):
                if i != keep:
                    tgt.remove(i)
            keep = next(i for i, c in enumerate(tgt.cells) if c.text == lit.placeholder)
            tgt.cells[keep] = _Cell(lit.placeholder, frozenset({k}), lit.placeholder)
            # A literal glued to its neighbour in the source ("før.[^1]") stays glued: Moses
            # detokenizing puts a space before a character it does not know.
            tgt.unspace(keep, before=not _spaced_before(text, lit.pos), after=False)
            tgt.unspace(keep, before=False, after=not _spaced_after(text, lit.pos))
            continue
        tgt.placed.append(lit.placeholder)
        cell = _Cell(lit.placeholder, frozenset({k}), lit.placeholder)
        if lit.term:
            own = [i for i, c in enumerate(tgt.cells) if c.sources == {k} and not c.placeholder]
            if own:  # the model's own words for the term: the glossary form replaces them
                a = own[0]
                b = a
                while b + 1 < len(tgt.cells) and b + 1 in own:
                    b += 1
                tgt.replace(a, b, cell)
                continue
        before = _spaced_before(text, lit.pos)
        after = _spaced_after(text, lit.pos)
        g = _anchor(tgt, src, k, k + 1, prefer_left=not before, strict=strict)
        if g < 0:
            return Failed(f"no checked place for {lit.text!r}")
        tgt.insert(g, cell, before, after)
    return None


def _spaced_before(text: str, pos: int) -> bool:
    return pos > 0 and text[pos - 1].isspace()


def _spaced_after(text: str, pos: int) -> bool:
    return pos + 1 < len(text) and text[pos + 1].isspace()


def _anchor(
    tgt: _Target,
    src: list[tuple[int, int]],
    left: int,
    right: int,
    *,
    prefer_left: bool,
    strict: bool = False,
) -> int:
    """The target gap for something between source words ``left - 1`` and ``right``
    (``left`` itself excluded: the thing's own word), from the nearest aligned neighbours;
    ``strict``: only from the next ones, else -1."""
    where: dict[int, list[int]] = {}
    for i, cell in enumerate(tgt.cells):
        for s in cell.sources:
            where.setdefault(s, []).append(i)
    for d in range(len(src) + 1):
        lw, rw = left - 1 - d, right + d
        lg = max(where[lw]) + 1 if lw in where else None
        rg = min(where[rw]) if rw in where else None
        if lg is not None and (prefer_left or rg is None):
            return lg
        if rg is not None:
            return rg
        if strict:
            return -1
    # Nothing aligned at all: the same relative position.
    return round(left * len(tgt.cells) / max(1, len(src)))


def _span_ranges(
    sentence: Sentence, tgt: _Target, src: list[tuple[int, int]], hints: Mapping[int, str]
) -> list[tuple[int, int]] | Failed:
    spans = sentence.spans
    ranges: list[tuple[int, int]] = []
    offsets = _cell_offsets(tgt)
    joined = _joined(tgt)
    for n, span in enumerate(spans):
        own = {i for i, (a, b) in enumerate(src) if span.start <= a and b <= span.end}
        hit = _hint_range(hints.get(n), joined, offsets)
        if hit is not None:
            ranges.append(hit)
            continue
        cells = [i for i, c in enumerate(tgt.cells) if c.sources & own]
        if not cells:
            return Failed(f"no target word is aligned to {sentence.text[span.start : span.end]!r}")
        ranges.append(_cluster(cells, tgt, own))
    # Inner spans first: an outer span grows over what its inner spans cover.
    order = sorted(range(len(spans)), key=lambda i: spans[i].end - spans[i].start)
    for i in order:
        for j in order:
            if i != j and _contains(spans[i], spans[j]) and not _same(spans[i], spans[j]):
                (a, b), (c, d) = ranges[i], ranges[j]
                ranges[i] = (min(a, c), max(b, d))
    for i in range(len(spans)):
        for j in range(i + 1, len(spans)):
            (a, b), (c, d) = ranges[i], ranges[j]
            if _contains(spans[i], spans[j]) or _contains(spans[j], spans[i]):
                continue
            if a <= d and c <= b:
                return Failed("two spans overlap in the translation")
    return ranges


def _cluster(cells: list[int], tgt: _Target, own: set[int]) -> tuple[int, int]:
    """The target range of a span from the cells aligned to its words: the largest group
    not broken by a word that belongs elsewhere (one stray attention link to the far end
    of the sentence must not stretch the span over everything between)."""
    groups: list[list[int]] = [[cells[0]]]
    for a, b in pairwise(cells):
        between = tgt.cells[a + 1 : b]
        if any(c.sources and not c.sources & own for c in between):
            groups.append([b])
        else:
            groups[-1].append(b)
    best = max(groups, key=len)  # the first of the largest
    return best[0], best[-1]


def _contains(outer: Span, inner: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _same(a: Span, b: Span) -> bool:
    return a.start == b.start and a.end == b.end


def _cell_offsets(tgt: _Target) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for i, cell in enumerate(tgt.cells):
        pos += len(tgt.gaps[i])
        out.append((pos, pos + len(cell.text)))
        pos += len(cell.text)
    return out


def _joined(tgt: _Target) -> str:
    return "".join(g + c.text for g, c in zip(tgt.gaps, tgt.cells, strict=False))


def _hint_range(
    hint: str | None, joined: str, offsets: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """Cells of the one place ``hint`` occurs in the target, on word boundaries."""
    hint = (hint or "").strip()
    if not hint or joined.count(hint) != 1:
        return None
    start = joined.index(hint)
    end = start + len(hint)
    first = next((i for i, (a, _) in enumerate(offsets) if a == start), None)
    last = next((i for i, (_, b) in enumerate(offsets) if b == end), None)
    if first is None or last is None or last < first:
        return None
    return first, last


# A line that Markdown would read as a block of its own (list, heading, quote, fence, setext
# underline, HTML block, table) must not be made by moving a line break.
_BLOCK_START_RE = re.compile(r"[-+*]\s|#{1,6}(?:\s|$)|>|\d{1,9}[.)](?:\s|$)|[=-]+\s*$|```|~~~|<|\|")


def _place_marks(
    sentence: Sentence, tgt: _Target, src: list[tuple[int, int]], strict: bool = False
) -> dict[int, str] | Failed:
    """Gap index -> the mark's text, one mark a gap, only between two target words."""
    taken: dict[int, str] = {}
    n = len(tgt.cells)
    text = sentence.text
    starts = [a for a, _ in src]
    from bisect import bisect_left

    for mark in sentence.marks:
        k = bisect_left(starts, mark.pos + 1)  # the first word after the mark
        want = _anchor(tgt, src, k, k, prefer_left=False, strict=strict)
        if want < 0:
            return Failed("no checked place for a line break")
        order = sorted(range(1, n), key=lambda g: (abs(g - want), g < want))
        for g in order:
            if g in taken or not tgt.gaps[g] or not tgt.gaps[g].isspace():
                continue
            # The source's own line start is as safe here as it was there.
            same = g == want and k < len(src) and tgt.cells[g].text == text[slice(*src[k])]
            if "\n" in mark.text and not same and _BLOCK_START_RE.match(_line_after(tgt, g)):
                continue
            taken[g] = mark.text
            break
        else:
            return Failed("no place for a line break in the translation")
    return taken


def _line_after(tgt: _Target, g: int) -> str:
    return " ".join(c.text for c in tgt.cells[g : g + 3])


def _nesting(
    spans: Sequence[Span], ranges: Sequence[tuple[int, int]]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Spans opening and closing at each target offset, outer first (wider target range,
    then the source's outer span, then source order); closes innermost first."""
    order = sorted(
        range(len(spans)),
        key=lambda i: (-(ranges[i][1] - ranges[i][0]), -(spans[i].end - spans[i].start), i),
    )
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for i in order:
        opens.setdefault(ranges[i][0], []).append(i)
        closes.setdefault(ranges[i][1], []).insert(0, i)
    return opens, closes


def _render(
    sentence: Sentence,
    tgt: _Target,
    ranges: list[tuple[int, int]],
    marks: Mapping[int, str],
) -> tuple[str, str]:
    """(markdown with literals restored, markdown with placeholders and plain spaces for
    the marks: what :func:`_verify` parses)."""
    spans = sentence.spans
    opens, closes = _nesting(spans, ranges)
    texts = {lit.placeholder: lit.text for lit in sentence.literals}
    stand_ins = {lit.placeholder: _stand_in(lit.text) for lit in sentence.literals}
    out: list[str] = []
    check: list[str] = []
    for g, cell in enumerate(tgt.cells):
        gap = tgt.gaps[g] if g else ""
        out.append(marks.get(g, gap))
        check.append(" " if g in marks else gap)
        for i in opens.get(g, ()):
            out.append(spans[i].open)
            check.append(spans[i].open)
        out.append(texts.get(cell.text, cell.text) if cell.placeholder else cell.text)
        check.append(stand_ins.get(cell.text, cell.text) if cell.placeholder else cell.text)
        for i in closes.get(g, ()):
            out.append(spans[i].close)
            # A reference link's label is defined elsewhere: check the shape only.
            check.append("](#)" if spans[i].kind in ("link", "image") else spans[i].close)
    return "".join(out), "".join(check)


def _stand_in(literal: str) -> str:
    """What the check parses for a literal: delimiters next to it flank (open or close
    emphasis) by whether its edge characters are punctuation, so those classes are kept."""
    return "".join("%" if _is_punct(ch) else "a" for ch in (literal[:1], literal[-1:]))


def _is_punct(ch: str) -> bool:
    return bool(ch) and (isMdAsciiPunct(ord(ch)) or isPunctChar(ch))


@functools.cache
def _checker() -> MarkdownIt:
    """bilingo's one Markdown dialect (bilingo.document), reading text as the segmenter does;
    inline syntax only: a sentence is one paragraph, and block rules (a line starting ": " or
    "===") would misread a projected line break."""
    from bilingo.document import dialect

    md = dialect()
    md.block.ruler.enableOnly(["paragraph"])
    md.core.ruler.disable(["normalize", "text_join"])
    return md


_KIND = {
    "em_open": "emphasis",
    "strong_open": "strong",
    "s_open": "strikethrough",
    "link_open": "link",
}
_KIND_CLOSE = {"em_close", "strong_close", "s_close", "link_close"}


def _verify(
    check: str, sentence: Sentence, tgt: _Target, ranges: list[tuple[int, int]]
) -> str | None:
    """Why the rendered result is not what was meant, or None: parsed again, it must hold
    each span once, with the text of its cells, and the target text unchanged."""
    tokens = _checker().parseInline(check)
    children = tokens[0].children or [] if tokens else []
    events: list[tuple[str, str]] = []
    _events(children, events)
    want: list[tuple[str, str]] = []
    spans = sentence.spans
    opens, closes = _nesting(spans, ranges)
    stand_ins = {lit.placeholder: _stand_in(lit.text) for lit in sentence.literals}
    text = ""
    for g, cell in enumerate(tgt.cells):
        if g:
            text += tgt.gaps[g] or ""
        if opens.get(g):
            if text:
                want.append(("text", text))
            text = ""
            want += [("open", spans[i].kind) for i in opens[g]]
        text += stand_ins.get(cell.text, cell.text) if cell.placeholder else cell.text
        if closes.get(g):
            want.append(("text", text))
            text = ""
            want += [("close", spans[i].kind) for i in closes[g]]
    if text:
        want.append(("text", text))
    got = _squash(events)
    if got != _squash(want):
        return "the translation does not parse back to the same markup"
    return None


def _events(tokens: Sequence[Token], out: list[tuple[str, str]]) -> None:
    for tok in tokens:
        typ = tok.type
        if typ in _KIND:
            out.append(("open", _KIND[typ]))
        elif typ in _KIND_CLOSE:
            out.append(("close", _KIND[typ.replace("_close", "_open")]))
        elif typ == "image":
            out.append(("open", "image"))
            _events(tok.children or [], out)
            out.append(("close", "image"))
        elif typ in ("text", "softbreak"):
            out.append(("text", tok.content if typ == "text" else " "))
        else:  # code, html, escapes, autolinks the translation made: not what was meant
            out.append((typ, tok.content))


def _squash(events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join adjacent text and collapse whitespace (the parser drops spaces at breaks)."""
    out: list[tuple[str, str]] = []
    for kind, value in events:
        if kind == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + value)
        else:
            out.append((kind, value))
    return [
        (k, " ".join(v.split()) if k == "text" else v) for k, v in out if k != "text" or v.strip()
    ]
