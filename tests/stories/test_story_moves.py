"""Case 1 of issue 16, on a reviewed twin: a paragraph moved far in the source keeps its
reviewed translation, nothing reaches the engine, and the twin stays approved."""

from __future__ import annotations

from storykit import Story

from bilingo.article import read_article


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
