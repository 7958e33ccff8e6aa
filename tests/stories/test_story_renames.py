"""Stories: a source renamed with ``git mv`` after its twin was approved (issue 16, item 7).

The twin still names the old source, and the text it was made from (``source_hash``) is now
the renamed source's, which has no twin. ``check`` and ``translate`` say so and give the
``git mv`` that moves the twin; translate writes no fresh machine twin over the reviewer's
work; ``translate --follow-renames`` moves it (never overwriting) and updates ``source:``.
On the copy model, with the real CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import recording_factory

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.glossary import empty_glossary
from bilingo.provenance import read as read_provenance

ROOT = Path(__file__).resolve().parent.parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"


def bilingo(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def renamed(tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``articles/a.nb.md`` translated and its twin approved, then renamed to ``b.nb.md``
    (as ``git mv`` does: the same bytes under the new name)."""
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "articles"
    site.mkdir()
    shutil.copy(SEED, site / "a.nb.md")
    assert bilingo("translate", "articles", "--beam-size", "1").exit_code == 0
    assert bilingo("approve", "articles/a.en.md", "--by", "Kari").exit_code == 0
    (site / "a.nb.md").rename(site / "b.nb.md")
    return site


def test_check_names_the_rename_and_the_git_mv(renamed: Path) -> None:
    """The orphan is reported with the command that moves it, not "delete the twin"; the
    renamed source's missing twin points at it too."""
    result = bilingo("check", "articles")
    assert result.exit_code == 1
    assert (
        "articles/a.en.md: orphaned: its source a.nb.md is gone, renamed to articles/b.nb.md "
        "(same text, no twin); move the twin: git mv articles/a.en.md articles/b.en.md "
        "(or run: bilingo translate --follow-renames articles/b.nb.md)"
    ) in result.output
    assert "delete the twin" not in result.output
    assert (
        "articles/b.nb.md: missing: its twin is articles/a.en.md, left under the old name; "
        "move it: git mv articles/a.en.md articles/b.en.md"
    ) in result.output


def test_translate_gives_the_git_mv_and_sends_nothing(renamed: Path) -> None:
    """Without --follow-renames, translate neither writes a fresh machine twin for b (which
    would bury the reviewed one) nor sends anything to the engine; it says what to run."""
    before = (renamed / "a.en.md").read_bytes()
    result = bilingo("translate", "articles", "--beam-size", "1")
    assert result.exit_code == 0
    assert (
        "skipped: articles/b.nb.md: its twin is articles/a.en.md, left under the old name "
        "when the source was renamed; move it: git mv articles/a.en.md articles/b.en.md "
        "(or run: bilingo translate --follow-renames articles/b.nb.md)"
    ) in result.output
    assert not (renamed / "b.en.md").exists()
    assert (renamed / "a.en.md").read_bytes() == before
    sent: list[str] = []
    report = translate_paths(
        [renamed], glossary=empty_glossary(), engine_factory=recording_factory(sent)
    )
    assert sent == [] and report.count("skipped") == 1 and report.engine_segments == 0
    # A dry run with --follow-renames says what it would move, and moves nothing.
    dry = bilingo("translate", "articles", "--follow-renames", "--dry-run")
    assert "would move articles/a.en.md to b.en.md (its source was renamed)" in dry.output
    assert (renamed / "a.en.md").read_bytes() == before and not (renamed / "b.en.md").exists()


def test_follow_renames_moves_the_reviewed_twin_and_check_is_clean(renamed: Path) -> None:
    """--follow-renames moves a.en.md to b.en.md: the reviewer's text and approval byte for
    byte, only ``source:`` (and the seal) changed; nothing reaches the engine; check and a
    second translate then find the pair up to date and reviewed."""
    old = read_article(renamed / "a.en.md")
    old_prov = read_provenance(old)
    assert old_prov is not None and old_prov.reviewed
    sent: list[str] = []
    report = translate_paths(
        [renamed],
        glossary=empty_glossary(),
        engine_factory=recording_factory(sent),
        follow_renames=True,
    )
    assert sent == [] and report.exit_code == 0
    [outcome] = report.outcomes
    assert (outcome.action, outcome.source.name, outcome.twin) == (
        "moved",
        "b.nb.md",
        renamed / "b.en.md",
    )
    assert not (renamed / "a.en.md").exists()
    new = read_article(renamed / "b.en.md")
    new_prov = read_provenance(new)
    assert new_prov is not None
    assert new.body == old.body
    assert {k: v for k, v in new.meta.items() if k != "bilingo"} == {
        k: v for k, v in old.meta.items() if k != "bilingo"
    }
    assert new_prov.source == "b.nb.md"
    assert new_prov.reviewed and new_prov.reviewed_by == "Kari"
    assert new_prov.source_hash == old_prov.source_hash
    assert not list(renamed.glob(".*.tmp"))

    check = bilingo("check", "articles", "--require-reviewed", "--format", "json")
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["problems"] == []
    again = bilingo("translate", "articles", "--follow-renames", "--beam-size", "1")
    assert again.exit_code == 0
    assert "1 articles: 0 written, 0 would be written, 1 up to date" in again.output


def test_follow_renames_never_overwrites_and_leaves_ambiguity_alone(renamed: Path) -> None:
    """Two sources with the text the orphan was made from: no guess, the orphan stays and
    check keeps calling it orphaned; a third name with its own twin is never a target."""
    shutil.copy(renamed / "b.nb.md", renamed / "c.nb.md")
    result = bilingo("translate", "articles", "--follow-renames", "--beam-size", "1")
    assert result.exit_code == 0
    assert (renamed / "a.en.md").exists()
    assert "moved" not in result.output
    # Both copies got fresh machine twins (the ambiguous orphan is not moved onto either).
    fresh = read_provenance(read_article(renamed / "b.en.md"))
    assert fresh is not None and not fresh.reviewed
    check = bilingo("check", "articles")
    assert "articles/a.en.md: orphaned: its source a.nb.md is gone; delete the twin" in (
        check.output
    )
