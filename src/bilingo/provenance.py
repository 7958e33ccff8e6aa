"""The ``bilingo:`` block of a twin: one typed record, one reader, one writer.

A twin's provenance says what it was made from (source name, language and hash), how
(engine, glossary hash), what the machine wrote (per-paragraph and per-field hashes) and
what people did since (reviewed, conflicts). Every command reads it through
:func:`read` and classifies the twin with :func:`twin_state`; only :meth:`Provenance.as_dict`
writes it, so the key order and layout are the same whoever writes a twin.

The block is text in a file anyone can edit: the reader accepts any YAML, and a value of
the wrong type reads as missing (it then matches no hash, so the twin is treated as
changed, never as current).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import yaml

from bilingo import lazy
from bilingo.article import Article, canonical_json, digest, parse_article, render_article
from bilingo.layout import Pairing
from bilingo.seal import SEAL_KEY

if TYPE_CHECKING:
    from bilingo.twin_records import SIGNALS as SIGNALS
    from bilingo.twin_records import BlockState as BlockState
    from bilingo.twin_records import Confidence as Confidence
    from bilingo.twin_records import Conflict as Conflict

#: Names kept here for importers, defined in :mod:`bilingo.twin_records` (imported on
#: first use: a settled check builds none of them).
__getattr__ = lazy.attributes(
    __name__, lazy.where(twin_records=("SIGNALS", "BlockState", "Confidence", "Conflict"))
)


#: Front-matter key holding bilingo's provenance in a twin.
PROVENANCE_KEY = "bilingo"

TwinState = Literal["current", "stale", "reviewed", "edited", "foreign"]

#: The keys bilingo writes, in the order it writes them; others are kept after these.
_ORDER = (
    "source",
    "source_lang",
    "source_hash",
    "engine",
    "glossary_hash",
    "fields",
    "machine",
    "reviewed",
    "reviewed_by",
    "reviewed_at",
    "twin_hash",
    "source_blocks",
    "twin_blocks",
    "source_fields",
    "twin_fields",
    "written_blocks",
    "written_fields",
    "glossary_blocks",
    "copied_fields",
    "states",
    "field_states",
    "conflicts",
    "in_pieces",
    "confidence",
    "field_confidence",
)

#: A paragraph's (or field's) review state, one letter each in the ``states:`` line.
#: m: machine text; e: a person's text, not yet approved; r: reviewed (approved);
#: n: translated again after its source changed in a reviewed twin (needs review).
ParagraphState = Literal["m", "e", "r", "n"]
_STATES: tuple[ParagraphState, ...] = ("m", "e", "r", "n")
#: A ``source_blocks`` entry for a twin paragraph whose source paragraph was removed while
#: it held a person's text: kept in the twin, reported as an orphaned paragraph.
ORPHAN = "-"
#: What each state is called in messages.
STATE_NAMES: Mapping[str, str] = {
    "m": "machine translation",
    "e": "edited by hand, not yet approved",
    "r": "reviewed",
    "n": "needs review",
}

# --------------------------------------------------------------------------- hashes


def block_hashes(texts: Iterable[str]) -> tuple[str, ...]:
    """Per-paragraph hashes for provenance: 8 hex digits each."""
    return tuple(hashlib.sha256(t.encode("utf-8")).hexdigest()[:8] for t in texts)


def short_hashes(texts: Iterable[str]) -> str:
    """:func:`block_hashes` as written in provenance: space-separated."""
    return " ".join(block_hashes(texts))


def block_hash(text: str) -> str:
    return short_hashes([text])


def value_hash(value: Any) -> str:
    """A front-matter value's hash (any YAML value), as ``copied_fields`` records it."""
    return block_hash(canonical_json(value))


#: Keys bilingo itself sets in a twin, never a person's.
OWN_KEYS = frozenset({PROVENANCE_KEY, "lang"})


def tracked(key: object) -> bool:
    """A front-matter key whose copied value ``copied_fields`` records (a text key that
    bilingo does not set itself, writable in its one line)."""
    return isinstance(key, str) and key not in OWN_KEYS and not (set(key) & set(" =\t\n"))


def source_hash(article: Article) -> str:
    """Hash of what a twin depends on: the body and every front-matter value but provenance."""
    return article.content_hash


def twin_content_hash(meta: Mapping[str, Any], body: str, fields: Sequence[str]) -> str:
    """Hash of a twin's human-editable content: the body and its translated fields."""
    translated = {k: meta[k] for k in fields if k in meta}
    return digest(canonical_json(translated), body)


# --------------------------------------------------------------------------- the record


def _state_token(value: str) -> tuple[ParagraphState, str | None]:
    """``r`` or ``e@1a2b3c4d`` -> (state, source hash it was made against when not the
    paragraph's own: a person's text kept while its source changed)."""
    letter, _, against = value.partition("@")
    state: ParagraphState = next((s for s in _STATES if s == letter), "m")
    return state, against or None


def states_line(states: Sequence[str]) -> str:
    """The ``states:`` value: one token per paragraph, runs of one state written ``r*5``."""
    out: list[str] = []
    for token in states:
        if out and out[-1].split("*")[0] == token and "@" not in token:
            head, _, count = out[-1].partition("*")
            out[-1] = f"{head}*{int(count or 1) + 1}"
        else:
            out.append(token)
    return " ".join(out)


_MAX_RUN = 100_000


def parse_states(value: str) -> tuple[str, ...]:
    out: list[str] = []
    for token in value.split():
        head, _, count = token.partition("*")
        # Bounded: the line is text anyone can edit (a longer run matches no twin anyway).
        out += [head] * (min(int(count), _MAX_RUN) if count.isdigit() else 1)
    return tuple(out)


@dataclass(frozen=True)
class Provenance:
    """A twin's ``bilingo:`` block. Hashes missing or of the wrong type read as ``""``."""

    #: The source's file name as written (None: the block names no source, so no twin).
    source: str | None = None
    source_lang: str = ""
    source_hash: str = ""
    engine: str = ""
    glossary_hash: str = ""
    #: Translated front-matter fields, when not the default ones (None: the default).
    fields: tuple[str, ...] | None = None
    machine: bool = True
    reviewed: bool = False
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    twin_hash: str = ""
    #: Per-paragraph hashes (None when missing: the twin cannot be merged paragraph-wise).
    source_blocks: tuple[str, ...] | None = None
    twin_blocks: tuple[str, ...] = ()
    source_fields: Mapping[str, str] | None = None
    twin_fields: Mapping[str, str] | None = None
    #: Review state per paragraph (tokens, see :data:`STATE_NAMES`; ``e@hash`` names the
    #: older source paragraph a kept person text was made against). None: an older twin,
    #: the states follow from ``reviewed`` (see :meth:`paragraph_states`).
    states: tuple[str, ...] | None = None
    field_states: Mapping[str, str] | None = None
    conflicts: tuple[Conflict, ...] = ()
    #: What bilingo itself last wrote, per paragraph and field (``-``: a paragraph bilingo
    #: never wrote). A paragraph or field whose text differs is a person's, whatever its
    #: state. None: the same as ``twin_blocks`` / ``twin_fields`` (written only when not).
    written_blocks: tuple[str, ...] | None = None
    written_fields: Mapping[str, str] | None = None
    #: Per paragraph, the hash of the glossary entries applying to its source paragraph
    #: when it was written or approved (None: not recorded; an index missing: none applied).
    glossary_blocks: Mapping[int, str] | None = None
    #: The fields copied from the source untranslated (``date``, ``tags``...): the hash of
    #: each value as bilingo wrote it, ``@hash`` of the source's value a person's own value
    #: was last kept or approved against. None: not recorded (an older twin).
    copied_fields: Mapping[str, str] | None = None
    #: Source lines of sentences translated in pieces (their markup could not be carried
    #: across whole): ``diff`` and the review page flag them until ``approve``.
    in_pieces: tuple[int, ...] = ()
    #: Per twin paragraph, how sure the model was of its lowest machine sentence
    #: (:class:`Confidence` tokens; None: an older twin, or none was measured).
    confidence: tuple[str, ...] | None = None
    #: The same per translated field the machine wrote (None: an older twin, or none).
    field_confidence: Mapping[str, str] | None = None
    seal: str | None = None
    #: Keys bilingo does not know, kept as they are.
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_twin(self) -> bool:
        return self.source is not None

    @property
    def blocks(self) -> tuple[BlockState, ...]:
        """Source and machine hash per paragraph (empty when the lists do not pair)."""
        src = self.source_blocks or ()
        if len(src) != len(self.twin_blocks):
            return ()
        states = self.recorded_states(len(src))
        from bilingo.twin_records import BlockState

        return tuple(
            BlockState(s, m, st) for s, m, st in zip(src, self.twin_blocks, states, strict=True)
        )

    def recorded_states(self, count: int) -> tuple[ParagraphState, ...]:
        """The state each of ``count`` paragraphs was written or approved in. Older twins
        (no ``states:``): all reviewed when the twin is, else all machine (a person's edit
        then shows as a hash that differs, see :func:`live_states`)."""
        if self.states is not None and len(self.states) == count:
            return tuple(_state_token(t)[0] for t in self.states)
        return ("r" if self.reviewed else "m",) * count

    def made_against(self, index: int) -> str | None:
        """The older source paragraph hash a kept person paragraph was made against."""
        if self.states is None or index >= len(self.states):
            return None
        return _state_token(self.states[index])[1]

    def field_state(self, key: str) -> ParagraphState:
        if self.field_states is not None and key in self.field_states:
            return _state_token(self.field_states[key])[0]
        return "r" if self.reviewed else "m"

    def written(self) -> tuple[str, ...]:
        """Per paragraph, the hash of what bilingo itself last wrote there."""
        if self.written_blocks is not None and len(self.written_blocks) == len(self.twin_blocks):
            return self.written_blocks
        return self.twin_blocks

    def written_field(self, key: str) -> str | None:
        if self.written_fields is not None and key in self.written_fields:
            return self.written_fields[key]
        return (self.twin_fields or {}).get(key)

    def orphans(self) -> tuple[int, ...]:
        """Twin paragraphs kept although their source paragraph was removed (a person's)."""
        return tuple(i for i, h in enumerate(self.source_blocks or ()) if h == ORPHAN)

    @property
    def any_reviewed(self) -> bool:
        """Some paragraph or field was approved: the twin went through review once."""
        states = self.recorded_states(len(self.twin_blocks))
        fields = (self.field_states or {}).values()
        return "r" in states or any(_state_token(v)[0] == "r" for v in fields)

    def block_confidence(self, index: int) -> Confidence | None:
        """What :attr:`confidence` records for twin paragraph ``index`` (None: nothing)."""
        if self.confidence is None or len(self.confidence) != len(self.twin_blocks):
            return None
        from bilingo.twin_records import Confidence

        return Confidence.parse(self.confidence[index]) if index < len(self.confidence) else None

    def field_confidence_of(self, key: str) -> Confidence | None:
        """What :attr:`field_confidence` records for front-matter field ``key``."""
        found = (self.field_confidence or {}).get(key)
        from bilingo.twin_records import Confidence

        return Confidence.parse(found) if found is not None else None

    def translated_fields(self, default: Sequence[str]) -> tuple[str, ...]:
        """The front-matter fields this twin was translated with."""
        return self.fields if self.fields is not None else tuple(default)

    def as_dict(self) -> dict[str, Any]:
        """The block as written into the twin's front matter (the one writer)."""
        values: dict[str, Any] = {
            "source": self.source,
            "source_lang": self.source_lang,
            "source_hash": self.source_hash,
            "engine": self.engine,
            "glossary_hash": self.glossary_hash,
            "fields": list(self.fields) if self.fields is not None else None,
            "machine": self.machine,
            "reviewed": self.reviewed,
            "reviewed_by": self.reviewed_by,
            "reviewed_at": self.reviewed_at,
            "twin_hash": self.twin_hash,
            "source_blocks": " ".join(self.source_blocks)
            if self.source_blocks is not None
            else None,
            "twin_blocks": " ".join(self.twin_blocks),
            "source_fields": dict(self.source_fields) if self.source_fields is not None else None,
            "twin_fields": dict(self.twin_fields) if self.twin_fields is not None else None,
            "written_blocks": " ".join(self.written_blocks)
            if self.written_blocks is not None
            else None,
            "written_fields": dict(self.written_fields) if self.written_fields else None,
            "glossary_blocks": " ".join(f"{k}={v}" for k, v in self.glossary_blocks.items())
            if self.glossary_blocks
            else None,
            # One line (``date=1a2b3c4d tags=-@5e6f7a8b``): the twin's lines move little.
            "copied_fields": " ".join(f"{k}={v}" for k, v in self.copied_fields.items())
            if self.copied_fields is not None
            else None,
            "states": states_line(self.states) if self.states is not None else None,
            "field_states": dict(self.field_states) if self.field_states else None,
            "conflicts": [c.as_data() for c in self.conflicts] or None,
            "in_pieces": list(self.in_pieces) or None,
            "confidence": " ".join(self.confidence) if self.confidence else None,
            # One line, as copied_fields: ``title=-0.12 description=-1.31@1``.
            "field_confidence": " ".join(f"{k}={v}" for k, v in self.field_confidence.items())
            if self.field_confidence
            else None,
        }
        out = {k: values[k] for k in _ORDER if values[k] is not None}
        out.update(self.extra)
        if self.seal is not None:
            out[SEAL_KEY] = self.seal
        return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _opt_text(value: object) -> str | None:
    return None if value is None else str(value)


def _hash_map(value: object) -> Mapping[str, str] | None:
    if not isinstance(value, Mapping):
        return None
    return {str(k): str(v) for k, v in value.items()}


def _pairs(value: object) -> Mapping[str, str] | None:
    """``key=value key=value`` (keys without spaces or ``=``) as a mapping."""
    if not isinstance(value, str):
        return None
    return dict(item.partition("=")[::2] for item in value.split() if "=" in item)


def _index_map(value: object) -> Mapping[int, str] | None:
    pairs = _pairs(value)
    return None if pairs is None else {int(k): v for k, v in pairs.items() if k.isdigit()}


def _lines(value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(n for n in value if isinstance(n, int) and not isinstance(n, bool))


def _conflicts(values: list[object]) -> tuple[Conflict, ...]:
    from bilingo.twin_records import Conflict

    return tuple(Conflict.from_data(c) for c in values)


def from_mapping(block: Mapping[str, Any]) -> Provenance:
    """The record for a ``bilingo:`` block (the one reader)."""
    fields = block.get("fields")
    source_blocks = block.get("source_blocks")
    conflicts = block.get("conflicts")
    return Provenance(
        source=_opt_text(block["source"]) if "source" in block else None,
        source_lang=_text(block.get("source_lang")),
        source_hash=_text(block.get("source_hash")),
        engine=_text(block.get("engine")),
        glossary_hash=_text(block.get("glossary_hash")),
        fields=tuple(str(f) for f in fields) if isinstance(fields, list) else None,
        machine=block.get("machine", True) is True,
        reviewed=block.get("reviewed") is True,
        reviewed_by=_opt_text(block.get("reviewed_by")),
        reviewed_at=_opt_text(block.get("reviewed_at")),
        twin_hash=_text(block.get("twin_hash")),
        source_blocks=tuple(source_blocks.split()) if isinstance(source_blocks, str) else None,
        twin_blocks=tuple(_text(block.get("twin_blocks")).split()),
        source_fields=_hash_map(block.get("source_fields")),
        twin_fields=_hash_map(block.get("twin_fields")),
        states=parse_states(states) if isinstance(states := block.get("states"), str) else None,
        field_states=_hash_map(block.get("field_states")),
        written_blocks=tuple(w.split())
        if isinstance(w := block.get("written_blocks"), str)
        else None,
        written_fields=_hash_map(block.get("written_fields")),
        glossary_blocks=_index_map(block.get("glossary_blocks")),
        copied_fields=_pairs(block.get("copied_fields")),
        conflicts=_conflicts(conflicts) if isinstance(conflicts, list) else (),
        in_pieces=_lines(block.get("in_pieces")),
        confidence=tuple(value.split())
        if isinstance(value := block.get("confidence"), str)
        else None,
        field_confidence=_pairs(block.get("field_confidence")),
        seal=_opt_text(block.get(SEAL_KEY)),
        extra={k: v for k, v in block.items() if k not in _ORDER and k != SEAL_KEY},
    )


def read(article: Article) -> Provenance | None:
    """The article's provenance; None when it has no ``bilingo:`` mapping (read once per
    article: :attr:`bilingo.article_record.Article.provenance`)."""
    return article.provenance


def is_twin(article: Article) -> bool:
    """A file bilingo wrote (its provenance names a source)."""
    block = article.meta.get(PROVENANCE_KEY)
    return isinstance(block, Mapping) and "source" in block


def with_seal(prov: Provenance, seal: str | None) -> Provenance:
    return replace(prov, seal=seal)


# --------------------------------------------------------------------------- the twin's state


def is_edited(twin: Article, prov: Provenance, fields: Sequence[str]) -> bool:
    """A person changed the twin's body or translated fields since bilingo wrote it, or it
    holds a person's paragraphs that translate kept (``machine: false``)."""
    content = twin_content_hash(twin.meta, twin.body, prov.translated_fields(fields))
    return not prov.machine or prov.twin_hash != content


def live_states(prov: Provenance, twin_hashes: Sequence[str]) -> tuple[ParagraphState, ...]:
    """Each twin paragraph's state now: as recorded, or ``e`` where its text is no longer
    what was written or approved (a person edited it since)."""
    if len(twin_hashes) != len(prov.twin_blocks):
        edited: ParagraphState = "e"
        return (edited,) * len(twin_hashes)
    recorded = prov.recorded_states(len(twin_hashes))
    return tuple(
        st if h == m else "e"
        for st, h, m in zip(recorded, twin_hashes, prov.twin_blocks, strict=True)
    )


def person_owned(prov: Provenance, twin_hashes: Sequence[str]) -> tuple[bool, ...]:
    """Which twin paragraphs are a person's: their text is not what bilingo last wrote
    there (by content, whatever their state). Paragraphs added or removed by hand: each
    one whose text bilingo never wrote anywhere in the twin."""
    written = prov.written()
    if len(twin_hashes) != len(written):
        mine = set(written)
        return tuple(h not in mine for h in twin_hashes)
    return tuple(h != w for h, w in zip(twin_hashes, written, strict=True))


def without_deleted_orphans(prov: Provenance, twin_hashes: Sequence[str]) -> Provenance:
    """``prov`` without the orphaned paragraphs a person deleted from the twin (what their
    deletion says: they are no longer wanted), when that makes it fit the twin again."""
    orphans = prov.orphans()
    if not orphans or len(twin_hashes) == len(prov.twin_blocks):
        return prov
    present = set(twin_hashes)
    gone = {i for i in orphans if prov.twin_blocks[i] not in present}
    keep = [i for i in range(len(prov.twin_blocks)) if i not in gone]
    if not gone or len(keep) != len(twin_hashes):
        return prov
    written = prov.written()
    states = prov.states if prov.states is not None else None

    def pick(values: Sequence[str]) -> tuple[str, ...]:
        return tuple(values[i] for i in keep)

    return replace(
        prov,
        source_blocks=pick(prov.source_blocks or ()),
        twin_blocks=pick(prov.twin_blocks),
        written_blocks=pick(written) if prov.written_blocks is not None else None,
        states=pick(states) if states is not None and len(states) == len(written) else None,
        glossary_blocks=None,
    )


def twin_state(
    source: Article,
    twin: Article,
    *,
    pairing: Pairing,
    glossary_hash: str,
    fields: Sequence[str],
) -> tuple[TwinState, str]:
    """Classify an existing twin against its source, from provenance alone (``pairing``:
    the site's, which says what the twin must name as its source)."""
    prov = read(twin)
    if prov is None or prov.source is None:
        return "foreign", "it exists and was not written by bilingo (no provenance)"
    if prov.source != pairing.source_ref(source.path):
        return "foreign", f"its provenance names another source ({prov.source})"
    current = prov.source_hash == source_hash(source) and prov.glossary_hash == glossary_hash
    if current:
        return "current", ""
    if prov.reviewed:
        return "reviewed", "it is marked reviewed"
    if is_edited(twin, prov, fields):
        return "edited", "it was edited by hand since bilingo wrote it"
    return "stale", ""


# --------------------------------------------------------------------------- writing in place

# A top-level "bilingo:" key and its indented lines (blank lines inside included).
_BLOCK_RE = re.compile(
    rf"^{PROVENANCE_KEY}:[ \t]*\n(?:[ \t]+\S[^\n]*\n|[ \t]*\n(?=[ \t]+\S))*", re.M
)


def rewrite(twin: Article, text: str, prov: Provenance) -> str:
    """``text`` (the twin's, newlines as ``\\n``) with only its provenance block written anew.

    Falls back to re-rendering the whole front matter when the block is not laid out as
    bilingo writes it (flow style, say); the result is checked by parsing it back.
    """
    values = prov.as_dict()
    meta = {**twin.meta, PROVENANCE_KEY: values}
    front = text[: len(text) - len(twin.body)]
    block = yaml.safe_dump(
        {PROVENANCE_KEY: values},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    matches = list(_BLOCK_RE.finditer(front))
    if len(matches) == 1:
        m = matches[0]
        candidate = front[: m.start()] + block + front[m.end() :] + twin.body
        check = parse_article(twin.path, candidate)
        if dict(check.meta) == meta and check.body == twin.body:
            return candidate
    return render_article(meta, twin.body, like=twin)
