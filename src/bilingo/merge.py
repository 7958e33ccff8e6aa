"""Re-translation that keeps human edits, paragraph by paragraph.

Each twin's provenance stores hash lists: ``source_blocks`` (the source paragraphs it
was made from), ``twin_blocks`` (what was written or approved for each) and what bilingo
itself last wrote there (``written_blocks``, when not the same). Comparing them with the
current files tells, for every paragraph, whether the source changed and whether the text
is a person's: any text whose bytes are not bilingo's own last write, whatever its label.
Source paragraphs are matched old -> new by content
across the whole article first (a paragraph moved anywhere keeps its translation), then what is
left is aligned with difflib (a changed paragraph pairs with the old one in its place):

============================  ==============================  =========================
source paragraph              twin paragraph bilingo's        twin paragraph a person's
============================  ==============================  =========================
unchanged (or moved)          keep (re-translate if glossary  keep the person's text
                              or model changed, unless        (a conflict if its glossary
                              approved)                       entries changed, unfollowed)
changed                       translate again                 keep the person's text,
                                                              report a conflict
added                         translate                       —
removed                       dropped                         keep it where it stood,
                                                              an orphaned paragraph
============================  ==============================  =========================

Only ``--discard-edits`` replaces or removes a person's text (set aside in the memory).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bilingo.article import canonical_json
from bilingo.document import Document
from bilingo.provenance import (
    ParagraphState,
    Provenance,
    block_hash,
    live_states,
    person_owned,
    tracked,
    value_hash,
    without_deleted_orphans,
)
from bilingo.twin_records import Conflict


@dataclass(frozen=True)
class MergePlan:
    """What to keep from the existing twin and what to translate again."""

    #: new source block index -> twin text kept verbatim
    keep_blocks: Mapping[int, str] = field(default_factory=dict)
    #: new source block index -> machine hash carried over for a kept block
    machine_hashes: Mapping[int, str] = field(default_factory=dict)
    #: front-matter field -> twin value kept verbatim
    keep_fields: Mapping[str, Any] = field(default_factory=dict)
    field_machine_hashes: Mapping[str, str] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    #: Unused (a person's paragraph is never dropped with its source): kept for callers.
    dropped_edits: int = 0
    #: new source block index -> state token to record (see provenance.STATE_NAMES)
    states: Mapping[int, str] = field(default_factory=dict)
    field_states: Mapping[str, str] = field(default_factory=dict)
    #: State of what is translated anew: "n" in a twin that went through review.
    redone_state: ParagraphState = "m"
    #: A person's paragraphs (reviewed or edited) replaced (``--force --discard-edits``).
    discarded: tuple[Discarded, ...] = ()
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    #: A person's paragraphs whose source paragraph is gone, removed by --discard-edits
    #: (kept in the memory's person table).
    dropped_texts: tuple[str, ...] = ()
    #: The glossary changed since the twin was made.
    glossary_changed: bool = False
    #: new source block index -> what bilingo last wrote there, for a kept paragraph.
    written_hashes: Mapping[int, str] = field(default_factory=dict)
    field_written_hashes: Mapping[str, str] = field(default_factory=dict)
    #: Untranslated fields of the twin that are a person's (set or edited in the twin),
    #: kept as they are, with the ``copied_fields`` token each keeps.
    own_fields: Mapping[str, Any] = field(default_factory=dict)
    own_tokens: Mapping[str, str] = field(default_factory=dict)
    #: A person's paragraphs whose source paragraph is gone, kept in the twin after the
    #: new source block index given (-1: before the first).
    orphans: Mapping[int, tuple[Orphan, ...]] = field(default_factory=dict)

    def person_blocks(self) -> list[int]:
        """Kept paragraphs that are a person's (reviewed or edited), by new index."""
        return [
            j for j, st in sorted(self.states.items()) if j in self.keep_blocks and st[0] in "er"
        ]


@dataclass(frozen=True)
class Orphan:
    """A person's twin paragraph whose source paragraph was removed: kept in the twin."""

    text: str
    machine: str
    written: str
    state: str


#: (new source index, old twin index, the twin's text) -> the glossary entries applying to
#: that paragraph changed since it was written or approved, and the text misses them.
GlossaryMoved = Callable[[int, int, str], bool]


@dataclass(frozen=True)
class Discarded:
    """A person's paragraph (or field) that ``--force --discard-edits`` replaces."""

    #: Source line of the paragraph (None: a field).
    line: int | None
    #: The source paragraph it stands for, and the person's text.
    source: str
    text: str
    field: str | None = None
    #: The person translated an older version of that source paragraph (a conflict).
    older: bool = False


@dataclass(frozen=True)
class BlockMatches:
    """How old source paragraphs (by hash) map onto the new ones."""

    #: new index -> old index with the same content (in place or moved)
    same: Mapping[int, int]
    #: new index -> old index it replaces (changed in place)
    changed: Mapping[int, int]
    #: old indices with no counterpart (removed)
    removed: tuple[int, ...]


def match_blocks(old: Sequence[str], new: Sequence[str]) -> BlockMatches:
    """Match old paragraph hashes to new ones.

    Equal content first: in order where difflib finds it, then anywhere in the article (a
    move of any distance), the nearest copy for repeated paragraphs. The paragraphs left over
    are paired in order within the same gap between matched neighbours: changed in place.
    """
    same: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            same[block.b + k] = block.a + k
    in_order = dict(same)
    free: dict[str, list[int]] = {}
    used = set(same.values())
    for i, h in enumerate(old):
        if i not in used:
            free.setdefault(h, []).append(i)
    for j, h in enumerate(new):
        candidates = free.get(h)
        if j not in same and candidates:
            nearest = min(candidates, key=lambda i: abs(i - j))
            candidates.remove(nearest)
            same[j] = nearest
    taken = set(same.values())
    changed: dict[int, int] = {}
    anchors = sorted(in_order.items())  # moved paragraphs would make the gaps cross
    for j in range(len(new)):
        if j in same:
            continue
        # Old paragraphs between the old positions of j's in-order neighbours (same gap).
        before = max((i for jj, i in anchors if jj < j), default=-1)
        after = min((i for jj, i in anchors if jj > j), default=len(old))
        for i in range(before + 1, after):
            if i not in taken:
                changed[j] = i
                taken.add(i)
                break
    return BlockMatches(same, changed, tuple(i for i in range(len(old)) if i not in taken))


def merge_plan(
    source: Document,
    twin: Document,
    prov: Provenance,
    *,
    source_fields: Mapping[str, str],
    twin_fields: Mapping[str, Any],
    retranslate_unedited: bool,
    body_line: int = 1,
    discard_edits: bool = False,
    glossary_moved: GlossaryMoved | None = None,
    source_meta: Mapping[str, Any] | None = None,
    translated: Collection[str] = (),
) -> MergePlan | None:
    """Plan a merge, or None when the twin can't be mapped (no hashes, or its paragraph
    structure was changed by hand).

    A paragraph is a person's when its text is not what bilingo last wrote there
    (:func:`bilingo.provenance.person_owned`), whatever its state: it is kept where it
    stands (a conflict when its source paragraph changed, or when the glossary entries for
    it changed and it does not follow them; an orphaned paragraph when its source
    paragraph is gone) unless ``discard_edits`` (then it is listed in ``discarded``).
    Approved text bilingo wrote is kept while its source is the same, even under --force
    (``discard_edits`` translates it again, setting nothing aside), and follows its source
    when that changes. A redone paragraph of a twin that went through review is marked
    ``n``, needs review."""
    prov = without_deleted_orphans(prov, twin.block_hashes)
    if prov.source_blocks is None or len(prov.source_blocks) != len(prov.twin_blocks):
        return None
    all_src, all_machine = list(prov.source_blocks), list(prov.twin_blocks)
    if len(twin.blocks) != len(all_machine):
        return None
    live = live_states(prov, twin.block_hashes)
    owned = person_owned(prov, twin.block_hashes)
    written = prov.written()
    orphaned = set(prov.orphans())
    real = [i for i in range(len(all_src)) if i not in orphaned]
    redone: ParagraphState = "n" if prov.any_reviewed else "m"

    keep: dict[int, str] = {}
    carried: dict[int, str] = {}
    writes: dict[int, str] = {}
    states: dict[int, str] = {}
    conflicts: list[Conflict] = []
    discarded: list[Discarded] = []
    old_conflicts = {c.block: c for c in prov.conflicts if c.block is not None}

    def line_of(j: int) -> int:
        return body_line + source.blocks[j].line - 1

    def conflict(j: int, i: int, against: str | None) -> None:
        conflicts.append(Conflict(block=j, line=line_of(j), twin=twin.block_hashes[i]))
        states[j] = f"e@{against}" if against else "e"

    def kept(j: int, i: int) -> None:
        keep[j], carried[j], writes[j] = twin.blocks[i].text, all_machine[i], written[i]
        states[j] = live[i]

    def moved(j: int, i: int) -> bool:
        return glossary_moved is not None and glossary_moved(j, i, twin.blocks[i].text)

    new_src = list(source.block_hashes)
    raw = match_blocks([all_src[i] for i in real], new_src)
    # Back to the twin's own paragraph indices (orphaned paragraphs have no source).
    matches = BlockMatches(
        {j: real[k] for j, k in raw.same.items()},
        {j: real[k] for j, k in raw.changed.items()},
        tuple(real[k] for k in raw.removed),
    )
    for j, i in matches.same.items():
        if live[i] == "r" and not owned[i] and discard_edits:
            continue  # bilingo's own approved text: translated again, nothing set aside
        if owned[i] and discard_edits:
            older = prov.made_against(i) is not None
            discarded.append(
                Discarded(line_of(j), source.blocks[j].text, twin.blocks[i].text, older=older)
            )
        elif owned[i]:
            kept(j, i)
            against = prov.made_against(i)
            if i in old_conflicts and against is not None:
                # Still unresolved: the conflict follows the paragraph wherever it moved.
                conflict(j, i, against)
            elif i in old_conflicts or moved(j, i):
                conflict(j, i, None)
        elif (not moved(j, i)) if live[i] == "r" else not retranslate_unedited:
            kept(j, i)  # bilingo's own text: approved, or nothing asks to redo it
    for j, i in matches.changed.items():
        if owned[i] and discard_edits:
            discarded.append(
                Discarded(line_of(j), source.blocks[j].text, twin.blocks[i].text, older=True)
            )
        elif owned[i]:
            kept(j, i)
            conflict(j, i, prov.made_against(i) or all_src[i])
        elif live[i] == "r":
            # Redone: the review pages show what changed since the older source paragraph.
            states[j] = f"n@{all_src[i]}"
    for j in range(len(new_src)):
        states.setdefault(j, redone)

    # A person's paragraph whose source paragraph is gone stays where it stood.
    gone = sorted({*matches.removed, *orphaned})
    people_gone = [i for i in gone if owned[i] or i in orphaned]
    dropped_texts = tuple(twin.blocks[i].text for i in people_gone) if discard_edits else ()
    after = {i: j for j, i in (*matches.same.items(), *matches.changed.items())}
    orphans: dict[int, list[Orphan]] = {}
    for i in people_gone if not discard_edits else ():
        anchor = next((after[k] for k in range(i - 1, -1, -1) if k in after), -1)
        orphans.setdefault(anchor, []).append(
            Orphan(twin.blocks[i].text, all_machine[i], written[i], live[i])
        )

    keep_fields: dict[str, Any] = {}
    field_hashes: dict[str, str] = {}
    field_writes: dict[str, str] = {}
    field_states: dict[str, str] = {}
    old_fields, machine_fields = prov.source_fields, prov.twin_fields
    if old_fields is not None and machine_fields is not None:
        for key, src_hash in source_fields.items():
            value = twin_fields.get(key)
            if key not in machine_fields or not isinstance(value, str):
                continue
            was_edited = block_hash(value) != machine_fields[key]
            mine = block_hash(value) != prov.written_field(key)
            state = "e" if was_edited else prov.field_state(key)
            source_same = old_fields.get(key) == src_hash
            if mine and discard_edits:
                discarded.append(Discarded(None, "", value, field=key))
            elif discard_edits:
                continue  # bilingo's own text (approved or not): translated again
            elif mine or (source_same and (state == "r" or not retranslate_unedited)):
                keep_fields[key] = value
                field_hashes[key] = str(machine_fields[key])
                field_writes[key] = prov.written_field(key) or str(machine_fields[key])
                field_states[key] = state
                if mine and not source_same:
                    conflicts.append(Conflict(field=key, twin=block_hash(value)))
    own, tokens = _own_fields(
        prov, twin_fields, source_meta, translated, discard_edits, conflicts, discarded
    )
    return MergePlan(
        keep,
        carried,
        keep_fields,
        field_hashes,
        tuple(conflicts),
        0,
        states=states,
        field_states=field_states,
        redone_state=redone,
        discarded=tuple(discarded),
        reviewed_by=prov.reviewed_by,
        reviewed_at=prov.reviewed_at,
        dropped_texts=dropped_texts,
        written_hashes=writes,
        field_written_hashes=field_writes,
        orphans={k: tuple(v) for k, v in orphans.items()},
        own_fields=own,
        own_tokens=tokens,
    )


def _own_fields(
    prov: Provenance,
    twin_meta: Mapping[str, Any],
    source_meta: Mapping[str, Any] | None,
    translated: Collection[str],
    discard_edits: bool,
    conflicts: list[Conflict],
    discarded: list[Discarded],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The twin's untranslated fields a person set or edited (not bilingo's copy of the
    source's value): kept, a conflict when the source's value changed since."""
    copied = prov.copied_fields
    own: dict[str, Any] = {}
    tokens: dict[str, str] = {}
    if copied is None or source_meta is None:
        return own, tokens
    for key, value in twin_meta.items():
        if not tracked(key) or key in translated:
            continue
        written, _, seen = copied.get(key, "").partition("@")
        if written and value_hash(value) == written:
            continue  # bilingo's copy: it follows the source
        if discard_edits:
            discarded.append(Discarded(None, "", canonical_json(value), field=key))
            continue
        own[key] = value
        now = value_hash(source_meta[key]) if key in source_meta else ""
        against = seen or written
        tokens[key] = f"{written or '-'}@{against or now}"
        if against and now != against:
            conflicts.append(Conflict(field=key, twin=value_hash(value)))
    return own, tokens
