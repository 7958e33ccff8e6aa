"""A source and its twin, paragraph by paragraph, with what a reviewer must not miss.

The twin is rendered from the source's blocks (:mod:`bilingo.document`), so block *i* of
the twin is the translation of block *i* of the source; when a person added or removed
paragraphs the counts differ and the blocks are aligned by kind and by what survives
translation (numbers, URLs, names).
Each aligned pair is checked for what a reviewer must not miss: a URL, number or link
target that differs, prose left in the source language, a glossary term not followed,
and conflicts the re-translation recorded in the provenance. ``bilingo diff`` and
``bilingo review`` render the values; nothing here prints or writes.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from bilingo import provenance
from bilingo.document import Block, Document, block_mask, markdown, parse, prose_mask
from bilingo.document.walk import read_inline
from bilingo.glossary import Glossary
from bilingo.pairs import Pair
from bilingo.twin_records import Conflict
from bilingo.verdicts import (
    DEFAULT_MIN_CONFIDENCE,
    ParagraphVerdict,
    State,
    twin_verdicts,
    worst,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

FlagKind = Literal[
    "url",
    "number",
    "link",
    "untranslated",
    "glossary",
    "conflict",
    "unmatched",
    "in-pieces",
    "low-confidence",
]
#: How the rows were paired: one to one by block index, or by kind and shared anchors.
Alignment = Literal["blocks", "similarity"]

#: Terminals at least this wide get source and twin side by side.
SIDE_BY_SIDE_MIN = 120


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Flag:
    """One problem a reviewer should look at."""

    kind: FlagKind
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class Term:
    """A glossary form found in a paragraph (``text[start:end]``)."""

    start: int
    end: int
    text: str
    #: "term" (translated as the glossary says) or "keep" (a name left as it is).
    kind: str

    def as_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "kind": self.kind}


@dataclass(frozen=True)
class Row:
    """One aligned pair of paragraphs (either side may be missing)."""

    #: "paragraph", "heading", "table_cell", or "field" for a front-matter value.
    kind: str
    source: str | None
    twin: str | None
    #: 1-based lines in the files (None for front-matter fields and missing sides).
    source_line: int | None = None
    twin_line: int | None = None
    #: Front-matter key for kind "field".
    field: str | None = None
    source_terms: tuple[Term, ...] = ()
    twin_terms: tuple[Term, ...] = ()
    flags: tuple[Flag, ...] = ()
    #: The twin paragraph's (or field's) verdict (bilingo.verdicts), the words check uses;
    #: None when the twin side is missing or bilingo does not track the pair.
    state: State | None = None
    #: The model's confidence in its lowest machine sentence here, when measured, and
    #: which of the paragraph's sentences that is.
    score: float | None = None
    sentence: int = 0
    #: Each side's markdown-it inline tokens, one tuple per block (a table row: per cell),
    #: from the body's one parse, where asked for (``diff_pair(inline=True)``); a field's
    #: are never kept.
    source_inline: tuple[tuple[Token, ...], ...] = dataclasses.field(
        default=(), compare=False, repr=False
    )
    twin_inline: tuple[tuple[Token, ...], ...] = dataclasses.field(
        default=(), compare=False, repr=False
    )

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "state": self.state,
            "score": self.score,
            "field": self.field,
            "source": self.source,
            "twin": self.twin,
            "source_line": self.source_line,
            "twin_line": self.twin_line,
            "source_terms": [t.as_dict() for t in self.source_terms],
            "twin_terms": [t.as_dict() for t in self.twin_terms],
            "flags": [f.as_dict() for f in self.flags],
        }


def _row(
    kind: str,
    source: str | None,
    twin: str | None,
    source_line: int | None,
    twin_line: int | None,
    field: str | None,
    source_terms: tuple[Term, ...],
    twin_terms: tuple[Term, ...],
    flags: tuple[Flag, ...],
    state: State | None,
    score: float | None,
    sentence: int,
    source_inline: tuple[tuple[Token, ...], ...],
    twin_inline: tuple[tuple[Token, ...], ...],
) -> Row:
    """``Row(...)`` with every field given, the same object: a frozen dataclass's
    ``__init__`` sets each of its 14 fields through ``object.__setattr__``, where filling
    the new instance's dict at once costs a fraction (a row per paragraph of every page)."""
    row = object.__new__(Row)
    row.__dict__.update(
        kind=kind,
        source=source,
        twin=twin,
        source_line=source_line,
        twin_line=twin_line,
        field=field,
        source_terms=source_terms,
        twin_terms=twin_terms,
        flags=flags,
        state=state,
        score=score,
        sentence=sentence,
        source_inline=source_inline,
        twin_inline=twin_inline,
    )
    return row


@dataclass(frozen=True)
class ArticleDiff:
    source: Path
    twin: Path
    source_lang: str
    target_lang: str
    alignment: Alignment
    rows: tuple[Row, ...]
    #: Problems that belong to no single paragraph (reference links, unplaced conflicts).
    flags: tuple[Flag, ...] = ()

    @property
    def all_flags(self) -> tuple[Flag, ...]:
        return self.flags + tuple(f for r in self.rows for f in r.flags)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.kind for f in self.all_flags).items()))

    @property
    def exit_code(self) -> int:
        return 1 if self.all_flags else 0

    def as_dict(self) -> dict[str, object]:
        return {
            "source": str(self.source),
            "twin": str(self.twin),
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "alignment": self.alignment,
            "rows": [r.as_dict() for r in self.rows],
            "flags": [f.as_dict() for f in self.flags],
            "counts": self.counts(),
            "ok": self.exit_code == 0,
        }


# --------------------------------------------------------------------------- alignment


def align(
    source: Sequence[tuple[str, str]], twin: Sequence[tuple[str, str]]
) -> list[tuple[int | None, int | None]]:
    """Pairs of indices (source, twin) of (kind, text) items; None where one side has none.

    Equal counts pair one to one: the twin is rendered from the source's blocks. Other
    counts mean a person added or removed paragraphs; then an optimal global alignment
    (Needleman-Wunsch, no gap cost) pairs items of the same kind sharing the most anchors
    (numbers, URLs, capitalised names), which survive translation where words do not.
    """
    n, m = len(source), len(twin)
    if n == m:
        return [(i, i) for i in range(n)]
    s_anchors = [_anchors(text) for _, text in source]
    t_anchors = [_anchors(text) for _, text in twin]

    def similarity(i: int, j: int) -> float:
        same_kind = 1.0 if source[i][0] == twin[j][0] else 0.2
        a, b = s_anchors[i], t_anchors[j]
        return same_kind + (len(a & b) / len(a | b) if a or b else 0.0)

    # best[i][j]: the best score aligning source[i:] with twin[j:].
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j + 1] + similarity(i, j), best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if best[i][j] == best[i + 1][j + 1] + similarity(i, j):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return pairs


_ANCHOR_RE = re.compile(r"\d+|https?://\S+|\b[^\W\d_][\w-]*\.[a-z]{2,}\S*|\b[A-ZÆØÅ][\w-]+")


def _anchors(text: str) -> frozenset[str]:
    return frozenset(_ANCHOR_RE.findall(text))


# --------------------------------------------------------------------------- what a paragraph holds


class _Facts(NamedTuple):
    """What must survive translation unchanged, and the prose around it. (A tuple: two
    are made per row, and a frozen dataclass costs three times as much to build.)"""

    links: tuple[str, ...]
    urls: tuple[str, ...]
    numbers: tuple[str, ...]
    prose: str


_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"`]+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_URL_TRAILING = ".,:;!?'\"*_~»”’)"
# "\d\d*", not "\d+": a pattern opening with a character class is scanned for it, where a
# repeat is tried as a match at every position (findall runs on both sides of every row).
_NUMBER_RE = re.compile(r"\d\d*")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


#: A paragraph without any of these is plain text to markdown-it: no parse needed.
_MARKUP_RE = re.compile(r"[\\`*_\[\]<>!&~{}|^:=$]")


def _read(text: str, refs: Mapping[str, str]) -> tuple[tuple[str, ...], str]:
    """What a reader gets of a text outside any body (a front-matter value): its link
    targets and its text (:attr:`bilingo.document.Block.plain`)."""
    if _MARKUP_RE.search(text) is None:  # line breaks read as spaces, as parsed
        return (), re.sub(r"[ \t]*\n[ \t]*", " ", text.strip())
    # The body's reference definitions resolve [text][label] links inside it.
    env: dict[str, Any] = {
        "references": {k.upper(): {"href": v, "title": ""} for k, v in refs.items()}
    }
    targets: list[str] = []
    prose: list[str] = []
    # One leaf block's inline content: no block structure to parse.
    for token in markdown().parseInline(text, env):
        if token.type == "inline":
            found, read = read_inline(token.children or [])
            targets += found
            prose.append(read)
    return tuple(targets), "".join(prose)


def _facts_of(links: tuple[str, ...], text: str) -> _Facts:
    """What must survive in the text a reader gets (``Block.plain``), with its link targets."""
    if "://" not in text and "www." not in text and "@" not in text:
        return _Facts(links, (), tuple(_NUMBER_RE.findall(text)), text)  # no URL can match
    urls = [m.group().rstrip(_URL_TRAILING) for m in _URL_RE.finditer(text)]
    rest = _URL_RE.sub(" ", text)
    return _Facts(links, tuple(urls), tuple(_NUMBER_RE.findall(rest)), rest)


def looks_like_prose(text: str) -> bool:
    """True for text a translator must have touched: two or more lower-case words.

    Names ("Norwegian Fashion Hub"), codes, numbers and URLs alone stay the same in both
    languages, so an identical copy of them is no problem.
    """
    found = 0
    for word in _WORD_RE.finditer(text):  # most prose tells in its first words
        if text[word.start()].islower():
            found += 1
            if found == 2:
                return True
    return False


def _differences(what: str, source: Sequence[str], twin: Sequence[str]) -> str | None:
    if source == twin:
        return None
    missing = Counter(source) - Counter(twin)
    extra = Counter(twin) - Counter(source)
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append(f"the source has {_listing(missing)} that the twin lacks")
    if extra:
        parts.append(f"the twin has {_listing(extra)} that the source lacks")
    return f"{what} differ: " + "; ".join(parts)


def _listing(items: Counter[str]) -> str:
    return ", ".join(sorted(items.elements()))


class _Unit(NamedTuple):
    """What one row shows of one side: a block, a whole table row of cells, or a field.
    (A tuple: one is made per block of each body, and a frozen dataclass costs three
    times as much to build.)"""

    kind: str
    text: str
    line: int
    key: str
    #: What a reader gets of it: link targets and text (``Block.targets``, ``Block.plain``).
    targets: tuple[str, ...]
    plain: str
    #: The body's parse and the blocks shown (a table row: its cells); none for a field.
    doc: Document | None = None
    blocks: tuple[Block, ...] = ()

    @property
    def facts(self) -> _Facts:
        # Read once per row (paragraph_flags): a cached_property's lock would cost more.
        return _facts_of(self.targets, self.plain)

    def mask(self, dialects: Sequence[str] | None) -> str:
        """``prose_mask(text)``, read off the body's parse where there is one (a field's is
        parsed, with the site's ``dialects``)."""
        if self.doc is None:
            return prose_mask(self.text, dialects=dialects)
        return "   ".join(block_mask(self.doc, b) for b in self.blocks)  # pipes are no prose

    @property
    def tokens(self) -> tuple[tuple[Token, ...], ...]:
        """Its blocks' inline tokens (:attr:`bilingo.document.Block.tokens`), where kept."""
        if self.doc is None or not self.doc.tokens:
            return ()
        blocks = self.blocks
        return (blocks[0].tokens,) if len(blocks) == 1 else tuple(b.tokens for b in blocks)

    def terms(
        self, glossary: Glossary, lang: str, dialects: Sequence[str] | None
    ) -> tuple[Term, ...]:
        if not self.text or not glossary.entries:
            return ()
        # A field's mask is made only if need be (terms_in skips plain text without terms).
        mask = self.mask(dialects) if self.doc is not None else None
        return terms_in(self.text, glossary=glossary, lang=lang, dialects=dialects, mask=mask)


def _field_unit(key: str, value: str, refs: Mapping[str, str]) -> _Unit:
    return _Unit("field", value, 0, key, *_read(value, refs))


def _prose_of(plain: str) -> str:
    """:attr:`_Facts.prose` of the text a reader gets, without the rest of its facts."""
    if "://" not in plain and "www." not in plain and "@" not in plain:
        return plain
    return _URL_RE.sub(" ", plain)


@functools.cache  # one per language: a copied page has it on nearly every row
def _untranslated(lang: str) -> Flag:
    return Flag("untranslated", f"identical to the source: still in {lang}")


def paragraph_flags(
    source: _Unit,
    twin: _Unit,
    *,
    glossary: Glossary,
    source_lang: str,
    target_lang: str,
    dialects: Sequence[str] | None,
) -> list[Flag]:
    """The problems of one aligned paragraph pair (Markdown of the site's ``dialects``)."""
    flags: list[Flag] = []
    # The facts are a function of what a reader gets: where that is the same (a copy, a
    # name kept), no link, URL or number can differ, and neither side's need be read.
    if source.targets != twin.targets or source.plain != twin.plain:
        src, tw = source.facts, twin.facts
        checks: tuple[tuple[FlagKind, str, tuple[str, ...], tuple[str, ...]], ...] = (
            ("link", "link targets", src.links, tw.links),
            ("url", "URLs", src.urls, tw.urls),
            ("number", "numbers", src.numbers, tw.numbers),
        )
        for kind, what, a, b in checks:
            detail = _differences(what, a, b)
            if detail is not None:
                flags.append(Flag(kind, detail))
    if source.text.strip() == twin.text.strip() and looks_like_prose(_prose_of(source.plain)):
        # Every glossary term of an untranslated paragraph is missed too: one flag says it.
        flags.append(_untranslated(source_lang))
        return flags
    if not glossary.entries or source_lang == target_lang:
        return flags
    misses = glossary.check(
        source.text,
        twin.text,
        source=source_lang,
        target=target_lang,
        dialects=dialects,
        masks=(source.mask(dialects), twin.mask(dialects)),
    )
    for miss in misses:
        if miss.term == miss.expected:
            detail = f"the name {miss.term!r} should appear in the twin as it is"
        else:
            detail = f"{miss.term!r} should be translated as {miss.expected!r}"
        if miss.found is not None:
            detail += f", but the twin still has {miss.found!r}"
        flags.append(Flag("glossary", detail))
    return flags


def terms_in(
    text: str,
    *,
    glossary: Glossary,
    lang: str,
    dialects: Sequence[str] | None,
    mask: str | None = None,
) -> tuple[Term, ...]:
    """Glossary forms in ``text``'s prose (what the engine sees: not in link targets, URLs,
    tags, code or shortcodes; Markdown of the site's ``dialects``); ``mask``: its
    :func:`bilingo.document.prose_mask`, when known."""
    if not glossary.entries:
        return ()
    if mask is None:
        plain = _MARKUP_RE.search(text) is None and _URL_RE.search(text) is None
        if plain and not glossary.matches(text, lang=lang):
            return ()  # nothing to blank in plain text: no match in it, none in its prose
        # Blanked to the same length: offsets still index ``text``.
        mask = prose_mask(text, dialects=dialects)
    return tuple(
        Term(m.start(), m.end(), m.group(), entry.kind)
        for m, entry, _form in glossary.matches(mask, lang=lang)
    )


def units(doc: Document) -> list[_Unit]:
    """The blocks of a parsed body in order; the cells of one table row become one unit.
    Each carries its facts and prose mask from that one parse."""
    groups: list[list[Block]] = []
    for b in doc.blocks:
        last = groups[-1][0] if groups else None
        if b.kind == "table_cell" and last and last.kind == "table_cell" and last.line == b.line:
            groups[-1].append(b)
        else:
            groups.append([b])
    out: list[_Unit] = []
    for cells in groups:
        b = cells[0]
        kind = "table_row" if b.kind == "table_cell" else b.kind
        key = f"{kind}/{'/'.join(b.containers)}"
        if len(cells) == 1:
            out.append(_Unit(kind, b.text, b.line, key, b.targets, b.plain, doc, (b,)))
            continue
        targets = tuple(t for c in cells for t in c.targets)
        text, plain = " | ".join(c.text for c in cells), " | ".join(c.plain for c in cells)
        out.append(_Unit(kind, text, b.line, key, targets, plain, doc, tuple(cells)))
    return out


# --------------------------------------------------------------------------- the article diff


def diff_pair(
    pair: Pair,
    *,
    glossary: Glossary,
    fields: Sequence[str],
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    inline: bool = False,
    dialects: Sequence[str] | None,
) -> ArticleDiff:
    """Align ``pair`` paragraph by paragraph, flag each pair's problems and give each twin
    paragraph its verdict (bilingo.verdicts: the same as ``check``'s), its bodies read with
    the site's ``dialects``. ``inline``: the rows carry their inline tokens
    (:attr:`Row.source_inline`), to render them."""
    source, twin = pair.source, pair.twin
    src_lang, tgt_lang = pair.source_lang, pair.target_lang
    # Each body parsed once (the same parse judging the pair used): its blocks, their
    # facts and prose, its reference definitions.
    s_doc = parse(source.body, dialects=dialects, tokens=inline)
    t_doc = parse(twin.body, dialects=dialects, tokens=inline)
    src_refs, twin_refs = dict(s_doc.definitions), dict(t_doc.definitions)
    prov = provenance.read(twin)
    # Each twin paragraph's verdict (the same as check's), placed as its row is made.
    placed = _Placed(
        twin_verdicts(
            twin,
            prov,
            fields,
            source=source,
            min_confidence=min_confidence,
            doc=t_doc,
            dialects=dialects,
        )
        if prov is not None and prov.is_twin
        else ()
    )

    terms = bool(glossary.entries)  # no glossary: no row has terms (asked once a page)

    def make_row(
        s: _Unit | None,
        t: _Unit | None,
        s_line: int | None,
        t_line: int | None,
        field: str | None = None,
    ) -> Row:
        flags: list[Flag] = []
        if s is not None and t is not None:
            flags = paragraph_flags(
                s,
                t,
                glossary=glossary,
                source_lang=src_lang,
                target_lang=tgt_lang,
                dialects=dialects,
            )
        elif s is not None:
            flags = [Flag("unmatched", "no paragraph in the twin matches this one")]
        else:
            flags = [Flag("unmatched", "this twin paragraph matches none in the source")]
        state, score, sentence = placed.at(field, t_line)
        s_tokens = s.tokens if s else ()
        # A twin body that is its source's: the same unit, its tokens the very same tuple.
        t_tokens = s_tokens if t is s else t.tokens if t else ()
        return _row(
            s.kind if s else t.kind if t else "paragraph",
            s.text if s else None,
            t.text if t else None,
            s_line,
            t_line,
            field,
            s.terms(glossary, src_lang, dialects) if s and terms else (),
            t.terms(glossary, tgt_lang, dialects) if t and terms else (),
            tuple(flags),
            state,
            score,
            sentence,
            s_tokens,
            t_tokens,
        )

    rows: list[Row] = []
    for key in fields:
        s_value, t_value = source.meta.get(key), twin.meta.get(key)
        if isinstance(s_value, str) or isinstance(t_value, str):
            rows.append(
                make_row(
                    _field_unit(key, s_value, src_refs) if isinstance(s_value, str) else None,
                    _field_unit(key, t_value, twin_refs) if isinstance(t_value, str) else None,
                    None,
                    None,
                    field=key,
                )
            )
    s_blocks = units(s_doc)
    # A twin body the same as its source's is the very same parse (remembered): its units
    # too (immutable tuples).
    t_blocks = s_blocks if t_doc is s_doc else units(t_doc)
    pairs = align([(b.key, b.text) for b in s_blocks], [(b.key, b.text) for b in t_blocks])
    for i, j in pairs:
        sb = s_blocks[i] if i is not None else None
        tb = t_blocks[j] if j is not None else None
        rows.append(
            make_row(
                sb,
                tb,
                source.body_line + sb.line - 1 if sb else None,
                twin.body_line + tb.line - 1 if tb else None,
            )
        )

    article_flags: list[Flag] = []
    for label in sorted(set(src_refs) | set(twin_refs)):
        a, b = src_refs.get(label), twin_refs.get(label)
        if a != b:
            article_flags.append(
                Flag(
                    "link",
                    f"reference [{label}] points to {a or 'nothing'} in the source but to "
                    f"{b or 'nothing'} in the twin",
                )
            )
    rows, unplaced = _place_conflicts(rows, prov.conflicts if prov is not None else ())
    article_flags += unplaced
    rows = _place_pieces(rows, prov.in_pieces if prov is not None else ())
    rows = placed.low_flags(rows)
    return ArticleDiff(
        source=source.path,
        twin=twin.path,
        source_lang=src_lang,
        target_lang=tgt_lang,
        alignment="blocks" if len(s_blocks) == len(t_blocks) else "similarity",
        rows=tuple(rows),
        flags=tuple(article_flags),
    )


class _Placed:
    """The twin's verdicts by where they apply (a front-matter field, a twin line): each row
    takes its paragraph's (a table row: its cells' most urgent), and a flag where the model
    was unsure of it."""

    def __init__(self, verdicts: Sequence[ParagraphVerdict]) -> None:
        self.by_line: dict[int, list[ParagraphVerdict]] = {}
        self.by_field: dict[str, list[ParagraphVerdict]] = {}
        for v in verdicts:
            if v.field is not None:
                self.by_field.setdefault(v.field, []).append(v)
            elif v.line is not None:
                self.by_line.setdefault(v.line, []).append(v)
        self.any_low = any(v.state == "low-confidence" for v in verdicts)

    def _found(self, field: str | None, twin_line: int | None) -> list[ParagraphVerdict]:
        if field is not None:
            return self.by_field.get(field, [])
        return self.by_line.get(twin_line, []) if twin_line is not None else []

    def at(
        self, field: str | None, twin_line: int | None
    ) -> tuple[State | None, float | None, int]:
        """(state, lowest score, its sentence) of the row at ``field`` or ``twin_line``."""
        found = self._found(field, twin_line)
        if len(found) == 1:  # a paragraph's own verdict (a table row's are its cells')
            v = found[0]
            return (v.state, v.score, v.sentence) if v.score is not None else (v.state, None, 0)
        state = worst(found)
        if state is None:
            return None, None, 0
        lowest = min(
            (v for v in found if v.score is not None), key=lambda v: v.score or 0.0, default=None
        )
        return state, (lowest.score if lowest else None), (lowest.sentence if lowest else 0)

    def low_flags(self, rows: list[Row]) -> list[Row]:
        """``rows`` with the low-confidence flag last on each row whose paragraph has one."""
        if not self.any_low:  # most twins: no row to look at
            return rows
        out = rows
        for k, row in enumerate(rows):
            found = self._found(row.field, row.twin_line) if row.state is not None else []
            low = next((v for v in found if v.state == "low-confidence"), None)
            if low is not None:
                if out is rows:
                    out = list(rows)
                out[k] = replace(row, flags=(*row.flags, Flag("low-confidence", low.detail)))
        return out


def _place_pieces(rows: list[Row], lines: Sequence[int]) -> list[Row]:
    """Flag the paragraph of each sentence that ``translate --inline whole`` translated in
    pieces (its markup could not be carried across whole): the wording may suffer."""
    out = list(rows)
    for line in lines:
        at = [k for k, r in enumerate(out) if r.source_line is not None and r.source_line <= line]
        if at:
            k = max(at, key=lambda i: out[i].source_line or 0)
            flag = Flag(
                "in-pieces",
                f"the sentence on line {line} was translated in pieces (its inline markup could "
                "not be carried across whole): check its wording",
            )
            out[k] = replace(out[k], flags=(*out[k].flags, flag))
    return out


def _place_conflicts(
    rows: list[Row], conflicts: Sequence[Conflict]
) -> tuple[list[Row], list[Flag]]:
    """Attach each recorded conflict to the paragraph (or field) it names, if any."""
    unplaced: list[Flag] = []
    extra: dict[int, list[Flag]] = {}
    for item in conflicts:
        flag = Flag("conflict", item.message())
        target = None
        for k, row in enumerate(rows):
            if (item.line is not None and row.source_line == item.line) or (
                item.field is not None and row.field == item.field
            ):
                target = k
                break
        if target is None:
            unplaced.append(flag)
        else:
            extra.setdefault(target, []).append(flag)
    out = [
        replace(r, flags=r.flags + tuple(extra[k])) if k in extra else r for k, r in enumerate(rows)
    ]
    return out, unplaced
