"""Case 2 of issue 16: an approved twin follows its source.

A reviewer approves a twin; the editor changes one sentence of one paragraph; translate
(no --force) sends exactly that sentence to the engine, keeps every reviewed paragraph
byte for byte and marks the redone one "needs review"; check names it (line, command);
approve clears it. A change of ``date`` only is copied over without touching review state.
"""

from __future__ import annotations

from storykit import Story, twin_line, verdicts

from bilingo.article import read_article

OLD = "Innovasjon Norge sa i sin innovasjonstale 21.mai 2015"
NEW = "Innovasjon Norge sa i sin innovasjonstale 22. mai 2015"


def test_one_changed_paragraph_of_an_approved_twin(story: Story) -> None:
    assert story.translate().count("written") == 1
    story.rewrite_twin_paragraph(2, "Small firms must cooperate")  # the reviewer's touch
    story.approve()
    assert story.check().problems == ()
    reviewed = story.twin_paragraphs()

    story.edit_source(OLD, NEW)
    report = story.translate()
    assert report.count("written") == 1 and report.count("skipped") == 0
    # Exactly one sentence reached the engine: the changed one.
    assert len(story.sent) == 1 and "22. mai 2015" in story.sent[0]
    after = story.twin_paragraphs()
    changed = story.source_paragraphs().index(
        next(p for p in story.source_paragraphs() if NEW in p)
    )
    assert after[changed] == story.machine(story.source_paragraphs()[changed])
    assert [p for i, p in enumerate(after) if i != changed] == [
        p for i, p in enumerate(reviewed) if i != changed
    ]  # every reviewed paragraph byte-identical
    prov = story.provenance()
    assert prov["reviewed"] is False and prov["reviewed_by"] == "Kari"

    # check names exactly that paragraph, whichever path it is given.
    line = twin_line(story.twin, changed)
    expected = [(story.twin.name, "unreviewed", line, "warning")]
    for path in (story.folder, story.source, story.twin):
        report_check = story.check(path)
        assert verdicts(report_check) == expected, path
    detail = story.check().problems[0].detail
    assert detail.startswith("paragraph needs review")
    assert f"bilingo approve {story.twin}" in detail
    strict = story.cli("check", "articles", "--require-reviewed")
    assert strict.exit_code == 1 and f"{line}" in strict.output

    # approve clears it; the twin is reviewed again.
    story.approve(story.source)
    assert story.check(require_reviewed=True).problems == ()
    assert story.provenance()["reviewed"] is True


def test_a_date_change_keeps_the_approval(story: Story) -> None:
    story.translate()
    story.approve()
    before = story.twin_paragraphs()
    story.edit_source("date: 2015-06-23", "date: 2015-06-24")
    stale = story.check()
    assert [p.kind for p in stale.problems] == ["stale"]
    assert "bilingo translate" in stale.problems[0].detail

    report = story.translate()
    assert report.count("written") == 1 and story.sent == []  # nothing to translate
    twin = read_article(story.twin)
    assert str(twin.meta["date"]) == "2015-06-24"
    assert story.twin_paragraphs() == before
    prov = story.provenance()
    assert prov["reviewed"] is True and prov["reviewed_by"] == "Kari"
    assert story.check(require_reviewed=True).problems == ()
