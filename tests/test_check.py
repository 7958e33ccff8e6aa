"""bilingo check: every kind of problem on real files, each output format, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.glossary import empty_glossary

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
EMPTY_GLOSSARY = "empty-glossary.yml"


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory, argos_packages_dir: Path) -> Path:
    """The seed and the fixtures with their machine twins, translated once per module."""
    folder = tmp_path_factory.mktemp("translated") / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder)
    for f in sorted(FIXTURES.glob("*.md")):
        shutil.copy(f, folder)
    report = translate_paths([folder], glossary=empty_glossary())
    assert report.exit_code == 0
    return folder


@pytest.fixture
def site(translated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the translated site, as the current folder."""
    folder = tmp_path / "articles"
    shutil.copytree(translated, folder)
    monkeypatch.chdir(tmp_path)
    (tmp_path / EMPTY_GLOSSARY).write_text("terms: []\n", encoding="utf-8")
    return folder


def run_check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", "--glossary", EMPTY_GLOSSARY, *args])
    return result.exit_code, result.output


def problems(*args: str) -> list[dict[str, object]]:
    code, out = run_check("--format", "json", *args)
    data = json.loads(out)
    assert data["ok"] == (code == 0)
    return list(data["problems"])


def kinds(*args: str) -> set[tuple[str, str]]:
    return {(Path(str(p["path"])).name, str(p["kind"])) for p in problems(*args)}


def test_fresh_twins_only_warn_unreviewed(site: Path) -> None:
    code, out = run_check("articles")
    assert code == 0, out
    found = problems("articles")
    assert found and {p["kind"] for p in found} == {"unreviewed"}
    assert {p["severity"] for p in found} == {"warning"}
    code, _ = run_check("articles", "--require-reviewed")
    assert code == 1


def test_missing_twin(site: Path) -> None:
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    twin.unlink()
    code, out = run_check("articles")
    assert code == 1
    assert (
        "articles/ett-ar-med-naeringsklyngetillit.nb.md: missing: no en twin "
        "(ett-ar-med-naeringsklyngetillit.en.md)" in out
    )
    assert "bilingo translate" in out


def test_stale_names_the_changed_paragraph(site: Path) -> None:
    src = site / SEED.name
    text = src.read_text(encoding="utf-8")
    src.write_text(text.replace("Små må samarbeide", "Små må samarbeide mer"), encoding="utf-8")
    found = [p for p in problems("articles") if p["kind"] == "stale"]
    assert len(found) == 1
    line = text.splitlines().index("## Små må samarbeide") + 1
    assert found[0]["line"] == line
    assert "changed" in str(found[0]["detail"])


def test_stale_front_matter(site: Path) -> None:
    src = site / SEED.name
    src.write_text(
        src.read_text(encoding="utf-8").replace("date: 2015-06-23", "date: 2015-06-24"),
        encoding="utf-8",
    )
    found = [p for p in problems("articles") if p["kind"] == "stale"]
    assert len(found) == 1 and "front matter" in str(found[0]["detail"])


def test_outdated_glossary(site: Path) -> None:
    Path("other-glossary.yml").write_text(
        "terms:\n  - nb: kolleksjon\n    en: collection\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli, ["check", "articles", "--glossary", "other-glossary.yml", "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    outdated = {Path(p["path"]).name for p in data["problems"] if p["kind"] == "outdated-glossary"}
    # Only twins whose article uses the changed term, and do not follow it: the seed never
    # says "kolleksjon", so the glossary change says nothing about its twin.
    assert "oslo-runway-week.nb.md" in outdated
    assert "ett-ar-med-naeringsklyngetillit.en.md" not in outdated
    found = [p for p in data["problems"] if p["kind"] == "outdated-glossary"]
    assert [p["line"] for p in found] == [42]  # the twin line that misses the term
    assert "'collection' must be translated as 'kolleksjon'" in str(found[0]["detail"])
    assert "bilingo translate articles/oslo-runway-week.en.md" in str(found[0]["detail"])


def test_orphaned_twin(site: Path) -> None:
    (site / SEED.name).unlink()
    assert ("ett-ar-med-naeringsklyngetillit.en.md", "orphaned") in kinds("articles")


def test_invalid_files(site: Path) -> None:
    (site / "bad-yaml.nb.md").write_text("---\ntitle: [x\n---\nTekst.\n", encoding="utf-8")
    (site / "latin1.nb.md").write_bytes(b"---\ntitle: x\n---\nBl\xe5b\xe6r.\n")
    (site / "unknown.md").write_text("---\ntitle: Hola\nlang: es\n---\nHola.\n", encoding="utf-8")
    found = {Path(str(p["path"])).name: p for p in problems("articles") if p["kind"] == "invalid"}
    assert set(found) == {"bad-yaml.nb.md", "latin1.nb.md", "unknown.md"}
    assert found["bad-yaml.nb.md"]["line"] == 2
    assert found["latin1.nb.md"]["line"] == 4
    assert "lang: nb" in str(found["unknown.md"]["detail"])


def test_unreadable_path_is_usage_error(site: Path) -> None:
    code, out = run_check("no-such-folder")
    assert code == 2
    assert "no such file or folder" in out


def test_conflict_is_reported(site: Path) -> None:
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    text = twin.read_text(encoding="utf-8")
    twin.write_text(
        text.replace("  reviewed: false\n", "  reviewed: false\n  conflicts:\n  - paragraph 1\n"),
        encoding="utf-8",
    )
    assert ("ett-ar-med-naeringsklyngetillit.en.md", "conflict") in kinds("articles")


def test_text_and_github_formats_are_deterministic(site: Path) -> None:
    (site / "ett-ar-med-naeringsklyngetillit.en.md").unlink()
    src = site / "gjenbruk-i-motebransjen.nb.md"
    src.write_text(src.read_text(encoding="utf-8") + "\nNytt avsnitt.\n", encoding="utf-8")
    first = run_check("articles")
    assert first == run_check("articles")
    code, out = first
    lines = out.splitlines()
    assert code == 1
    problem_lines = lines[:-1]
    assert problem_lines == sorted(problem_lines)
    assert lines[-1] == "5 sources, 4 twins: 1 missing, 1 stale, 4 unreviewed"
    code, gh = run_check("articles", "--format", "github")
    assert code == 1
    assert (
        "::error file=articles/ett-ar-med-naeringsklyngetillit.nb.md,title=bilingo missing::" in gh
    )
    assert any(
        line.startswith("::error file=articles/gjenbruk-i-motebransjen.nb.md,line=")
        for line in gh.splitlines()
    )
    assert "::warning file=" in gh


def test_check_writes_nothing(site: Path) -> None:
    (site / SEED.name).write_text(
        (site / SEED.name).read_text(encoding="utf-8") + "\nMer.\n", encoding="utf-8"
    )
    before = {p: p.read_bytes() for p in site.rglob("*")}
    run_check("articles")
    assert {p: p.read_bytes() for p in site.rglob("*")} == before


def test_check_never_imports_ctranslate2(site: Path) -> None:
    code = (
        "import sys\n"
        "from bilingo.cli import main\n"
        "try:\n"
        "    main(['check', 'articles', '--glossary', 'empty-glossary.yml'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'ctranslate2' not in sys.modules, 'ctranslate2 imported'\n"
        "assert 'sentencepiece' not in sys.modules, 'sentencepiece imported'\n"
        "assert 'argostranslate' not in sys.modules, 'argostranslate imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_repository_articles_report_the_missing_english_twin() -> None:
    # The real model can't be installed here, so the seed article has no twin in the repo.
    result = CliRunner().invoke(cli, ["check", str(ROOT / "articles")])
    assert result.exit_code == 1
    assert "ett-ar-med-naeringsklyngetillit.nb.md: missing: no en twin" in result.output
    assert read_article(SEED).meta["lang"] == "nb"
