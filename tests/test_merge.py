"""Merge decisions, cell by cell: source change × twin paragraph state × move.

Each case is a source article of paragraphs A..E (old), its machine twin (a copy, with the
paragraphs a person edited replaced), and a new source. The expected plan says, for every new
source paragraph, whether the twin's text is kept (and whose), and which conflicts arise.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilingo.document import segment
from bilingo.merge import match_blocks, merge_plan
from bilingo.provenance import Provenance, block_hash

OLD = ["Alfa avsnitt.", "Beta avsnitt.", "Gamma avsnitt.", "Delta avsnitt.", "Epsilon avsnitt."]


@dataclass(frozen=True)
class Case:
    name: str
    new: list[str]  # the new source paragraphs
    edited: frozenset[int]  # old indices whose twin paragraph a person edited
    kept: dict[int, str]  # new index -> "machine" or "person" (text kept from the twin)
    conflicts: int
    dropped: int


def human(i: int) -> str:
    return f"A person's translation of paragraph {i}."


CASES = [
    Case("unchanged, untouched", OLD, frozenset(), {i: "machine" for i in range(5)}, 0, 0),
    Case("unchanged, edited", OLD, frozenset({2}),
         {0: "machine", 1: "machine", 2: "person", 3: "machine", 4: "machine"}, 0, 0),
    Case("changed, untouched", [*OLD[:2], "Gamma endret.", *OLD[3:]], frozenset(),
         {0: "machine", 1: "machine", 3: "machine", 4: "machine"}, 0, 0),
    Case("changed, edited", [*OLD[:2], "Gamma endret.", *OLD[3:]], frozenset({2}),
         {0: "machine", 1: "machine", 2: "person", 3: "machine", 4: "machine"}, 1, 0),
    Case("added, untouched", [*OLD[:2], "Nytt avsnitt.", *OLD[2:]], frozenset(),
         {0: "machine", 1: "machine", 3: "machine", 4: "machine", 5: "machine"}, 0, 0),
    Case("removed, untouched", [*OLD[:2], *OLD[3:]], frozenset(),
         {0: "machine", 1: "machine", 2: "machine", 3: "machine"}, 0, 0),
    Case("removed, edited", [*OLD[:2], *OLD[3:]], frozenset({2}),
         {0: "machine", 1: "machine", 2: "machine", 3: "machine"}, 0, 1),
    Case("moved to the end, edited", [OLD[0], *OLD[2:], OLD[1]], frozenset({1}),
         {0: "machine", 1: "machine", 2: "machine", 3: "machine", 4: "person"}, 0, 0),
    Case("moved to the front, edited", [OLD[4], *OLD[:4]], frozenset({4}),
         {0: "person", 1: "machine", 2: "machine", 3: "machine", 4: "machine"}, 0, 0),
    Case("moved over two paragraphs, edited", [OLD[0], OLD[2], OLD[3], OLD[1], OLD[4]],
         frozenset({1}), {0: "machine", 1: "machine", 2: "machine", 3: "person", 4: "machine"},
         0, 0),
    Case("moved and another changed, both edited",
         [OLD[0], "Gamma endret.", OLD[3], OLD[4], OLD[1]], frozenset({1, 2}),
         {0: "machine", 1: "person", 2: "machine", 3: "machine", 4: "person"}, 1, 0),
    Case("swapped neighbours, both edited", [OLD[1], OLD[0], *OLD[2:]], frozenset({0, 1}),
         {0: "person", 1: "person", 2: "machine", 3: "machine", 4: "machine"}, 0, 0),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("retranslate_unedited", [False, True])
def test_merge_decision_table(case: Case, retranslate_unedited: bool) -> None:
    twin_paras = [human(i) if i in case.edited else p for i, p in enumerate(OLD)]
    hashes = tuple(block_hash(p) for p in OLD)
    prov = Provenance(source_blocks=hashes, twin_blocks=hashes)  # copy model: twin = source
    plan = merge_plan(
        segment("\n\n".join(case.new) + "\n"),
        segment("\n\n".join(twin_paras) + "\n"),
        prov,
        source_fields={},
        twin_fields={},
        retranslate_unedited=retranslate_unedited,
    )
    assert plan is not None
    expected = {
        j: who for j, who in case.kept.items() if who == "person" or not retranslate_unedited
    }
    got = {j: ("person" if text.startswith("A person's") else "machine")
           for j, text in plan.keep_blocks.items()}  # fmt: skip
    assert got == expected
    # A kept machine paragraph is the translation of the very same source paragraph.
    for j, text in plan.keep_blocks.items():
        if got[j] == "machine":
            assert text == case.new[j]
    assert len(plan.conflicts) == case.conflicts
    # A person's paragraph whose source paragraph is gone stays in the twin, orphaned.
    orphans = [o.text for kept in plan.orphans.values() for o in kept]
    removed = match_blocks(list(hashes), [block_hash(p) for p in case.new]).removed
    assert orphans == [human(i) for i in removed if i in case.edited]
    assert len(orphans) == case.dropped and plan.dropped_texts == ()


PARAS = st.lists(st.sampled_from("abcdefgh"), max_size=12)


@given(PARAS, PARAS)
def test_block_matches_are_a_partial_bijection(old: list[str], new: list[str]) -> None:
    m = match_blocks(old, new)
    olds = [*m.same.values(), *m.changed.values(), *m.removed]
    assert sorted(olds) == list(range(len(old)))  # every old paragraph accounted for once
    assert not set(m.same) & set(m.changed)
    assert all(old[i] == new[j] for j, i in m.same.items())
    # Content that exists on both sides is never treated as added and removed at once.
    for h in set(old) & set(new):
        matched = sum(1 for j, i in m.same.items() if new[j] == h)
        assert matched == min(old.count(h), new.count(h))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("retranslate_unedited", [False, True])
@pytest.mark.parametrize("discard_edits", [False, True])
def test_merge_decision_table_on_a_reviewed_twin(
    case: Case, retranslate_unedited: bool, discard_edits: bool
) -> None:
    """The same cells on an approved twin (people's edits approved with it). Ownership is by
    content: a paragraph whose text is not what bilingo wrote is the reviewer's whatever its
    label, kept where it stands (a conflict when its source changed, orphaned when its source
    paragraph is gone). Approved text bilingo wrote is kept while its source is the same
    (even after a glossary change or under --force) and follows it when it changes (needs
    review). --discard-edits replaces them all, naming each person's text it sets aside."""
    twin_paras = [human(i) if i in case.edited else p for i, p in enumerate(OLD)]
    machine = tuple(block_hash(p) for p in OLD)  # copy model: what bilingo wrote = source
    prov = Provenance(
        source_blocks=machine,
        twin_blocks=tuple(block_hash(p) for p in twin_paras),  # approve re-hashes the twin
        written_blocks=machine,
        reviewed=True,
    )
    plan = merge_plan(
        segment("\n\n".join(case.new) + "\n"),
        segment("\n\n".join(twin_paras) + "\n"),
        prov,
        source_fields={},
        twin_fields={},
        retranslate_unedited=retranslate_unedited,
        discard_edits=discard_edits,
    )
    assert plan is not None
    matches = match_blocks(list(machine), [block_hash(p) for p in case.new])
    people_changed = {j: i for j, i in matches.changed.items() if i in case.edited}
    people_gone = [human(i) for i in matches.removed if i in case.edited]
    orphans = [o.text for kept in plan.orphans.values() for o in kept]
    if discard_edits:
        assert plan.keep_blocks == {}
        # Only a person's text is set aside: bilingo's own approved text is just redone.
        people_same = [j for j, i in matches.same.items() if i in case.edited]
        assert sorted(d.source for d in plan.discarded) == sorted(
            case.new[j] for j in [*people_same, *people_changed]
        )
        assert orphans == [] and list(plan.dropped_texts) == people_gone
        assert plan.conflicts == ()
    else:
        kept = {j: twin_paras[i] for j, i in [*matches.same.items(), *people_changed.items()]}
        assert plan.keep_blocks == kept
        assert plan.discarded == () and plan.dropped_texts == ()
        assert orphans == people_gone
        assert sorted(c.block for c in plan.conflicts if c.block is not None) == sorted(
            people_changed
        )
        for j in range(len(case.new)):
            expected = "r" if j in matches.same else "e" if j in people_changed else "n"
            assert plan.states[j][0] == expected
