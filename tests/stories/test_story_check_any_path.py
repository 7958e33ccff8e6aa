"""Cases 3 and 4 of issue 16: check answers for the pair on any path; review states do
not blur.

A stale pair gives the same verdicts checked by its source, its twin or its folder (never
"orphaned ... delete the twin"); approve takes folders; a twin edited after approval is
``edited after review``; approving a conflict nobody resolved warns.
"""

from __future__ import annotations

import re

from storykit import Story, twin_line, verdicts

OLD = "Innovasjon Norge sa i sin innovasjonstale 21.mai 2015"
NEW = "Innovasjon Norge sa i sin innovasjonstale 22. mai 2015"


def test_stale_pair_same_verdicts_from_every_path(story: Story) -> None:
    story.translate()
    story.approve(story.folder)  # a folder: every twin under it
    assert story.provenance()["reviewed"] is True
    (story.root / "drafts").mkdir()
    nothing = story.cli("approve", "drafts", "--by", "Kari")
    assert nothing.exit_code == 2 and "no twin bilingo wrote under it" in nothing.output
    story.edit_source(OLD, NEW)

    by_folder = verdicts(story.check(story.folder))
    assert by_folder and all(kind == "stale" for _, kind, _, _ in by_folder)
    assert verdicts(story.check(story.source)) == by_folder
    assert verdicts(story.check(story.twin)) == by_folder
    for path in ("articles", str(story.source), str(story.twin)):
        result = story.cli("check", path)
        assert result.exit_code == 1 and "orphaned" not in result.output, path
        assert re.search(
            rf"run: bilingo translate \S*{re.escape(story.source.name)}\n", result.output
        )


def test_edited_after_review_is_reported(story: Story) -> None:
    story.translate()
    story.approve(story.folder)
    story.rewrite_twin_paragraph(3, "A reviewer changed this after approving it.")
    found = story.check()
    assert verdicts(found) == [
        (story.twin.name, "edited-after-review", twin_line(story.twin, 3), "warning")
    ]
    assert "edited after review" in found.problems[0].detail
    assert f"bilingo approve {story.twin}" in found.problems[0].detail
    assert story.cli("check", "articles").exit_code == 0  # a warning
    strict = story.cli("check", "articles", "--require-reviewed")
    assert strict.exit_code == 1 and "edited after review" in strict.output
    story.approve(story.source)
    assert story.check(require_reviewed=True).problems == ()


def test_approving_an_untouched_conflict_warns(story: Story) -> None:
    story.translate()
    person = "Innovation Norway said in its innovation speech that small firms must cooperate."
    story.rewrite_twin_paragraph(3, person)
    story.edit_source(OLD, NEW)
    report = story.translate()
    assert story.sent == [] and len(report.outcomes[0].conflicts) == 1
    assert story.twin_paragraphs()[3] == person
    conflict = [p for p in story.check().problems if p.kind == "conflict"]
    assert len(conflict) == 1 and f"bilingo approve {story.twin}" in conflict[0].detail

    # Approved without touching the paragraph: it may no longer say what the source says.
    result = story.approve()
    assert "1 conflict(s) cleared" in result.output
    assert "not changed since its source changed" in result.output
    assert f"{story.twin}:{twin_line(story.twin, 3)}" in result.output

    # A conflict resolved by hand clears without a warning.
    story.translate()
    story.rewrite_twin_paragraph(3, "A person's text for the old source.")
    story.edit_source(NEW, OLD)
    story.translate()
    story.rewrite_twin_paragraph(
        3, "Innovation Norway said on 21 May 2015 that firms must cooperate."
    )
    result = story.approve()
    assert "1 conflict(s) cleared" in result.output and "warning" not in result.output
