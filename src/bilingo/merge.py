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
from bilingo.provenance import Conflict, Provenance, block_hash


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
) -> MergePlan | None:
    """Plan a merge, or None when the twin can't be mapped (no hashes, or its paragraph
    structure was changed by hand)."""
    if prov.source_blocks is None or len(prov.source_blocks) != len(prov.twin_blocks):
        return None
    old_src, machine = list(prov.source_blocks), list(prov.twin_blocks)
    if len(twin.blocks) != len(machine):
        return None
    edited = [h != machine[i] for i, h in enumerate(twin.block_hashes)]
    new_src = list(source.block_hashes)

    keep: dict[int, str] = {}
    carried: dict[int, str] = {}
    conflicts: list[Conflict] = []

    def conflict(j: int) -> None:
        line = body_line + source.blocks[j].line - 1
        conflicts.append(Conflict(block=j, line=line))

    matches = match_blocks(old_src, new_src)
    for j, i in matches.same.items():
        if edited[i] or not retranslate_unedited:
            keep[j], carried[j] = twin.blocks[i].text, machine[i]
    for j, i in matches.changed.items():
        if edited[i]:
            keep[j], carried[j] = twin.blocks[i].text, machine[i]
            conflict(j)
    dropped = sum(edited[i] for i in matches.removed)

    keep_fields: dict[str, Any] = {}
    field_hashes: dict[str, str] = {}
    old_fields, machine_fields = prov.source_fields, prov.twin_fields
    if old_fields is not None and machine_fields is not None:
        for key, src_hash in source_fields.items():
            value = twin_fields.get(key)
            if key not in machine_fields or not isinstance(value, str):
                continue
            was_edited = block_hash(value) != machine_fields[key]
            source_same = old_fields.get(key) == src_hash
            if was_edited or (source_same and not retranslate_unedited):
                keep_fields[key] = value
                field_hashes[key] = str(machine_fields[key])
                if was_edited and not source_same:
                    conflicts.append(Conflict(field=key))
    return MergePlan(keep, carried, keep_fields, field_hashes, tuple(conflicts), dropped)
