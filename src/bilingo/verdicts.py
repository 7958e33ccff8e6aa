"""One verdict per paragraph and field of a twin: what ``check``, ``diff`` and ``review`` call it.

A twin's provenance records, per paragraph, the state it was written or approved in; the
text on disk says whether a person changed it since; the conflicts, the sentences
translated in pieces and the model's confidence say what else a reviewer must look at.
:func:`twin_verdicts` turns all of it into one :class:`ParagraphVerdict` each, in the words
``check`` prints, so the pages and the CI gate can never disagree. Nothing here reads files
or loads a model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from bilingo import provenance
from bilingo.provenance import STATE_NAMES, Provenance
from bilingo.siteconfig import DEFAULT_MIN_CONFIDENCE
from bilingo.twin_records import SIGNALS, Confidence

if TYPE_CHECKING:
    from bilingo.article import Article
    from bilingo.document import Document

State = Literal[
    "conflict",
    "edited after review",
    "needs review",
    "orphaned paragraph",
    "in pieces",
    "low-confidence",
    "edited",
    "machine",
    "reviewed",
]
#: Most urgent first: what a person must look at before what they may.
STATES: tuple[State, ...] = get_args(State)
#: The ``check`` problem kind each state is reported as (None: not a problem).
PROBLEM_KINDS: Mapping[State, str | None] = {
    "conflict": "conflict",
    "edited after review": "edited-after-review",
    "needs review": "unreviewed",
    "orphaned paragraph": "orphaned-paragraph",
    "in pieces": "in-pieces",
    "low-confidence": "low-confidence",
    "edited": "unreviewed",
    "machine": "unreviewed",
    "reviewed": None,
}
__all__ = ["DEFAULT_MIN_CONFIDENCE", "STATES", "ParagraphVerdict", "State", "twin_verdicts"]


@dataclass(frozen=True)
class ParagraphVerdict:
    """One twin paragraph (``index``) or front-matter field (``field``) and its state."""

    state: State
    #: What ``check`` says about it (before the fix it suggests).
    detail: str
    index: int | None = None
    field: str | None = None
    #: 1-based line in the twin file (None for fields).
    line: int | None = None
    #: The lowest machine sentence's score, when measured, and that sentence's index.
    score: float | None = None
    sentence: int = 0

    @property
    def problem_kind(self) -> str | None:
        return PROBLEM_KINDS[self.state]

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "detail": self.detail,
            "index": self.index,
            "field": self.field,
            "line": self.line,
            "score": self.score,
        }


def is_low(confidence: Confidence | None, min_confidence: float) -> bool:
    """A machine paragraph the model was unsure of, or whose text shows a cheap signal."""
    if confidence is None:
        return False
    low_score = confidence.score is not None and confidence.score < min_confidence
    return low_score or bool(confidence.signals)


def low_detail(
    confidence: Confidence, min_confidence: float, subject: str = "machine paragraph"
) -> str:
    parts: list[str] = []
    if confidence.score is not None and confidence.score < min_confidence:
        which = f"sentence {confidence.sentence + 1}" if confidence.sentence else "a sentence"
        parts.append(
            f"{which} has model confidence {confidence.score:.2f}, below review.min_confidence "
            f"{min_confidence:.2f}"
        )
    parts += [f"its text {SIGNALS[s]}" for s in confidence.signals]
    return f"{subject} likely mistranslated: " + "; ".join(parts)


def may_be_low(prov: Provenance, min_confidence: float) -> bool:
    """Whether any paragraph's or field's recorded confidence is low (no parsing: check's
    fast path)."""
    tokens = (*(prov.confidence or ()), *(prov.field_confidence or {}).values())
    return any(is_low(Confidence.parse(token), min_confidence) for token in tokens)


def _pieces_blocks(
    source: Article | None, lines: Sequence[int], dialects: Sequence[str] | None
) -> dict[int, int]:
    """Source block index -> the first source line translated in pieces inside it."""
    if source is None or not lines:
        return {}
    from bilingo.document import parse

    blocks = parse(source.body, dialects=dialects).blocks
    out: dict[int, int] = {}
    for line in lines:
        at = [b for b in blocks if source.body_line + b.line - 1 <= line]
        if at:
            out.setdefault(max(at, key=lambda b: b.line).index, line)
    return out


def twin_verdicts(
    twin: Article,
    prov: Provenance,
    fields: Sequence[str],
    *,
    source: Article | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    doc: Document | None = None,
    dialects: Sequence[str] | None,
) -> tuple[ParagraphVerdict, ...]:
    """Every twin paragraph's verdict, then every translated field's, the bodies read with
    the site's ``dialects``.

    ``source`` places the sentences translated in pieces (recorded by source line); ``doc``
    is the twin body parsed, when the caller has it."""
    from bilingo.document import parse

    doc = doc if doc is not None else parse(twin.body, dialects=dialects)
    recorded = prov.recorded_states(len(doc.blocks))
    live = provenance.live_states(prov, doc.block_hashes)
    conflicts = {c.block: c for c in prov.conflicts if c.block is not None and c.field is None}
    paired = len(doc.blocks) == len(prov.twin_blocks)
    pieces = _pieces_blocks(source, prov.in_pieces, dialects) if paired else {}
    orphans = set(prov.orphans()) if paired else set()
    out: list[ParagraphVerdict] = []
    for block, was, now in zip(doc.blocks, recorded, live, strict=True):
        i = block.index
        line = twin.body_line + block.line - 1
        conf = prov.block_confidence(i) if paired else None
        score = conf.score if conf is not None else None
        sentence = conf.sentence if conf is not None else 0

        state: State
        if i in orphans:
            state = "orphaned paragraph"
            detail = "orphaned paragraph: a person's text whose source paragraph was removed, kept"
        elif i in conflicts:
            state, detail = "conflict", conflicts[i].message()
        elif was == "r" and now == "e":
            state, detail = "edited after review", "paragraph edited after review"
        elif now == "n":
            state = "needs review"
            detail = (
                "paragraph needs review: its source or the glossary changed since it was reviewed"
            )
        elif now == "e":
            state, detail = "edited", "paragraph edited by hand, not yet approved"
        elif now == "r":
            state, detail = "reviewed", "paragraph reviewed"
        elif i in pieces:
            state = "in pieces"
            detail = (
                f"the sentence on source line {pieces[i]} was translated in pieces (its "
                "inline markup could not be carried across whole): check its wording"
            )
        elif conf is not None and is_low(conf, min_confidence):
            state, detail = "low-confidence", low_detail(conf, min_confidence)
        else:
            state, detail = "machine", "paragraph is machine translation, not yet reviewed"
        # One verdict made per paragraph (no closure made for each to make it).
        out.append(ParagraphVerdict(state, detail, i, None, line, score, sentence))
    out += field_verdicts(twin, prov, fields, min_confidence=min_confidence)
    return tuple(out)


def field_verdicts(
    twin: Article,
    prov: Provenance,
    fields: Sequence[str],
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[ParagraphVerdict]:
    """The verdict of each translated front-matter field bilingo wrote."""
    machine_fields = prov.twin_fields or {}
    conflicts = {c.field for c in prov.conflicts if c.field is not None}
    out: list[ParagraphVerdict] = []
    for key in prov.translated_fields(fields):
        value = twin.meta.get(key)
        if not isinstance(value, str) or key not in machine_fields:
            continue
        was = prov.field_state(key)
        edited = provenance.block_hash(value) != machine_fields[key]
        if key in conflicts:
            item = next(c for c in prov.conflicts if c.field == key)
            out.append(ParagraphVerdict("conflict", item.message(), field=key))
        elif was == "r" and edited:
            out.append(
                ParagraphVerdict(
                    "edited after review", f"front matter '{key}' edited after review", field=key
                )
            )
        elif was != "r" or edited:
            name = "edited by hand" if edited or was == "e" else STATE_NAMES[was]
            state: State = "edited" if name == "edited by hand" else "machine"
            state = "needs review" if state == "machine" and was == "n" else state
            conf = prov.field_confidence_of(key) if state == "machine" else None
            score = conf.score if conf is not None else None
            sentence = conf.sentence if conf is not None else 0
            detail = f"front matter '{key}': {name}"
            if conf is not None and is_low(conf, min_confidence):
                state = "low-confidence"
                detail = low_detail(conf, min_confidence, f"machine front matter '{key}'")
            out.append(ParagraphVerdict(state, detail, None, key, None, score, sentence))
        else:
            out.append(ParagraphVerdict("reviewed", f"front matter '{key}': reviewed", field=key))
    return out


_URGENCY = {s: k for k, s in enumerate(STATES)}


def worst(verdicts: Sequence[ParagraphVerdict]) -> State | None:
    """The most urgent state among ``verdicts`` (None: there are none)."""
    return min((v.state for v in verdicts), key=_URGENCY.__getitem__, default=None)
