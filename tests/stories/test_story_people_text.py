"""Issue 21: a person's text is never lost. bilingo replaces only the bytes it wrote itself.

Ownership is by content, not by label: a twin paragraph whose text is not what bilingo last
wrote there is a person's, whether it is labelled reviewed, edited or needs review, and it
stays where it stands until ``--discard-edits``.
"""

from __future__ import annotations

import json

from storykit import Story, paragraphs, twin_line
from test_story_glossary_change import GLOSSARY

from bilingo.glossary import load_glossary

REVIEWED = "The award was made by the Minister of Trade and Industry, Monica Mæland (reviewer)."


def use_glossary(story: Story, text: str) -> None:
    path = story.root / "glossary.yml"
    path.write_text(text, encoding="utf-8")
    story.glossary = load_glossary(path)


def check_cli(story: Story) -> tuple[int, str]:
    result = story.cli("check", "articles")
    return result.exit_code, result.output


def test_case1_source_changed_after_an_approved_fix(story: Story) -> None:
    """The reviewer's approved text stays when its source paragraph changes: a conflict,
    check exit 1 naming the one command that resolves it (never translate --force)."""
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    src = story.source_paragraphs()
    story.edit_source("som sto for tildelingen som", "som sto for hele tildelingen som")

    report = story.translate()
    assert report.count("written") == 1
    assert story.twin_paragraphs()[1] == REVIEWED
    assert len(report.outcomes[0].conflicts) == 1
    # Every paragraph but the changed one is untouched; the changed one was not sent.
    assert all("hele tildelingen" not in s for s in story.sent)
    code, out = check_cli(story)
    assert code == 1
    conflicts = [line for line in out.splitlines() if ": conflict:" in line]
    assert (
        len(conflicts) == 1
        and f"bilingo approve {story.twin.relative_to(story.root)}" in (conflicts[0])
    )
    assert "--force" not in out
    # Running translate again changes nothing: the conflict stays until a person resolves it.
    data = story.twin.read_bytes()
    assert story.translate().count("written") == 0 and story.twin.read_bytes() == data
    # The reviewer brings the text in line with the source and approves: settled.
    story.rewrite_twin_paragraph(1, REVIEWED.replace("made", "wholly made"))
    story.approve()
    assert story.check(require_reviewed=True).problems == ()
    assert src[0] == story.source_paragraphs()[0]


def test_case1_machine_text_marked_needs_review_follows_its_source(story: Story) -> None:
    """A paragraph labelled needs review whose bytes are bilingo's may follow its source."""
    story.translate()
    story.approve()  # nobody edited anything: every paragraph is bilingo's, approved
    story.edit_source("som sto for tildelingen som", "som sto for hele tildelingen som")
    story.translate()
    changed = story.source_paragraphs()[1]
    assert story.twin_paragraphs()[1] == story.machine(changed)
    assert story.provenance().get("conflicts") is None
    story.edit_source("hele tildelingen", "selve tildelingen")
    story.translate()  # labelled needs review, bilingo's bytes: it follows again
    assert story.twin_paragraphs()[1] == story.machine(story.source_paragraphs()[1])


def test_case2_glossary_changes_after_an_approved_fix(story: Story) -> None:
    """An unrelated term changes nothing; a change to the paragraph's own term keeps the
    reviewer's text and marks it a conflict; a third run never treats it as machine text."""
    use_glossary(story, GLOSSARY.format(en="Minister of Trade and Industry"))
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()

    unrelated = GLOSSARY.format(en="Minister of Trade and Industry") + (
        "  - nb: fjellvann\n    en: mountain lake\n"
    )
    use_glossary(story, unrelated)
    assert story.check().problems == ()  # the article never uses the new term
    story.translate()
    assert story.twin_paragraphs()[1] == REVIEWED
    assert story.check(require_reviewed=True).problems == ()

    use_glossary(story, unrelated.replace("Minister of Trade and Industry", "Trade Minister"))
    report = story.translate()
    assert story.twin_paragraphs()[1] == REVIEWED
    assert len(report.outcomes[0].conflicts) == 1
    found = story.check()
    assert [(p.kind, p.line) for p in found.problems if p.severity == "error"] == [
        ("conflict", None)
    ]
    assert "bilingo approve" in found.problems[0].detail
    # More glossary changes: still the reviewer's.
    use_glossary(story, unrelated.replace("Minister of Trade and Industry", "Industry Minister"))
    story.translate()
    assert story.twin_paragraphs()[1] == REVIEWED
    assert any(p.kind == "conflict" for p in story.check().problems)


def test_case5_deleted_source_paragraph_keeps_the_persons_text(story: Story) -> None:
    """The person's paragraph stays in the twin, marked orphaned, reported by check, until a
    person deletes it (then approve) or --discard-edits sets it aside."""
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    story.edit_source(story.source_paragraphs()[1] + "\n\n", "")

    report = story.translate()
    assert story.sent == []
    assert "kept 1 orphaned paragraph(s)" in report.outcomes[0].reason
    assert "dropped" not in report.outcomes[0].reason
    paras = story.twin_paragraphs()
    assert paras[1] == REVIEWED and len(paras) == len(story.source_paragraphs()) + 1
    found = story.check()
    orphaned = [p for p in found.problems if p.kind == "orphaned-paragraph"]
    assert [(p.line, p.severity) for p in orphaned] == [(twin_line(story.twin, 1), "error")]
    assert "delete it" in orphaned[0].detail and "bilingo approve" in orphaned[0].detail
    assert check_cli(story)[0] == 1
    # Another run keeps it (as does --force).
    assert story.translate().count("written") == 0
    story.translate(force=True)
    assert story.twin_paragraphs()[1] == REVIEWED
    # The person deletes it and approves: settled, and translate agrees.
    story.edit_twin(REVIEWED + "\n\n", "")
    assert not [p for p in story.check().problems if p.kind == "orphaned-paragraph"]
    story.approve()
    assert story.check(require_reviewed=True).problems == ()
    assert story.translate().count("written") == 0


def test_case5_discard_edits_sets_the_orphan_aside(story: Story) -> None:
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    story.edit_source(story.source_paragraphs()[1] + "\n\n", "")
    story.translate()
    report = story.translate(force=True, discard=True)
    assert "removes 1 orphaned paragraph(s)" in report.outcomes[0].reason
    assert "bilingo memory people" in report.outcomes[0].reason
    assert REVIEWED not in story.twin_paragraphs()
    assert story.check().errors == ()
    # memory people lists it: the twin by its path in the site, where, when, why, the text.
    listed = story.cli("memory", "people", "--json")
    assert listed.exit_code == 0, listed.output
    people = json.loads(listed.output)["people"]
    twin = story.twin.relative_to(story.root).as_posix()
    assert [(p["twin"], p["place"], p["text"]) for p in people] == [
        (twin, "orphaned paragraph", REVIEWED)
    ]
    assert "source paragraph was removed" in people[0]["why"] and people[0]["at"]
    assert REVIEWED in story.cli("memory", "people", str(story.source)).output
    assert story.cli("memory", "people", "elsewhere").output.startswith("no person's text")


def test_discard_edits_sets_every_persons_text_aside(story: Story) -> None:
    """--force --discard-edits names what it replaces, and memory people lists each text
    with the source paragraph it stood for."""
    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.edit_twin("\nlang: en\n", "\nlang: en\ntags: [cluster]  # en editor\n")
    story.approve()
    src = story.source_paragraphs()
    report = story.translate(force=True, discard=True)
    assert "bilingo memory people" in report.outcomes[0].reason
    people = json.loads(story.cli("memory", "people", "articles", "--json").output)["people"]
    mine = {p["text"]: p for p in people}
    assert mine[REVIEWED]["source"] == src[1]
    assert mine[REVIEWED]["place"] == f"paragraph at source line {twin_line(story.source, 1)}"
    assert mine[REVIEWED]["why"] == "--discard-edits"
    assert mine['["cluster"]']["place"] == "front matter 'tags'"
    assert "tags" not in story.twin.read_text(encoding="utf-8").split("bilingo:")[0]


def test_case4_a_twins_own_field_is_kept_with_its_comment(story: Story) -> None:
    """A field an editor set in the twin (``tags``, with a comment) stays, byte for byte,
    when the source's other fields change; when the source's own value of it changes, the
    editor's stays too and check reports a conflict."""
    story.translate()
    story.approve()
    story.edit_twin("\nlang: en\n", "\nlang: en\ntags: [cluster]  # en editor\n")
    story.edit_source("date: 2015-06-23", "date: 2015-06-24")
    story.translate()
    text = story.twin.read_text(encoding="utf-8")
    assert "tags: [cluster]  # en editor\n" in text and "2015-06-24" in text
    assert story.check().errors == ()
    # The source gets tags of its own: the editor's stay, and check says so.
    story.edit_source("date: 2015-06-24", "date: 2015-06-24\ntags: [klynge]")
    story.translate()
    text = story.twin.read_text(encoding="utf-8")
    assert "tags: [cluster]  # en editor\n" in text and "[klynge]" not in text
    assert [p.kind for p in story.check().errors] == ["conflict"]
    story.approve()
    assert story.check().errors == ()
    story.edit_source("date: 2015-06-24", "date: 2015-06-25")
    story.translate()
    assert "tags: [cluster]  # en editor\n" in story.twin.read_text(encoding="utf-8")
    assert story.check().errors == ()


def test_case3_rename_plus_edit_moves_the_twin_with_its_persons_text(story: Story) -> None:
    """A source moved to another folder and edited: found by content (most paragraphs
    shared); check and translate name the one command that moves the twin, never "delete";
    --follow-renames moves it, the person's paragraph kept, the edited one redone."""
    old_dir, new_dir = story.folder / "artikkel-4", story.folder / "tredje"
    old_dir.mkdir()
    story.source.rename(old_dir / "index.nb.md")
    story.translate()
    old_twin = old_dir / "index.en.md"
    text = old_twin.read_text(encoding="utf-8")
    machine = paragraphs(old_twin)[1]
    old_twin.write_text(text.replace(machine, REVIEWED), encoding="utf-8")
    new_dir.mkdir()
    (old_dir / "index.nb.md").rename(new_dir / "index.nb.md")  # git mv
    source = new_dir / "index.nb.md"
    body = source.read_text(encoding="utf-8")
    source.write_text(
        body.replace("Publisert: 23. juni 2015", "Publisert: 24. juni 2015"), encoding="utf-8"
    )

    checked = story.cli("check", "articles")
    assert checked.exit_code == 1
    move = "bilingo translate --follow-renames articles/tredje/index.nb.md"
    assert move in checked.output and "% of its paragraphs" in checked.output
    assert "delete" not in checked.output
    plain = story.cli("translate", "articles")
    assert move in plain.output and "delete" not in plain.output
    assert old_twin.exists() and not (new_dir / "index.en.md").exists()

    moved = story.cli("translate", "articles", "--follow-renames")
    assert moved.exit_code == 0, moved.output
    new_twin = new_dir / "index.en.md"
    assert not old_twin.exists()
    paras = paragraphs(new_twin)
    assert paras[1] == REVIEWED
    assert any("24" in p for p in paras) and not any("23. juni 2015" in p for p in paras)
    assert story.check().errors == ()


def test_also_seen_force_with_nothing_changed_writes_nothing(story: Story) -> None:
    story.translate()
    story.approve()
    data = story.twin.read_bytes()
    forced = story.translate(force=True)
    assert forced.count("written") == 0 and forced.count("unchanged") == 1
    assert story.twin.read_bytes() == data
    out = story.cli("translate", "articles", "--force").output
    assert "0 written" in out


def test_also_seen_unrelated_term_leaves_a_deviating_reviewer_alone(story: Story) -> None:
    """The reviewer chose other words than the glossary's on purpose and approved them; a
    term the paragraph never uses changes nothing, in check or translate."""
    use_glossary(story, GLOSSARY.format(en="Minister of Trade and Industry"))
    story.translate()
    own = "The award was made by the Trade Secretary, Monica Mæland."
    story.rewrite_twin_paragraph(1, own)
    story.approve()
    use_glossary(
        story,
        GLOSSARY.format(en="Minister of Trade and Industry")
        + "  - nb: fjellvann\n    en: mountain lake\n",
    )
    assert story.check().problems == ()
    report = story.translate()
    assert report.outcomes[0].conflicts == ()
    assert story.twin_paragraphs()[1] == own
    assert story.check(require_reviewed=True).problems == ()


def test_memory_rebuild_never_takes_a_reviewers_text_for_the_models(story: Story) -> None:
    import sqlite3

    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    rebuilt = story.root / "rebuilt.sqlite"
    assert story.cli("memory", "rebuild", "articles", "--memory", str(rebuilt)).exit_code == 0
    with sqlite3.connect(rebuilt) as conn:
        targets = [str(r[0]) for r in conn.execute("SELECT target FROM tm")]
    assert targets and not any("(reviewer)" in t for t in targets)
    # bilingo's own approved sentences go back in.
    assert any(t in story.machine(story.source_paragraphs()[0]) for t in targets)


def test_a_conflicted_twin_is_settled_for_translate_and_a_later_edit_stays_the_persons(
    story: Story,
) -> None:
    """A twin in conflict (an approved paragraph whose source changed) carries a ``flagged``
    seal: translate settles it unread and sends nothing, check still reports the conflict.
    A person then fixes another paragraph: translate writes back only the seal line's
    value, every other byte is the person's, and the conflict stays until approved."""
    from bilingo.seal import SEAL_RE

    story.translate()
    story.rewrite_twin_paragraph(1, REVIEWED)
    story.approve()
    story.edit_source("som sto for tildelingen som", "som sto for hele tildelingen som")
    assert story.translate().count("written") == 1
    sealed = SEAL_RE.search(story.twin.read_bytes())
    assert sealed is not None and sealed.group(2) == b"flagged"
    again = story.translate()
    assert again.count("written") == 0 and story.sent == []
    assert [o.action for o in again.outcomes] == ["unchanged"]
    assert "conflict" in {p.kind for p in story.check().problems}

    first = story.twin_paragraphs()[0]
    story.rewrite_twin_paragraph(0, first.replace(".", " (checked).", 1))
    edited = story.twin.read_bytes()
    assert story.translate().count("written") == 0 and story.sent == []
    after = story.twin.read_bytes()
    assert SEAL_RE.sub(b"", after) == SEAL_RE.sub(b"", edited)
    assert story.twin_paragraphs()[0] == first.replace(".", " (checked).", 1)
    assert story.twin_paragraphs()[1] == REVIEWED
    assert "conflict" in {p.kind for p in story.check().problems}
