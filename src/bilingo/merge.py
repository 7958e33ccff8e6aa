"""Re-translation that keeps human edits, paragraph by paragraph.

Each twin's provenance stores two hash lists: ``source_blocks`` (the source paragraphs it
was made from) and ``twin_blocks`` (what the machine wrote for each). Comparing them with
the current files tells, for every paragraph, whether the source changed and whether a
person edited the translation since. Source paragraphs are matched old -> new by content
across the whole article first (a paragraph moved anywhere keeps its translation), then what is
left is aligned with difflib (a changed paragraph pairs with the old one in its place):

============================  ==============================  =========================
source paragraph              twin paragraph untouched        twin paragraph edited
============================  ==============================  =========================
unchanged (or moved)          keep (re-translate if glossary  keep the person's text
                              or model changed)
changed                       translate again                 keep the person's text,
                                                              report a conflict
added                         translate                       —
removed                       dropped                         dropped, counted
============================  ==============================  =========================
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bilingo.document import Document
from bilingo.provenance import (
    Conflict,
    ParagraphState,
    Provenance,
    block_hash,
    live_states,
)


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
    #: human-edited twin paragraphs dropped because their source paragraph was removed
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
    #: The people's texts of ``dropped_edits`` (kept in the memory's person table).
    dropped_texts: tuple[str, ...] = ()
    #: The glossary changed since the twin was made: kept reviewed paragraphs that do not
    #: follow it need review again.
    glossary_changed: bool = False

    def person_blocks(self) -> list[int]:
        """Kept paragraphs that are a person's (reviewed or edited), by new index."""
        return [
            j for j, st in sorted(self.states.items()) if j in self.keep_blocks and st[0] in "er"
        ]


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
) -> MergePlan | None:
    """Plan a merge, or None when the twin can't be mapped (no hashes, or its paragraph
    structure was changed by hand).

    A paragraph is a person's when a person edited it (its text differs from what was
    written or approved) or approved it (state ``r``): kept unless its source paragraph is
    gone, or ``discard_edits`` (then it is listed in ``discarded``). A redone paragraph of
    a twin that went through review is marked ``n``, needs review."""
    if prov.source_blocks is None or len(prov.source_blocks) != len(prov.twin_blocks):
        return None
    old_src, machine = list(prov.source_blocks), list(prov.twin_blocks)
    if len(twin.blocks) != len(machine):
        return None
    live = live_states(prov, twin.block_hashes)
    person = [st in ("e", "r") for st in live]
    redone: ParagraphState = "n" if prov.any_reviewed else "m"

    keep: dict[int, str] = {}
    carried: dict[int, str] = {}
    states: dict[int, str] = {}
    conflicts: list[Conflict] = []
    discarded: list[Discarded] = []
    old_conflicts = {c.block: c for c in prov.conflicts if c.block is not None}

    def line_of(j: int) -> int:
        return body_line + source.blocks[j].line - 1

    def conflict(j: int, i: int, against: str) -> None:
        conflicts.append(Conflict(block=j, line=line_of(j), twin=twin.block_hashes[i]))
        states[j] = f"e@{against}"

    def kept(j: int, i: int) -> None:
        keep[j], carried[j] = twin.blocks[i].text, machine[i]
        states[j] = live[i]

    matches = match_blocks(old_src, new_src := list(source.block_hashes))
    for j, i in matches.same.items():
        if person[i] and discard_edits:
            older = prov.made_against(i) is not None
            discarded.append(
                Discarded(line_of(j), source.blocks[j].text, twin.blocks[i].text, older=older)
            )
        elif person[i] or not retranslate_unedited:
            kept(j, i)
            against = prov.made_against(i)
            if i in old_conflicts and live[i] == "e" and against is not None:
                # Still unresolved: the conflict follows the paragraph wherever it moved.
                conflict(j, i, against)
    for j, i in matches.changed.items():
        if live[i] == "e" and discard_edits:
            discarded.append(
                Discarded(line_of(j), source.blocks[j].text, twin.blocks[i].text, older=True)
            )
        elif live[i] == "e":
            kept(j, i)
            conflict(j, i, prov.made_against(i) or old_src[i])
        elif live[i] == "r":
            # Redone: the review pages show what changed since the older source paragraph.
            states[j] = f"n@{old_src[i]}"
    for j in range(len(new_src)):
        states.setdefault(j, redone)
    dropped = sum(person[i] for i in matches.removed)
    dropped_texts = tuple(twin.blocks[i].text for i in matches.removed if person[i])

    keep_fields: dict[str, Any] = {}
    field_hashes: dict[str, str] = {}
    field_states: dict[str, str] = {}
    old_fields, machine_fields = prov.source_fields, prov.twin_fields
    if old_fields is not None and machine_fields is not None:
        for key, src_hash in source_fields.items():
            value = twin_fields.get(key)
            if key not in machine_fields or not isinstance(value, str):
                continue
            was_edited = block_hash(value) != machine_fields[key]
            state = "e" if was_edited else prov.field_state(key)
            source_same = old_fields.get(key) == src_hash
            if state in ("e", "r") and discard_edits:
                discarded.append(Discarded(None, "", value, field=key))
            elif was_edited or (source_same and (state == "r" or not retranslate_unedited)):
                keep_fields[key] = value
                field_hashes[key] = str(machine_fields[key])
                field_states[key] = state
                if was_edited and not source_same:
                    conflicts.append(Conflict(field=key, twin=block_hash(value)))
    return MergePlan(
        keep,
        carried,
        keep_fields,
        field_hashes,
        tuple(conflicts),
        dropped,
        states=states,
        field_states=field_states,
        redone_state=redone,
        discarded=tuple(discarded),
        reviewed_by=prov.reviewed_by,
        reviewed_at=prov.reviewed_at,
        dropped_texts=dropped_texts,
    )
