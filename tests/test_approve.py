"""``bilingo approve``: only the provenance block changes, and translate/check respect it.

Twins come from the real pipeline on the copy model; approving is followed by the real
``translate`` and ``check`` to prove the approval is honoured.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.approve import approve, default_reviewer
from bilingo.commands.check import check_paths
from bilingo.commands.translate import translate_paths
from bilingo.document import segment
from bilingo.errors import BilingoError
from bilingo.glossary import empty_glossary
from bilingo.layout import PLAIN
from bilingo.provenance import short_hashes, twin_content_hash
from bilingo.provenance import twin_state as provenance_state

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "ett-ar-med-naeringsklyngetillit"
FIELDS = ("title", "description", "summary")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, argos_packages_dir: Path) -> Path:
    """The seed article, a CRLF + BOM copy of it, and their twins from the real pipeline."""
    folder = tmp_path_factory.mktemp("built") / "articles"
    folder.mkdir()
    seed = ROOT / "articles" / f"{SEED_NAME}.nb.md"
    shutil.copy(seed, folder)
    crlf = seed.read_bytes().replace(b"\n", b"\r\n")
    (folder / "crlf.nb.md").write_bytes(b"\xef\xbb\xbf" + crlf)
    report = translate_paths([folder], glossary=empty_glossary())
    assert report.exit_code == 0, report.outcomes
    return folder


@pytest.fixture
def site(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(built, folder)
    monkeypatch.chdir(tmp_path)
    return folder


def split_provenance(data: bytes) -> tuple[list[bytes], list[bytes]]:
    """(lines outside the bilingo: block, lines inside it) of a file's bytes."""
    outside: list[bytes] = []
    inside: list[bytes] = []
    in_block = False
    for line in data.splitlines(keepends=True):
        if line.startswith(b"bilingo:"):
            in_block = True
        elif in_block and not line.startswith(b" "):
            in_block = False
        (inside if in_block else outside).append(line)
    return outside, inside


def problems_for(site: Path, twin: Path) -> list[str]:
    report = check_paths([site], glossary_hash=empty_glossary().hash)
    return [p.kind for p in report.problems if p.path == twin]


def test_approve_changes_only_the_provenance_block(site: Path) -> None:
    twin = site / f"{SEED_NAME}.en.md"
    before = twin.read_bytes()
    assert problems_for(site, twin) == ["unreviewed"]

    result = CliRunner().invoke(cli, ["approve", str(twin), "--by", "Kari Nordmann"])
    assert result.exit_code == 0, result.output
    today = dt.date.today().isoformat()
    assert result.output == f"approved: {twin} (by Kari Nordmann on {today})\n"

    after = twin.read_bytes()
    outside_before, inside_before = split_provenance(before)
    outside_after, inside_after = split_provenance(after)
    assert outside_after == outside_before  # front matter and body, byte for byte
    added = [line for line in inside_after if line not in inside_before]
    removed = [line for line in inside_before if line not in inside_after]
    # The seal (see bilingo.seal) is re-made with the new verdict.
    assert re.fullmatch(rb"  seal: sha256:[0-9a-f]{16} machine\n", removed.pop())
    assert re.fullmatch(rb"  seal: sha256:[0-9a-f]{16} reviewed\n", added.pop())
    # The machine's confidence goes too: a reviewer weighed it (bilingo.confidence).
    removed = [line for line in removed if not line.startswith(b"  confidence: ")]
    assert removed == [b"  reviewed: false\n"]
    assert added == [
        b"  reviewed: true\n",
        b"  reviewed_by: Kari Nordmann\n",
        f"  reviewed_at: '{today}'\n".encode(),
    ]
    prov = read_article(twin).meta["bilingo"]
    assert prov["reviewed"] is True and prov["reviewed_at"] == today
    assert list(prov)[list(prov).index("machine") + 1 :][:3] == [
        "reviewed",
        "reviewed_by",
        "reviewed_at",
    ]
    assert problems_for(site, twin) == []  # check stops warning


def test_crlf_and_bom_are_kept(site: Path) -> None:
    twin = site / "crlf.en.md"
    before = twin.read_bytes()
    assert before.startswith(b"\xef\xbb\xbf") and b"\r\n" in before
    approve(twin, by="Ola", today=dt.date(2024, 5, 1))
    after = twin.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    assert after.count(b"\n") == after.count(b"\r\n")
    assert split_provenance(after)[0] == split_provenance(before)[0]
    assert b"  reviewed_at: '2024-05-01'\r\n" in after


def test_source_path_approves_its_twin_and_translate_keeps_it(site: Path) -> None:
    source = site / f"{SEED_NAME}.nb.md"
    twin = site / f"{SEED_NAME}.en.md"
    # A person translates a heading, then approves through the source path.
    text = twin.read_text(encoding="utf-8")
    twin.write_text(
        text.replace("## Små må samarbeide", "## Small firms must cooperate"), encoding="utf-8"
    )
    assert problems_for(site, twin) == ["unreviewed"]
    done = approve(source, by="Kari")
    assert done.twin == twin and done.changed and not done.stale

    # The approved text is the new baseline: hashes match the twin as it is now.
    article = read_article(twin)
    prov = article.meta["bilingo"]
    assert prov["twin_hash"] == twin_content_hash(article.meta, article.body, FIELDS)
    assert prov["twin_blocks"] == short_hashes(b.text for b in segment(article.body).blocks)
    assert prov["twin_fields"] == {"title": short_hashes([article.meta["title"]])}
    state, _ = provenance_state(
        read_article(source),
        article,
        pairing=PLAIN,
        glossary_hash=empty_glossary().hash,
        fields=FIELDS,
    )
    assert state == "current"

    # The editor changes the source: translate redoes that paragraph only, marks it
    # "needs review" and keeps every reviewed paragraph byte for byte.
    before = [b.text for b in segment(read_article(twin).body).blocks]
    source.write_text(source.read_text(encoding="utf-8").replace("3 år", "4 år"), encoding="utf-8")
    report = translate_paths([site], glossary=empty_glossary())
    outcome = next(o for o in report.outcomes if o.source == source)
    assert outcome.action == "written"
    after = [b.text for b in segment(read_article(twin).body).blocks]
    redone = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(redone) == 1 and "4 år" in after[redone[0]]
    assert "Small firms must cooperate" in after
    prov = read_article(twin).meta["bilingo"]
    assert prov["reviewed"] is False and prov["reviewed_by"] == "Kari"
    problems = check_paths([site], glossary_hash=empty_glossary().hash).problems
    mine = [p for p in problems if p.path == twin]
    assert [(p.kind, "needs review" in p.detail) for p in mine] == [("unreviewed", True)]
    assert f"bilingo approve {twin}" in mine[0].detail
    assert approve(twin, by="Kari").changed  # approving clears it
    assert problems_for(site, twin) == []


def test_approving_twice_leaves_the_file_alone(site: Path) -> None:
    twin = site / f"{SEED_NAME}.en.md"
    approve(twin, by="Kari", today=dt.date(2024, 1, 2))
    data, mtime = twin.read_bytes(), twin.stat().st_mtime_ns
    again = approve(twin, by="Ola")
    assert not again.changed
    assert (again.reviewed_by, again.reviewed_at) == ("Kari", "2024-01-02")
    assert twin.read_bytes() == data and twin.stat().st_mtime_ns == mtime
    result = CliRunner().invoke(cli, ["approve", str(twin), "--by", "Ola", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {
            "path": str(twin),
            "twin": str(twin),
            "changed": False,
            "reviewed_by": "Kari",
            "reviewed_at": "2024-01-02",
            "cleared_conflicts": 0,
            "stale": False,
        }
    ]


def test_approve_clears_a_recorded_conflict(site: Path) -> None:
    source = site / f"{SEED_NAME}.nb.md"
    twin = site / f"{SEED_NAME}.en.md"
    text = twin.read_text(encoding="utf-8")
    twin.write_text(
        text.replace("Innovasjon Norge sa i sin", "Innovation Norway said in its"), encoding="utf-8"
    )
    source.write_text(
        source.read_text(encoding="utf-8").replace("21.mai", "22. mai"), encoding="utf-8"
    )
    translate_paths([site], glossary=empty_glossary())
    assert len(read_article(twin).meta["bilingo"]["conflicts"]) == 1
    assert sorted(problems_for(site, twin)) == ["conflict", "unreviewed"]

    result = CliRunner().invoke(cli, ["approve", str(source), "--by", "Kari"])
    assert result.exit_code == 0, result.output
    assert "1 conflict(s) cleared" in result.output
    prov = read_article(twin).meta["bilingo"]
    assert "conflicts" not in prov and prov["reviewed"] is True
    assert problems_for(site, twin) == []
    assert "Innovation Norway said in its" in twin.read_text(encoding="utf-8")


def test_not_a_twin_exits_2(site: Path) -> None:
    lone = site / "lone.nb.md"
    lone.write_text("---\ntitle: Alene\nlang: nb\n---\n\nIngen tvilling her.\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["approve", str(lone), "--by", "Kari"])
    assert result.exit_code == 2
    assert "not a twin (no bilingo provenance)" in result.output
    # A pair written by people has nothing to approve either.
    (site / "lone.en.md").write_text(
        "---\ntitle: Alone\nlang: en\n---\n\nNo twin here.\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["approve", str(site / "lone.en.md"), "--by", "Kari"])
    assert result.exit_code == 2
    assert "a pair written by people has nothing to approve" in result.output
    missing = runner.invoke(cli, ["approve", "articles/nope.en.md", "--by", "Kari"])
    assert missing.exit_code == 2 and "no such file" in missing.output
    # One bad path does not stop the others.
    twin = site / f"{SEED_NAME}.en.md"
    mixed = runner.invoke(cli, ["approve", str(lone), str(twin), "--by", "Kari"])
    assert mixed.exit_code == 2
    assert read_article(twin).meta["bilingo"]["reviewed"] is True


def test_reviewer_from_git_then_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "config", "user.name", "Git Person"], check=True)
        assert default_reviewer(cwd=repo, environ={"USER": "unix"}) == "Git Person"
    assert default_reviewer(cwd=tmp_path, environ={"USER": "unix"}) == "unix"
    with pytest.raises(BilingoError, match="give --by NAME"):
        default_reviewer(cwd=tmp_path, environ={})
