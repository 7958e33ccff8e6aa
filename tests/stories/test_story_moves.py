"""Case 1 of issue 16, on a reviewed twin: a paragraph moved far in the source keeps its
reviewed translation, nothing reaches the engine, and the twin stays approved."""

from __future__ import annotations

from storykit import Story

from bilingo.article import read_article
from bilingo.memory import Memory


def test_moved_paragraph_keeps_its_reviewed_text(story: Story) -> None:
    story.translate()
    reviewed = "The award was made by the Minister of Trade, Monica Mæland."
    story.rewrite_twin_paragraph(1, reviewed)
    story.approve()
    src = story.source_paragraphs()
    body = read_article(story.source).body
    moved = src[1]
    new_body = body.replace(moved + "\n\n", "", 1).rstrip("\n") + f"\n\n{moved}\n"
    story.edit_source(body, new_body)

    report = story.translate()
    assert report.count("written") == 1 and story.sent == []
    assert report.outcomes[0].conflicts == () and report.outcomes[0].reason == ""
    after = story.twin_paragraphs()
    assert after[-1] == reviewed and reviewed not in after[:-1]
    assert story.provenance()["reviewed"] is True
    assert story.check(require_reviewed=True).problems == ()


def test_removed_paragraph_drops_its_reviewed_text_into_the_memory(story: Story) -> None:
    story.translate()
    reviewed = "The award was made by the Minister of Trade, Monica Mæland."
    story.rewrite_twin_paragraph(1, reviewed)
    story.approve()
    story.edit_source(story.source_paragraphs()[1] + "\n\n", "")

    report = story.translate()
    assert story.sent == []
    assert "1 edited paragraph(s) dropped with their source paragraph" in report.outcomes[0].reason
    assert "kept in the translation memory" in report.outcomes[0].reason
    assert reviewed not in story.twin_paragraphs()
    assert story.provenance()["reviewed"] is True  # every paragraph left is the reviewer's
    with Memory(story.root / ".bilingo" / "memory.sqlite") as memory:
        assert memory.person_translations("", source_lang="nb", target_lang="en") == [reviewed]
