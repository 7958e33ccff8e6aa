"""Seals (bilingo.seal): a pair settled by its seal gets exactly the verdict the full path
finds, and any change to what that verdict depends on unsettles it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bilingo.commands.translate
import bilingo.pairs
from bilingo.article import DEFAULT_TRANSLATED_FIELDS, Article, read_article
from bilingo.commands.approve import approve
from bilingo.commands.check import CheckReport, check_paths
from bilingo.commands.translate import translate_paths
from bilingo.detect import detect_article
from bilingo.glossary import empty_glossary
from bilingo.layout import PLAIN
from bilingo.pairs import find_markdown
from bilingo.provenance import is_twin
from bilingo.seal import SEAL_RE, settle_pairs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
GLOSSARY = empty_glossary().hash
#: The fixture that declares no language: langdetect decides it on the first run.
UNMARKED = "ullklaer-pa-eksport.md"


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory, argos_packages_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("sealed") / "articles"
    folder.mkdir()
    for f in [SEED, *sorted(FIXTURES.glob("*.md"))]:
        shutil.copy(f, folder)
    assert translate_paths([folder], glossary=empty_glossary()).exit_code == 0
    return folder


@pytest.fixture
def site(translated: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(translated, folder)
    return folder


def settled_names(folder: Path, glossary_hash: str = GLOSSARY) -> set[str]:
    files, _ = find_markdown([folder])
    pairs, _ = settle_pairs(
        files, PLAIN, glossary_hash=glossary_hash, fields=DEFAULT_TRANSLATED_FIELDS
    )
    return {p.source.name for p in pairs}


def both_ways(folder: Path, glossary_hash: str = GLOSSARY) -> CheckReport:
    """check with seals, asserted equal to check without them."""
    fast = check_paths([folder], glossary_hash=glossary_hash, use_seals=True)
    slow = check_paths([folder], glossary_hash=glossary_hash, use_seals=False)
    assert fast == slow
    return fast


def twin_of(folder: Path, source: str) -> Path:
    (twin,) = [
        p
        for p in folder.glob("*.md")
        if p.name != source and read_article(p).meta.get("bilingo", {}).get("source") == source
    ]
    return twin


def test_translate_seals_every_twin_it_writes(site: Path) -> None:
    sources = {p.name for p in site.glob("*.md") if not is_twin(read_article(p))}
    assert len(sources) == 5
    assert settled_names(site) == sources
    report = both_ways(site)
    assert {p.kind for p in report.problems} == {"unreviewed"}
    assert (report.sources, report.twins) == (5, 5)


def _edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert old in data, (path, old)
    path.write_bytes(data.replace(old, new, 1))


def _source(site: Path) -> Path:
    return site / UNMARKED


def _twin(site: Path) -> Path:
    return twin_of(site, UNMARKED)


def _link_twin(site: Path) -> None:
    twin = _twin(site)
    shutil.copy(twin, site.parent / "elsewhere.md")
    twin.unlink()
    os.symlink("../elsewhere.md", twin)


MUTATIONS: dict[str, Callable[[Path], None]] = {
    "source body": lambda s: _source(s).write_bytes(_source(s).read_bytes() + b"\nEn ny linje.\n"),
    "source front matter": lambda s: _edit(_source(s), b"title:", b"draft: true\ntitle:"),
    "source made CRLF": lambda s: _source(s).write_bytes(
        _source(s).read_bytes().replace(b"\n", b"\r\n")
    ),
    "twin body": lambda s: _twin(s).write_bytes(_twin(s).read_bytes() + b"\nA human line.\n"),
    "twin title": lambda s: _edit(_twin(s), b"title: ", b"title: X"),
    "twin marked reviewed by hand": lambda s: _edit(
        _twin(s), b"reviewed: false", b"reviewed: true"
    ),
    "seal verdict forged": lambda s: _edit(_twin(s), b" machine\n", b" reviewed\n"),
    "seal line removed": lambda s: _twin(s).write_bytes(
        SEAL_RE.sub(b"", _twin(s).read_bytes(), count=1)
    ),
    "source renamed": lambda s: _source(s).rename(s / "ullklaer.md"),
    "twin renamed": lambda s: _twin(s).rename(s / "ullklaer-pa-eksport.nb.md"),
    "third file of the slug": lambda s: shutil.copy(_source(s), s / "ullklaer-pa-eksport.nb.md"),
    "source gone": lambda s: _source(s).unlink(),
    "twin replaced by a link": lambda s: _link_twin(s),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_any_change_unsettles_the_pair_and_check_agrees(site: Path, name: str) -> None:
    MUTATIONS[name](site)
    assert UNMARKED not in settled_names(site)
    assert len(settled_names(site)) == 4  # the other pairs still hold
    both_ways(site)


def test_another_glossary_unsettles_every_pair(site: Path) -> None:
    assert settled_names(site, glossary_hash="sha256:0123456789abcdef") == set()
    report = both_ways(site, glossary_hash="sha256:0123456789abcdef")
    assert "outdated-glossary" in {p.kind for p in report.problems}


def test_retranslating_and_approving_seal_again(site: Path) -> None:
    _edit(_source(site), b"ull", b"ULL")
    assert UNMARKED not in settled_names(site)
    assert translate_paths([site], glossary=empty_glossary()).exit_code == 0
    assert UNMARKED in settled_names(site)
    approve(_twin(site), by="Kari")
    files, _ = find_markdown([site])
    pairs, _ = settle_pairs(files, PLAIN, glossary_hash=GLOSSARY, fields=DEFAULT_TRANSLATED_FIELDS)
    assert {p.source.name: p.verdict for p in pairs}[UNMARKED] == "reviewed"
    report = both_ways(site)
    assert _twin(site) not in {p.path for p in report.problems}


def test_a_rerun_reads_only_the_changed_pair(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _edit(site / SEED.name, b"Arena", b"ARENA")
    read: list[str] = []
    real = bilingo.pairs.read_article

    def counting(path: Path, **kw: Any) -> Article:
        read.append(path.name)
        return real(path, **kw)

    monkeypatch.setattr(bilingo.pairs, "read_article", counting)
    report = translate_paths([site], glossary=empty_glossary())
    assert sorted(read) == sorted([SEED.name, "ett-ar-med-naeringsklyngetillit.en.md"])
    assert report.count("written") == 1 and report.count("unchanged") == 4


def test_an_edited_source_keeps_its_recorded_language(site: Path) -> None:
    """A one-word edit does not send the article back through langdetect."""
    _edit(_source(site), b"ull", b"ULL")
    twin = read_article(_twin(site))
    detection = detect_article(read_article(_source(site)), pairing=PLAIN, twins=[twin])
    assert (detection.lang, detection.method) == ("nb", "recorded")
    code = (
        "import sys; from pathlib import Path; from bilingo.commands.check import check_paths; "
        f"r = check_paths([Path({str(site)!r})], glossary_hash={GLOSSARY!r}); "
        "print(sorted({p.kind for p in r.problems}), 'langdetect' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['stale', 'unreviewed'] False"


def test_a_settled_check_imports_no_provenance_nor_front_matter(site: Path) -> None:
    """Pairs their seals settle need no twin's provenance, no front-matter parser and no
    Article: those modules are imported when a file is read in full (bilingo.lazy), and
    then the importers hold the modules themselves."""
    code = (
        "import sys; from pathlib import Path; from bilingo.commands.check import check_paths; "
        f"r = check_paths([Path({str(site)!r})], glossary_hash={GLOSSARY!r}); "
        "print(sorted({p.kind for p in r.problems}), "
        "'bilingo.provenance' in sys.modules, 'bilingo.frontmatter' in sys.modules, "
        "'bilingo.article_record' in sys.modules); "
        "import bilingo.judge as j, bilingo.provenance as p, bilingo.article as a; "
        "print(j.provenance.read is p.read, j.provenance is p, "
        "a.PROVENANCE_KEY == a.frontmatter.PROVENANCE_KEY, a.frontmatter is sys.modules["
        "'bilingo.frontmatter'], a.split_front_matter is a.frontmatter.split_front_matter)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == [
        "['unreviewed'] False False False",
        "True True True True True",
    ]
    _edit(_source(site), b"ull", b"ULL")  # a broken seal: the pair is read in full
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == [
        "['stale', 'unreviewed'] True True True",
        "True True True True True",
    ]


def test_a_rewritten_source_is_detected_again(site: Path) -> None:
    """Rewritten in English, most paragraphs are new: the recorded side no longer holds."""
    english = (FIXTURES / "oslo-runway-week.en.md").read_text(encoding="utf-8")
    body = english.split("\n---\n", 1)[1]
    text = _source(site).read_text(encoding="utf-8")
    _source(site).write_text(text.split("\n---\n", 1)[0] + "\n---\n" + body, encoding="utf-8")
    twin = read_article(_twin(site))
    detection = detect_article(read_article(_source(site)), pairing=PLAIN, twins=[twin])
    assert (detection.lang, detection.method) == ("en", "detected")
    report = both_ways(site)
    assert ("ullklaer-pa-eksport.md", "missing") in {(p.path.name, p.kind) for p in report.problems}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(which=st.booleans(), at=st.integers(min_value=0), byte=st.integers(0, 255))
def test_any_byte_changed_gives_the_same_report(
    translated: Path, which: bool, at: int, byte: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        shutil.copy(translated / UNMARKED, folder)
        twin = twin_of(translated, UNMARKED)
        shutil.copy(twin, folder)
        target = folder / (twin.name if which else UNMARKED)
        data = bytearray(target.read_bytes())
        data[at % len(data)] = byte
        target.write_bytes(bytes(data))
        report = both_ways(folder)
        if bytes(data) != (translated / target.name).read_bytes():
            assert settled_names(folder) == set()
        assert report.sources + report.twins <= 2


def test_detect_shows_the_recorded_language(site: Path) -> None:
    from click.testing import CliRunner

    from bilingo.cli import cli

    result = CliRunner().invoke(cli, ["detect", str(site / UNMARKED), str(site), "--json"])
    assert result.exit_code == 0, result.output
    rows = {Path(r["file"]).name: r for r in json.loads(result.output)}
    assert (rows[UNMARKED]["lang"], rows[UNMARKED]["method"]) == ("nb", "recorded")
