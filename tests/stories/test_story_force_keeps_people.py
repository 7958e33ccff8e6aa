"""Case 2/3 of issue 16: --force never discards a person's text silently.

A reviewer approves the twin after rewriting one paragraph; later a translator edits
another by hand. ``--force`` (also under ``--dry-run``) names the paragraphs it keeps and
redoes the rest; only ``--force --discard-edits`` replaces them, after saying so, and the
person's text goes into the translation memory as the person's.
"""

from __future__ import annotations

from storykit import Story

from bilingo.memory import Memory

REVIEWED = "The award was made by the Minister of Trade, Monica Mæland."
EDITED = "Small firms must cooperate"


def test_force_keeps_reviewed_and_edited_paragraphs_until_told(story: Story) -> None:
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    story.rewrite_twin_paragraph(2, EDITED)  # after the approval
    kept = story.twin_paragraphs()
    data = story.twin.read_bytes()
    src = story.source_paragraphs()

    # Approving made every paragraph the reviewer's; one was edited since.
    people = len(kept)
    # --dry-run --force names what it keeps, writes nothing.
    dry = story.cli("translate", "articles", "--force", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"kept {people} reviewed or edited paragraph(s) (source lines 7, 9, 11," in dry.output
    assert "--force --discard-edits" in dry.output
    assert story.twin.read_bytes() == data

    # --force keeps both people's paragraphs and redoes the machine ones (from memory).
    forced = story.translate(force=True)
    assert forced.count("written") == 1 and story.sent == []
    assert f"kept {people} reviewed or edited paragraph(s)" in forced.outcomes[0].reason
    assert story.twin_paragraphs() == kept

    # --dry-run --force --discard-edits says what it would replace, writes nothing.
    data = story.twin.read_bytes()
    dry = story.cli("translate", "articles", "--force", "--discard-edits", "--dry-run")
    assert dry.exit_code == 0, dry.output
    # The two paragraphs people wrote (bilingo's own approved text is just redone).
    assert "replaces 2 reviewed or edited paragraph(s) or field(s)" in dry.output
    assert story.twin.read_bytes() == data

    # --force --discard-edits replaces them; the memory keeps the people's text.
    gone = story.translate(force=True, discard=True)
    assert "replaces 2 reviewed or edited" in gone.outcomes[0].reason
    after = story.twin_paragraphs()
    assert after[1] == story.machine(src[1]) and after[2] == story.machine(src[2])
    with Memory(story.root / ".bilingo" / "memory.sqlite") as memory:
        assert memory.person_translations(src[1], source_lang="nb", target_lang="en") == [REVIEWED]
        assert memory.person_translations(src[2], source_lang="nb", target_lang="en") == [EDITED]
    assert story.provenance()["reviewed"] is False
    assert story.twin_paragraphs() == [story.machine(p) for p in src]
