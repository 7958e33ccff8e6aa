"""Re-translation that keeps human edits, paragraph by paragraph.

Each twin's provenance stores two hash lists: ``source_blocks`` (the source paragraphs it
was made from) and ``twin_blocks`` (what the machine wrote for each). Comparing them with
the current files tells, for every paragraph, whether the source changed and whether a
person edited the translation since. Source paragraphs are aligned old -> new with
difflib, so added, removed and moved paragraphs are handled:

============================  ==============================  =========================
source paragraph              twin paragraph untouched        twin paragraph edited
============================  ==============================  =========================
unchanged                     keep (re-translate if glossary  keep the person's text
                              or model changed)
changed                       translate again                 keep the person's text,
                                                              report a conflict
added                         translate                       —
removed                       dropped                         dropped
============================  ==============================  =========================
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
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
    dropped = 0

    def conflict(j: int) -> None:
        line = body_line + source.blocks[j].line - 1
        conflicts.append(Conflict(block=j, line=line))

    matcher = difflib.SequenceMatcher(a=old_src, b=new_src, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                if edited[i] or not retranslate_unedited:
                    keep[j], carried[j] = twin.blocks[i].text, machine[i]
        elif op == "replace":
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                i, j = i1 + k, j1 + k
                if edited[i]:
                    keep[j], carried[j] = twin.blocks[i].text, machine[i]
                    conflict(j)
            dropped += sum(edited[i] for i in range(i1 + pairs, i2))
        elif op == "delete":
            dropped += sum(edited[i] for i in range(i1, i2))

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
