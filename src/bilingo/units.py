"""Whole sentences to the engine, inline markup carried back (``translate --inline whole``).

A *unit* is one sentence of a block (or a few, where a span runs across a sentence end), read
from the segmenter's inline structure (:attr:`bilingo.document.Block.inline`): prose becomes
the plain text the engine sees, emphasis/strong/strikethrough/link/image markers become
spans, line breaks and odd whitespace become marks, and everything else in between (code,
HTML, URLs, shortcodes, footnote references, escapes) becomes a literal behind a
private-use placeholder. Glossary terms get their placeholders from
:meth:`bilingo.glossary.Glossary.protect` as before. The engine returns the translation
with its alignment and :func:`bilingo.inline.project` carries everything across.

A unit whose projection fails its checks falls back to the segments it holds, translated
piecewise as with ``--inline fragments``; the report counts them. Hooks: the pipeline calls
:func:`translate_whole` instead of translating the body's segments, and
:func:`render` instead of :meth:`bilingo.document.Document.render`.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from bilingo import placement
from bilingo.document import Block, Document
from bilingo.document import sentences as _sentences
from bilingo.engine import Aligned, Engine, Progress
from bilingo.glossary import Glossary, PlaceholderLost, Protected
from bilingo.inline import (
    Failed,
    Mark,
    Projected,
    Sentence,
    Span,
    project,
    source_words,
    word_alignment,
    words,
)
from bilingo.inline import (
    Literal as InlineLiteral,
)
from bilingo.outcome import INLINE_MODES as INLINE_MODES
from bilingo.outcome import InlineMode as InlineMode

if TYPE_CHECKING:
    from bilingo.pipeline import Pipeline


_LETTER_RE = re.compile(r"[^\W\d_]")
# Whitespace other than one plain space is kept verbatim (a mark); same set as the segmenter.
_ODD_SPACE_RE = re.compile(
    r"[\s\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\ufeff\ufff9-\ufffb]+"
)
_PUA_LAST = 0xF8FF
#: Spans one sentence may carry whole (cmark's "nested strong emph" holds 130,000): more,
#: and its block is translated in pieces, in time linear in its length.
MAX_SPANS = 64


@runtime_checkable
class AligningEngine(Protocol):
    """An engine that can return its alignment (:class:`bilingo.engine.ArgosEngine`)."""

    @property
    def name(self) -> str: ...

    def translate_aligned(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[Aligned]: ...


@runtime_checkable
class ScoringEngine(Protocol):
    """An engine that can score its own output with parts of the source masked
    (:meth:`bilingo.engine.ArgosEngine.masked_drops`): prediction difference."""

    def masked_drops(
        self, items: Sequence[tuple[Aligned, Sequence[tuple[int, int]]]]
    ) -> list[list[float]]: ...


@dataclass(frozen=True)
class Unit:
    """One sentence of a block: ``key`` is its source Markdown, ``body[start:end]``."""

    block: int
    start: int
    end: int
    key: str
    sentence: Sentence
    segments: tuple[int, ...]  # the Document segments inside: the piecewise fallback
    texts: tuple[str, ...]  # their texts


def units(doc: Document) -> list[Unit]:
    """The document's units with letters; a block whose structure cannot be read whole
    has none (its segments are translated piecewise). Read once per document
    (:attr:`bilingo.document.Document.sentence_units`)."""
    return list(doc.sentence_units)


def read_units(doc: Document) -> list[Unit]:
    """:func:`units`, read from the document's blocks."""
    out: list[Unit] = []
    for block in doc.blocks:
        try:
            found = _block_units(doc, block)
        except (ValueError, IndexError, KeyError):  # untranslated-whole beats a crash
            found = None
        if found is not None:
            out.extend(found)
    return out


def _block_units(doc: Document, block: Block) -> list[Unit] | None:
    body = doc.body
    if not block.inline:
        # Plain text (a front-matter field): its segments are its sentences.
        return [
            Unit(block.index, seg.start, seg.end, seg.text, Sentence(seg.text), (i,), (seg.text,))
            for i, seg in ((i, doc.segments[i]) for i in block.segments)
        ]
    plain: list[str] = []
    b0 = array("q")  # body start of each plain character
    b1 = array("q")  # body end
    spans: list[tuple[int, int, int, int, int, int, str]] = []  # p0, p1, body o0, o1, c0, c1
    marks: list[tuple[int, str]] = []
    literals: list[tuple[int, int, int]] = []  # plain pos, body start, end
    stack: list[tuple[int, int, int, str]] = []
    last_word = -1  # plain position of the last letter or digit

    def add(ch: str, start: int, end: int) -> None:
        nonlocal last_word
        if ch.isalnum() or ch == "_":
            last_word = len(plain)
        plain.append(ch)
        b0.append(start)
        b1.append(end)

    def add_text(start: int, end: int) -> None:
        """Prose ``body[start:end]``, character for character."""
        nonlocal last_word
        chunk = body[start:end]
        for k in range(len(chunk) - 1, -1, -1):
            if chunk[k].isalnum() or chunk[k] == "_":
                last_word = len(plain) + k
                break
        plain.extend(chunk)
        b0.extend(range(start, end))
        b1.extend(range(start + 1, end + 1))

    def add_space(text: str, start: int, end: int) -> bool:
        if not plain or plain[-1] == " ":
            return False  # two separators in a row, or one first: not a sentence's shape
        if text != " ":
            marks.append((len(plain), text))
        add(" ", start, end)
        return True

    def add_literal(start: int, end: int) -> None:
        literals.append((len(plain), start, end))
        add("\0", start, end)

    pos = block.start
    for kind, start, end, what in block.inline:
        if start < pos:
            return None
        if start > pos:
            add_literal(pos, start)
        if kind == "text":
            at = start
            for m in _ODD_SPACE_RE.finditer(body, start, end):
                if m.group() == " ":
                    continue  # one plain space is prose
                add_text(at, m.start())
                if not add_space(m.group(), m.start(), m.end()):
                    return None
                at = m.end()
            add_text(at, end)
        elif kind == "break":
            if not add_space(body[start:end], start, end):
                return None
        elif kind == "open":
            stack.append((len(plain), start, end, what))
        elif kind == "close":
            if not stack or stack[-1][3] != what:
                return None
            p0, o0, o1, _ = stack.pop()
            if last_word < p0:
                # Nothing to translate inside ("[](x)", "**2027**"): literal as a whole.
                # All three lists are in plain order, inner spans closed last: pop the tails.
                del plain[p0:], b0[p0:], b1[p0:]
                for items in (marks, literals, spans):
                    while items and items[-1][0] >= p0:
                        items.pop()
                add_literal(o0, end)
            else:
                spans.append((p0, len(plain), o0, o1, start, end, what))
        pos = end
    if stack or pos > block.end:
        return None
    if pos < block.end:
        add_literal(pos, block.end)
    if plain and plain[-1] == " ":
        return None
    text = "".join(plain)  # each literal a NUL for now: placeholders are chosen per sentence

    # Sentences, merged where a span runs across a sentence end (a span's last character
    # lies in a later sentence than its first).
    spans.sort(key=lambda x: (x[0], -x[1], x[2]))  # outer first, as the source opens them
    span_starts = [sp[0] for sp in spans]
    bounds: list[list[int]] = []
    reach, k = -1, 0  # the furthest end of the spans that start before the sentence
    for s, e in _sentences(text, 0, len(text)):
        while k < len(spans) and spans[k][0] < s:
            reach = max(reach, spans[k][1])
            k += 1
        if bounds and reach > bounds[-1][1]:
            bounds[-1][1] = e
        else:
            bounds.append([s, e])
    found: list[Unit] = []
    mark_at = [m[0] for m in marks]
    literal_at = [lit[0] for lit in literals]
    segs = [(i, doc.segments[i]) for i in block.segments]
    seg_starts = [seg.start for _, seg in segs]
    for s, e in bounds:
        if s >= e or not _LETTER_RE.search(text, s, e):
            continue
        mine = spans[bisect_left(span_starts, s) : bisect_left(span_starts, e)]
        if len(mine) > MAX_SPANS:
            return None  # placing them is quadratic: this block goes in pieces
        start = min([b0[s]] + [sp[2] for sp in mine if sp[0] == s])
        end = max([b1[e - 1]] + [sp[5] for sp in mine if sp[1] == e])
        lits = literals[bisect_left(literal_at, s) : bisect_left(literal_at, e)]
        chars = _placeholders(body[start:end], len(lits))
        if chars is None:
            return None
        own = list(text[s:e])
        for (p, _, _), ch in zip(lits, chars, strict=True):
            own[p - s] = ch
        sentence = Sentence(
            "".join(own),
            tuple(
                Span(p0 - s, p1 - s, body[o0:o1], body[c0:c1], kind)
                for p0, p1, o0, o1, c0, c1, kind in mine
            ),
            tuple(
                Mark(p - s, t) for p, t in marks[bisect_left(mark_at, s) : bisect_left(mark_at, e)]
            ),
            tuple(
                InlineLiteral(p - s, ch, body[a:b])
                for (p, a, b), ch in zip(lits, chars, strict=True)
            ),
        )
        inside = [
            (i, seg.text)
            for i, seg in segs[bisect_left(seg_starts, start) : bisect_left(seg_starts, end)]
            if seg.end <= end
        ]
        found.append(
            Unit(
                block.index,
                start,
                end,
                body[start:end],
                sentence,
                tuple(i for i, _ in inside),
                tuple(t for _, t in inside),
            )
        )
    covered = {i for u in found for i in u.segments}
    if covered != set(block.segments):
        return None  # a segment outside every unit: read this block piecewise
    return found


def _placeholders(avoid: str, n: int) -> list[str] | None:
    """``n`` private-use characters not in ``avoid``, from the top of the area down (the
    glossary takes its placeholders from the bottom up)."""
    out: list[str] = []
    code = _PUA_LAST
    while len(out) < n:
        if code < 0xE000 + 256:  # leave the glossary the start of the area
            return None
        if chr(code) not in avoid:
            out.append(chr(code))
        code -= 1
    return out


# --------------------------------------------------------------------------------------
# Translation


@dataclass
class WholeStats:
    """What :func:`translate_whole` did, for the report."""

    #: Units translated whole, from the engine or the memory.
    whole: int = 0
    #: Units that fell back to their segments (projection failed, or no alignment).
    fallback: int = 0
    #: Placeholders (literals, glossary terms) the engine lost, placed by the alignment.
    placed: int = 0
    engine: int = 0
    memory: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    #: Unit key -> the engine's length-normalised log-probability of its translation
    #: (:attr:`bilingo.engine.Aligned.score`), for the units translated whole.
    scores: dict[str, float] = field(default_factory=dict)
    #: Anchors (copied names, numbers, placeholders) of the engine's sentences, and how
    #: many of them the alignment head agreed with (``bilingo.placement``).
    anchors: int = 0
    agreed: int = 0
    #: Sentences placed without the head (it disagreed with their anchors), and the
    #: (masked source, output) pairs scored for them.
    by_difference: int = 0
    scored: int = 0


@dataclass(frozen=True)
class _Prepared:
    unit: Unit
    sentence: Sentence  # what the engine sees, term placeholders included
    protected: Protected


def translate_whole(
    docs: Sequence[tuple[Document, frozenset[int]]],
    *,
    engine: Engine,
    glossary: Glossary,
    source: str,
    target: str,
    pipeline: Pipeline | None = None,
) -> tuple[dict[str, str], list[str], WholeStats]:
    """Translate the units of ``docs`` (each with the blocks to leave out): returns (unit key
    -> target Markdown, the segment texts of the units that fell back, stats). The whole-
    sentence strategy of the run's ``pipeline`` (a memoryless one if None)."""
    from bilingo.pipeline import Item, Pipeline

    pipe = pipeline if pipeline is not None else Pipeline(glossary)
    stats = WholeStats()
    fallback: list[str] = []
    todo: dict[str, Unit] = {}
    for doc, skip in docs:
        found_units = units(doc)
        covered = {i for u in found_units for i in u.segments}
        # Blocks that could not be read whole go piecewise, as before.
        fallback += [
            s.text for i, s in enumerate(doc.segments) if i not in covered and s.block not in skip
        ]
        for unit in found_units:
            if unit.block not in skip:
                todo.setdefault(unit.key, unit)
    pieces = pipe.in_pieces.setdefault((source, target, engine.name), set())
    found, stats.memory = pipe.known(
        [k for k in todo if k not in pieces],
        source=source,
        target=target,
        model=engine.name,
        kind="whole",
    )
    prepared: list[Item[_Prepared]] = []
    for key, unit in todo.items():
        if key in found:
            continue
        ready = (
            _prepare(unit, pipe.glossary, source, target)
            if isinstance(engine, AligningEngine) and key not in pieces
            else None
        )
        if ready is None:
            _fall_back(stats, fallback, "" if key in pieces else "cannot be sent whole", unit)
        else:
            prepared.append(Item(key, ready.sentence.text, ready))
    if prepared:

        def carry(item: Item[_Prepared], result: Aligned) -> str | None:
            (result,) = checked_alignments([item.context.sentence], [result], engine, stats)
            markdown, reason = _carry(item.context, result, stats)
            reasons[item.key] = reason
            return markdown

        reasons: dict[str, str] = {}
        fresh, failures = pipe.submit(
            prepared,
            engine=engine,
            source=source,
            target=target,
            kind="whole",
            finish=carry,
            aligned=True,
        ).collect()
        stats.engine = len(prepared)
        failed = [(f.item.context, f.result, reasons[f.item.key]) for f in failures]
        sent_whole = set(fresh)
        failed = _retry_with_hints(failed, engine, stats, fresh)
        for ready, _, reason in failed:
            stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
            _fall_back(stats, fallback, "", ready.unit)
            pieces.add(ready.unit.key)
        found.update(fresh)
        retried = {k: v for k, v in fresh.items() if k not in sent_whole}
        pipe.keep(retried, source=source, target=target, model=engine.name, kind="whole")
    stats.whole = len(found)
    # Scores of this run's sentences and of those the memory held: the same twin either way.
    stats.scores = pipe.scores(found, source=source, target=target, model=engine.name)
    return found, fallback, stats


def checked_alignments(
    sentences: Sequence[Sentence], results: Sequence[Aligned], engine: object, stats: WholeStats
) -> list[Aligned]:
    """Each result with the alignment its markup is placed by (``bilingo.placement``): the
    head's where it agrees with the sentence's anchors (in a sentence without anchors, where
    it agrees with those of the whole batch), else the anchors and, for what is placed
    (spans, line breaks, lost placeholders), prediction difference."""
    found: list[tuple[list[tuple[int, int]], set[tuple[int, int]], placement.Agreement]] = []
    before = placement.Agreement(stats.agreed, stats.anchors)  # the run's sentences so far
    total = placement.Agreement(0, 0)
    for sentence, result in zip(sentences, results, strict=True):
        attention = word_alignment(source_words(sentence), words(result.text), result.pairs)
        sure = placement.anchors(sentence, result.text, result)
        agree = placement.agreement(attention, sure)
        total += agree
        found.append((attention, sure, agree))
    stats.anchors += total.anchors
    stats.agreed += total.agree
    out: list[Aligned] = []
    ranges: dict[int, list[tuple[int, int]]] = {}
    for n, (sentence, result) in enumerate(zip(sentences, results, strict=True)):
        attention, sure, agree = found[n]
        if agree.trusted or (not agree.anchors and (total + before).trusted):
            out.append(placement.with_pairs(sentence, result, {*attention, *sure}))
            continue
        out.append(
            placement.with_pairs(
                sentence, result, placement.whole_spans_only(sentence, sure), strict=True
            )
        )
        # Only what the anchors do not place already is scored (most of placement's cost).
        if masked := placement.masked_ranges(sentence, result.text, sure):
            stats.by_difference += 1
            ranges[n] = masked
    scoring = list(ranges)
    if scoring and isinstance(engine, ScoringEngine):
        items = [(out[n], r) for n in scoring for r in ranges[n]]
        stats.scored += len(items)
        drops = iter(engine.masked_drops([(a, [r]) for a, r in items]))
        for n in scoring:
            loss = [next(drops) for _ in ranges[n]]
            more = placement.difference_pairs(sentences[n], out[n], ranges[n], loss)
            held = placement.whole_spans_only(sentences[n], {*found[n][1], *more})
            out[n] = placement.with_pairs(sentences[n], out[n], held, strict=True)
    return out


def _fall_back(stats: WholeStats, fallback: list[str], reason: str, unit: Unit) -> None:
    stats.fallback += 1
    if reason:
        stats.reasons[reason] = stats.reasons.get(reason, 0) + 1
    fallback.extend(unit.texts)


def _carry(
    ready: _Prepared,
    result: Aligned,
    stats: WholeStats,
    hints: Mapping[int, str] | None = None,
) -> tuple[str | None, str]:
    """(the unit's translated Markdown, "") or (None, why not)."""
    sentence = ready.sentence
    try:
        pairs = word_alignment(source_words(sentence), words(result.text), result.pairs)
        projected = project(sentence, result.text, pairs, hints=hints, strict=result.strict)
    except (ValueError, IndexError, KeyError, StopIteration) as exc:  # a bug: fall back
        projected = Failed(f"projection error {type(exc).__name__}")
    if not isinstance(projected, Projected):
        return None, projected.reason
    try:
        markdown = ready.protected.restore(projected.markdown)
    except PlaceholderLost:
        return None, "a glossary term was lost"
    stats.placed += len(projected.placed)
    return markdown, ""


#: Projection failures a separate translation of each span's text may mend.
_SPAN_FAILURES = ("no target word is aligned", "two spans overlap")


def _retry_with_hints(
    failed: list[tuple[_Prepared, Aligned, str]],
    engine: Engine,
    stats: WholeStats,
    fresh: dict[str, str],
) -> list[tuple[_Prepared, Aligned, str]]:
    """The second signal (argos' tag injection): translate each span's text of the units
    whose spans found no place on their own, look for it in the sentence's translation,
    and project again. Returns the units that still fail."""
    retry = [f for f in failed if f[2].startswith(_SPAN_FAILURES)]
    if not retry:
        return failed
    texts = [
        r.sentence.text[span.start : span.end] for r, _, _ in retry for span in r.sentence.spans
    ]
    translated = iter(engine.translate(texts))
    stats.engine += len(texts)
    still = [f for f in failed if not f[2].startswith(_SPAN_FAILURES)]
    for ready, result, reason in retry:
        hints = {i: next(translated) for i in range(len(ready.sentence.spans))}
        markdown, why = _carry(ready, result, stats, hints)
        if markdown is None:
            still.append((ready, result, why or reason))
        else:
            fresh[ready.unit.key] = markdown
    return still


def _prepare(unit: Unit, glossary: Glossary, source: str, target: str) -> _Prepared | None:
    """The unit as the engine sees it: glossary terms behind their placeholders too."""
    sentence = unit.sentence
    plain = sentence.text
    protected = glossary.protect(plain, source=source, target=target)
    if not protected.terms:
        return _Prepared(unit, sentence, protected)
    marks = {m.pos: m.text for m in sentence.marks}
    for term in protected.terms:
        for span in sentence.spans:
            if term.start < span.start < term.end or term.start < span.end < term.end:
                return None  # markup inside a term: the term cannot be one placeholder
        for pos in [p for p in marks if term.start < p < term.end]:
            # A line break inside a term moves before it.
            text = marks.pop(pos)
            if term.start == 0 or plain[term.start - 1] != " " or term.start - 1 in marks:
                return None
            marks[term.start - 1] = text

    def shift(pos: int) -> int:
        return pos - sum(t.end - t.start - 1 for t in protected.terms if t.end <= pos)

    literals = [
        InlineLiteral(shift(lit.pos), lit.placeholder, lit.text) for lit in sentence.literals
    ]
    literals += [
        InlineLiteral(shift(t.start), t.placeholder, t.placeholder, term=True)
        for t in protected.terms
    ]
    engine_sentence = Sentence(
        protected.text,
        tuple(Span(shift(s.start), shift(s.end), s.open, s.close, s.kind) for s in sentence.spans),
        tuple(Mark(shift(p), t) for p, t in sorted(marks.items())),
        tuple(sorted(literals, key=lambda lit: lit.pos)),
    )
    if any(protected.text[lit.pos] != lit.placeholder for lit in literals):
        return None
    return _Prepared(unit, engine_sentence, protected)


def unit_pairs(source: Document, twin: Document, blocks: Sequence[int]) -> list[tuple[str, str]]:
    """(source unit, twin unit) Markdown pairs of the given blocks (same index on both
    sides), for the translation memory; a block with unequal counts gives none."""
    by_block: dict[int, list[Unit]] = {}
    for unit in units(source):
        by_block.setdefault(unit.block, []).append(unit)
    twin_by_block: dict[int, list[Unit]] = {}
    for unit in units(twin):
        twin_by_block.setdefault(unit.block, []).append(unit)
    out: list[tuple[str, str]] = []
    for index in blocks:
        mine, theirs = by_block.get(index, []), twin_by_block.get(index, [])
        if len(mine) == len(theirs):
            out += [(a.key, b.key) for a, b in zip(mine, theirs, strict=True)]
    return out


#: Provenance key: source file lines of the sentences translated in pieces.
IN_PIECES_KEY = "in_pieces"


def pieces_lines(
    doc: Document, whole: Mapping[str, str], skip: Mapping[int, str] | frozenset[int]
) -> list[int]:
    """Body lines (1-based) of the units of ``doc`` that ``whole`` lacks: translated in
    pieces (blocks in ``skip`` were kept, not translated)."""
    return sorted(
        {
            doc.body.count("\n", 0, u.start) + 1
            for u in units(doc)
            if u.block not in skip and u.key not in whole
        }
    )


# --------------------------------------------------------------------------------------
# Rendering


def render(
    doc: Document,
    whole: Mapping[str, str],
    fragments: Mapping[str, str],
    *,
    overrides: Mapping[int, str] | None = None,
) -> str:
    """The body with each unit in ``whole`` replaced by its translation, every other
    segment by ``fragments[text]`` (itself when missing), ``overrides[block]`` verbatim."""
    overrides = overrides or {}
    replace: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for unit in units(doc):
        if unit.block in overrides:
            continue
        markdown = whole.get(unit.key)
        if markdown is not None:
            replace.append((unit.start, unit.end, markdown))
            taken.update(unit.segments)
    for block in doc.blocks:
        if block.index in overrides:
            replace.append((block.start, block.end, overrides[block.index]))
            taken.update(block.segments)
    for i, seg in enumerate(doc.segments):
        if i not in taken:
            text = fragments.get(seg.text, seg.text)
            replace.append((seg.start, seg.end, re.sub(r"\r\n?|\n", " ", text)))
    replace.sort()
    out: list[str] = []
    pos = 0
    for start, end, text in replace:
        out.append(doc.body[pos:start])
        out.append(text)
        pos = end
    out.append(doc.body[pos:])
    return "".join(out)
