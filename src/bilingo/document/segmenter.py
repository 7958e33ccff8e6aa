"""Segmenting: a body -> the :class:`Document` of its prose segments and blocks, with exact
offsets so that ``render([s.text for s in segments]) == body``.

1. Line endings are normalised as markdown-it does (``\\r\\n``/``\\r`` → ``\\n``,
   NUL → U+FFFD); removed ``\\r`` positions are remembered to map offsets back.
2. markdown-it-py parses the body (:mod:`bilingo.document.parser`). The dialects' block
   rules record where each line (or cell) of an inline token's ``content`` lies in the
   source (:mod:`bilingo.document.sourcemap`), so container prefixes (``> ``, list
   indentation) never become text. The link, image, autolink and code-span rules record the
   source extent they consumed.
3. The inline children are walked in order (:mod:`bilingo.document.walk`). Text tokens are
   verbatim source (``text_join`` is off, so escapes and entities stay separate tokens),
   every other token is skipped by its markup or recorded extent, so text is never looked
   for inside a URL or a title.
4. Text runs lose the dialects' literal spans (:mod:`bilingo.document.literals`), then are
   cut at whitespace and sentence ends (:mod:`bilingo.document.sentences`).

Each step is checked against markdown-it's token contents; a block whose mapping cannot be
proven is left literal (untranslated beats corrupted).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from markdown_it.token import Token

from bilingo.document.dialects import Dialect, resolve
from bilingo.document.literals import literal_ranges
from bilingo.document.model import Block, Document, NestingError, Segment
from bilingo.document.parser import body_parser
from bilingo.document.sentences import LETTER_RE, prose_spans
from bilingo.document.sourcemap import LITERAL, META, Source, Span
from bilingo.document.walk import (
    InlineWalker,
    Mismatch,
    Run,
    carve,
    merge,
    merge_runs,
    read_inline,
)
from bilingo.errors import BilingoError


def segment(
    body: str,
    *,
    dialects: Sequence[str] | None = None,
    strict: bool = False,
    tokens: bool = False,
) -> Document:
    """Segment a Markdown body (front matter already removed), read with ``dialects``: the
    site's (:attr:`bilingo.layout.Pairing.dialects`); None, the default, every registered
    one, as for a plain folder, whose generator is unknown. ``strict`` raises
    :class:`Mismatch` where a block would be left literal (for tests); ``tokens`` keeps each
    block's markdown-it inline tokens (:attr:`Block.tokens`)."""
    try:
        return _segment(body, resolve(dialects), strict=strict, tokens=tokens)
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
    builder = Builder(text, text, array("q"))
    builder.add_plain(text)
    return builder.document()


class Builder:
    def __init__(
        self, body: str, norm: str, removed_cr: array[int], dialects: tuple[Dialect, ...] = ()
    ) -> None:
        self.dialects = dialects
        self.body = body
        self.norm = norm
        self.removed_cr = removed_cr  # normalised offsets whose "\n" was "\r\n"
        self.segments: list[Segment] = []
        self.blocks: list[Block] = []
        self.references: list[tuple[int, int, int, int]] = []
        self.definitions: tuple[tuple[str, str], ...] = ()
        self.keep_tokens = False  # Block.tokens

    def _orig(self, pos: int) -> int:
        return pos + bisect_left(self.removed_cr, pos) if self.removed_cr else pos

    def add_inline(
        self,
        tok: Token,
        source: Source,
        containers: tuple[str, ...],
        walker: InlineWalker,
    ) -> None:
        content = tok.content
        children = tok.children or []
        walker.events = []
        walker.references = []
        read: tuple[tuple[str, ...], str]
        if len(children) == 1 and children[0].type == "text" and children[0].content == content:
            # One text token that is the whole content (the parser's plain path, a line of
            # text): the walk would find one run of it and nothing else, the reader its text.
            runs = [Run(0, len(content), source.kind)]
            read = ((), content)
        else:
            walker.runs = []
            end = walker.walk(children, content, 0, 0, len(content), source.kind)
            if end != len(content):
                raise Mismatch(f"inline walk stopped at {end} of {len(content)}")
            runs = merge_runs(walker.runs)
            read = read_inline(children)
        found = literal_ranges(content, runs, self.dialects)
        literals = merge(found + list(source.literals)) if found or source.literals else []
        carved = list(carve(runs, literals)) if literals else runs
        spans = source.spans
        span_starts = [span.cstart for span in spans]
        removed_cr, norm, body = self.removed_cr, self.norm, self.body
        size = len(content)
        # Inlined (no closures, no per-run calls): this loop runs for every text run.
        pending: list[tuple[int, int, int, str]] = []  # body start, end, line, kind
        structure: list[tuple[str, int, int, str]] = []
        for run in carved:
            run_start, run_end = run.start, run.end
            span = spans[bisect_right(span_starts, run_start) - 1]
            if not span.cstart <= run_start < span.cend:
                raise Mismatch(f"content offset {run_start} is not mapped")
            if run_end > span.cend:
                raise Mismatch(f"text run {run_start}:{run_end} crosses a line")
            start, stop = run_start + span.delta, run_end + span.delta
            if norm[start:stop] != content[run_start:run_end]:
                raise Mismatch(f"text run {run_start}:{run_end} is not at {start}")
            # A run holds no newline, so no "\r" inside.
            ostart = start + bisect_left(removed_cr, start) if removed_cr else start
            oend = ostart + stop - start
            line, kind = span.line + 1, run.kind
            for a, b in prose_spans(body, ostart, oend):
                if LETTER_RE.search(body, a, b):
                    pending.append((a, b, line, kind))
            # The run lies inside one span, so its ends map as _body_at maps them.
            structure.append(("text", ostart, oend, kind))
        first, last = _span_at(spans, span_starts, 0), _span_at(spans, span_starts, size - 1)
        if walker.events or walker.references:
            at = (spans, span_starts, size, removed_cr)
            for what, start, stop, name in walker.events:
                structure.append(
                    (what, _body_at(*at, start, False), _body_at(*at, stop, True), name)
                )
            references = [
                (
                    len(self.blocks),
                    _body_at(*at, a, False),
                    _body_at(*at, b, True),
                    _body_at(*at, c, True),
                )
                for a, b, c in walker.references
            ]
            self.references += references
        structure.sort(key=_BY_POSITION)
        self._add_block(
            source.kind,
            self._orig(first.delta),
            self._orig(size + last.delta),
            first.line + 1,
            pending,
            containers,
            tuple(structure),
            read,
            tuple(children) if self.keep_tokens else (),
        )

    def add_plain(self, text: str) -> None:
        pending = []
        line, counted = 1, 0
        for a, b in prose_spans(text, 0, len(text)):
            line, counted = line + text.count("\n", counted, a), a
            if LETTER_RE.search(text, a, b):
                pending.append((a, b, line, "text"))
        plain = ((), re.sub(r"[ \t]*\n[ \t]*", " ", text.strip()))  # line breaks read as spaces
        self._add_block("text", 0, len(text), 1, pending, (), (), plain, ())

    def _add_block(
        self,
        kind: str,
        start: int,
        end: int,
        line: int,
        pending: list[tuple[int, int, int, str]],
        containers: tuple[str, ...],
        inline: tuple[tuple[str, int, int, str], ...],
        read: tuple[tuple[str, ...], str],
        tokens: tuple[Token, ...],
    ) -> None:
        index = len(self.blocks)
        first = len(self.segments)
        for a, b, seg_line, seg_kind in pending:
            self.segments.append(Segment(self.body[a:b], index, seg_line, seg_kind, a, b))
        self.blocks.append(
            Block(
                index, kind, start, end, line, tuple(range(first, len(self.segments))),
                self.body[start:end], containers, inline, *read, tokens,
            )
        )  # fmt: skip

    def document(self) -> Document:
        return Document(
            self.body,
            tuple(self.segments),
            tuple(self.blocks),
            tuple(self.references),
            self.definitions,
            self.keep_tokens,
        )


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


_BY_POSITION = itemgetter(1, 2)


def _span_at(spans: Sequence[Span], starts: list[int], pos: int) -> Span:
    span = spans[bisect_right(starts, pos) - 1]
    if not span.cstart <= pos < span.cend:
        raise Mismatch(f"content offset {pos} is not mapped")
    return span


def _body_at(
    spans: Sequence[Span], starts: list[int], size: int, removed_cr: array[int], pos: int, end: bool
) -> int:
    """Body offset of content offset ``pos``: of the character there (a start), or just after
    the character before it (an end); the other way where that one is not mapped (a
    newline, a line's end)."""
    at = before = None
    if 0 <= pos < size:
        span = spans[bisect_right(starts, pos) - 1]
        if span.cstart <= pos < span.cend:
            at = pos + span.delta
    if 0 <= pos - 1 < size:
        span = spans[bisect_right(starts, pos - 1) - 1]
        if span.cstart <= pos - 1 < span.cend:
            before = pos - 1 + span.delta
    if (end or at is None) and before is not None:
        return (before + bisect_left(removed_cr, before) if removed_cr else before) + 1
    if at is None:
        raise Mismatch(f"content offset {pos} is not mapped")
    return at + bisect_left(removed_cr, at) if removed_cr else at


class _EveryLabel(dict[str, Any]):
    """Reference definitions where every label is defined: ``[anything]`` reads as a link."""

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key) or {"href": "", "title": ""}


def _segment(
    body: str,
    dialects: tuple[Dialect, ...],
    *,
    strict: bool,
    every_label: bool = False,
    tokens: bool = False,
) -> Document:
    norm, removed_cr = _normalize(body)
    md = body_parser(dialects, norm)
    opening = {name: what for d in dialects for name, what in d.containers.items()}
    closing = frozenset(name.removesuffix("_open") + "_close" for name in opening)
    env: dict[str, Any] = {"references": _EveryLabel()} if every_label else {}
    parsed = md.parse(norm, env)
    builder = Builder(body, norm, removed_cr, dialects)
    builder.keep_tokens = tokens
    if not every_label:
        # markdown-it keys them by the label upper-cased (they match case-insensitively).
        found = env.get("references", {})
        builder.definitions = tuple(
            (str(k).lower(), str(v.get("href", ""))) for k, v in found.items()
        )
    walker = InlineWalker()
    containers: list[str] = []
    for tok in parsed:
        if tok.type in opening:
            containers.append(opening[tok.type])
        elif tok.type in closing:
            containers.pop()
        elif tok.type == "inline" and tok.content:
            source = tok.meta.get(META)
            if not isinstance(source, Source):
                if strict and not tok.meta.get(LITERAL):
                    raise Mismatch(f"no source map for inline token at line {tok.map}")
                continue
            try:
                builder.add_inline(tok, source, tuple(containers), walker)
            except Mismatch:
                if strict:
                    raise
                # Leave the block literal: untranslated beats corrupted.
    return builder.document()


#: Characters of inline Markdown in a front-matter value: code spans, emphasis, links, HTML.
_INLINE_MARKUP = re.compile(r"[`*_\[<]")


def segment_field(value: str, *, dialects: Sequence[str] | None = None) -> Document:
    """Segment a front-matter value: inline Markdown when it holds any (``description:
    Run `hugo server` to [preview](/p)``: the code span literal, the link kept), read with
    ``dialects`` as :func:`segment` reads, else plain prose (:func:`segment_text`)."""
    if _INLINE_MARKUP.search(value) is None:
        return segment_text(value)
    try:
        return segment(value, dialects=dialects)
    except BilingoError:
        return segment_text(value)


#: Larger bodies are segmented each time they are asked for, never kept.
_PARSE_CACHE_MAX = 256 * 1024


_PARSE_CACHE_SIZE = 64
_parsed: OrderedDict[tuple[str, tuple[str, ...] | None], Document] = OrderedDict()


def parse(body: str, *, dialects: Sequence[str] | None = None, tokens: bool = False) -> Document:
    """:func:`segment` (``dialects`` as it takes them), remembered for the last bodies: one
    translate job asks for the same source (plan, language, seal) and twin (merge,
    provenance) several times, ``bilingo review`` for its flags, verdicts and rendering.
    ``tokens``: with :attr:`Block.tokens` (kept only where asked for: they take 1.5 times
    the memory of the rest); a body remembered with them serves every later ask."""
    key = (body, None if dialects is None else tuple(dialects))
    if len(body) > _PARSE_CACHE_MAX:
        return segment(body, dialects=key[1], tokens=tokens)
    doc = _parsed.get(key)
    if doc is not None and (doc.tokens or not tokens):
        _parsed.move_to_end(key)
        return doc
    doc = segment(body, dialects=key[1], tokens=tokens)
    remember(body, doc, dialects=key[1])
    return doc


def remember(body: str, doc: Document, *, dialects: Sequence[str] | None = None) -> None:
    """Keep ``doc``, :func:`parse` of ``body`` (``dialects``), as the last body remembered:
    :func:`parse` keeps each it makes; a caller that parsed a body long before it asks
    again (``bilingo review`` detects languages first, then judges each pair) puts it back
    instead of having it made twice."""
    if len(body) <= _PARSE_CACHE_MAX:
        key = (body, None if dialects is None else tuple(dialects))
        _parsed[key] = doc
        _parsed.move_to_end(key)
        if len(_parsed) > _PARSE_CACHE_SIZE:
            _parsed.popitem(last=False)


def prose_mask(text: str, *, dialects: Sequence[str] | None = None) -> str:
    """``text`` with everything that is not prose (no segment) blanked to spaces, newlines
    kept, so offsets still index ``text``: what the engine sees, and nothing else.

    A term inside a shortcode, code or a link target is never translated, so it must not
    be looked for either (``bilingo glossary check``, ``bilingo diff``). ``dialects``: as
    :func:`segment` takes them.
    """
    try:
        doc = parse(text, dialects=dialects)
    except BilingoError:  # nested too deeply to segment: nothing of it is translated
        return _BLANK_RE.sub(" ", text)
    return _masked(text, 0, doc.segments)


def block_mask(doc: Document, block: Block) -> str:
    """:func:`prose_mask` of ``block.text``, read off the body's parse (no parse of its own)."""
    return _masked(block.text, block.start, [doc.segments[i] for i in block.segments])


_BLANK_RE = re.compile(r"[^\n]")


def _masked(text: str, offset: int, segments: Sequence[Segment]) -> str:
    """``text`` (at ``offset`` of the body) blanked but for ``segments``."""
    out: list[str] = []
    pos = 0
    for seg in segments:
        out.append(_BLANK_RE.sub(" ", text[pos : seg.start - offset]))
        out.append(seg.text)
        pos = seg.end - offset
    out.append(_BLANK_RE.sub(" ", text[pos:]))
    return "".join(out)


def relabel(source: Document, twin_body: str, *, dialects: Sequence[str] | None) -> str:
    """``twin_body`` (``source`` translated) with each shortcut or collapsed reference link
    whose text changed written as a full one, ``[translated][label]``, the label the source's
    byte for byte: the translated text is no key to a definition. Links are matched in order
    within each block, reading every ``[…]`` as a link on both sides; a block where they do
    not line up is left as it is. ``dialects``: those ``source`` was read with."""
    if not source.references:
        return twin_body
    real = {(block, start) for block, start, _, _ in source.references}
    chosen = resolve(dialects)
    every = _segment(source.body, chosen, strict=False, every_label=True)
    twin = _segment(twin_body, chosen, strict=False, every_label=True)
    if len(every.blocks) != len(twin.blocks):
        return twin_body
    theirs: dict[int, list[tuple[int, int, int]]] = {}
    for block, start, label_end, end in twin.references:
        theirs.setdefault(block, []).append((start, label_end, end))
    edits: list[tuple[int, int, str]] = []
    by_block: dict[int, list[tuple[int, int, int]]] = {}
    for block, start, label_end, end in every.references:
        by_block.setdefault(block, []).append((start, label_end, end))
    for block, links in by_block.items():
        other = theirs.get(block, [])
        if len(other) != len(links):
            continue
        for (start, label_end, _), (t_start, t_label_end, t_end) in zip(links, other, strict=True):
            label = source.body[start + 1 : label_end]
            if (block, start) in real and twin_body[t_start + 1 : t_label_end] != label:
                edits.append((t_label_end, t_end, f"][{label}]"))
    out: list[str] = []
    pos = 0
    for start, end, text in sorted(edits):
        out += [twin_body[pos:start], text]
        pos = end
    out.append(twin_body[pos:])
    return "".join(out)
