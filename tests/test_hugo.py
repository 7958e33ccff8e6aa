"""Hugo as the real client: a site built from bilingo's twins links every pair both ways.

Runs Debian's ``hugo`` (``.ci/run`` installs it; skipped with the reason where it is not
installed) on a site whose pages are the front-matter fixtures (YAML, TOML and JSON) and
the twins ``bilingo translate`` wrote for them with the copy model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hugosite import build, hugo_or_skip, read_pages, write_site

from bilingo.article import read_article
from bilingo.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frontmatter"
CASES = sorted(FIXTURES.glob("*.nb.md"))
BASE = "https://example.org"


def translated_site(root: Path, folder: str = "") -> Path:
    """A Hugo site with the fixtures (in ``folder`` of its content) and their twins."""
    hugo_or_skip()
    content = write_site(root)
    target = content / folder
    target.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        shutil.copy(case, target)
    result = CliRunner().invoke(cli, ["translate", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{len(CASES)} written" in result.output
    return target


def assert_pairs_linked(root: Path, folder: str) -> None:
    pages = read_pages(build(root))
    prefix = f"{folder.strip('/')}/" if folder else ""
    for case in CASES:
        slug = read_article(case).slug
        nb = pages[f"{BASE}/nb/{prefix}{slug}/"]
        en = pages[f"{BASE}/en/{prefix}{slug}/"]
        assert (nb.lang, en.lang) == ("nb", "en")
        assert nb.translations == {"en": en.permalink}, case.name
        assert en.translations == {"nb": nb.permalink}, case.name
        # The copy model writes the body back: both render the very same elements.
        assert nb.structure == en.structure
        assert {"h2", "p", "ul", "li"} <= set(nb.structure)


def test_hugo_links_every_pair_at_the_content_root_both_ways(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One page each with YAML, TOML and JSON front matter; Hugo reads every twin."""
    monkeypatch.chdir(tmp_path)
    content = translated_site(tmp_path / "site")
    formats = {read_article(p).front_format for p in content.glob("*.en.md")}
    assert formats == {"yaml", "toml", "json"}
    assert_pairs_linked(tmp_path / "site", "")


def test_hugo_links_every_pair_in_a_section_both_ways(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the content root Hugo keys pages by path: a made-up translationKey on the twin
    alone would keep the pair apart (it did, until twins stopped getting one)."""
    monkeypatch.chdir(tmp_path)
    translated_site(tmp_path / "site", "posts")
    assert_pairs_linked(tmp_path / "site", "posts")
