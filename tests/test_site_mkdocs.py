"""MkDocs as the real client: a mkdocs-static-i18n site built from bilingo's twins.

The site (tests/fixtures/sites/mkdocs-suffix) is laid out as mkdocs-material users write
one: languages by file-name suffix, nested folders, admonitions, tabs, attribute lists. bilingo
translates it on the copy model, then MkDocs builds it: every page must exist in both languages,
link to its twin through the language selector, and render the same structure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CopyLayout, recorded

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.detect import likely_direction
from bilingo.pairs import PairIndex
from bilingo.site import build_settings

SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "mkdocs-suffix"

pytest.importorskip("mkdocs", reason="MkDocs is a test dependency: pip install -e '.[test]'")
pytest.importorskip("mkdocs_static_i18n", reason="pip install -e '.[test]' (mkdocs-static-i18n)")


class Page(HTMLParser):
    """What a built page shows: its language links and the structure of its content."""

    def __init__(self) -> None:
        super().__init__()
        self.alternates: dict[str, str] = {}  # hreflang -> href (material's language selector)
        self.structure: list[str] = []
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        if tag == "article":
            self._in_article += 1
        if not self._in_article:
            return
        classes = a.get("class", "").split()
        if tag in ("h1", "h2", "h3", "table", "li", "p", "pre", "dt", "dd", "abbr", "sup"):
            self.structure.append(tag)
        for kind in ("admonition", "admonition-title", "tabbed-set", "md-button", "twemoji"):
            if kind in classes:
                self.structure.append(kind)
        if tag == "details":
            self.structure.append("details")

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self._in_article:
            self._in_article -= 1


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def built(site: Path, url: str) -> Path:
    return site / "out" / url.strip("/") / "index.html"


@pytest.fixture
def mkdocs_site(tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, ["translate", "docs", "--beam-size", "1"])
    assert result.exit_code == 0, result.output
    mkdocs_build(site, tmp_path)
    return site


def mkdocs_build(site: Path, home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", "out"],
        cwd=site,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(home)},
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr


# source file -> (its page's URL, the twin page's URL)
PAGES = {
    "docs/index.nb.md": ("/nb/", "/"),
    "docs/guide/oppsett.nb.md": ("/nb/guide/oppsett/", "/guide/oppsett/"),
    "docs/about.en.md": ("/about/", "/nb/about/"),
}


def test_twins_are_written_beside_their_sources(mkdocs_site: Path) -> None:
    twins = sorted(str(p.relative_to(mkdocs_site)) for p in (mkdocs_site / "docs").rglob("*.md"))
    assert twins == sorted(
        [
            "docs/about.en.md", "docs/about.nb.md", "docs/guide/oppsett.en.md",
            "docs/guide/oppsett.nb.md", "docs/index.en.md", "docs/index.nb.md",
        ]
    )  # fmt: skip


@pytest.mark.parametrize("source", sorted(PAGES))
def test_every_pair_builds_and_links_both_ways(mkdocs_site: Path, source: str) -> None:
    own_url, twin_url = PAGES[source]
    own, twin = built(mkdocs_site, own_url), built(mkdocs_site, twin_url)
    assert own.is_file() and twin.is_file()
    own_page, twin_page = read_page(own), read_page(twin)
    own_lang = "nb" if own_url.startswith("/nb/") else "en"
    twin_lang = "en" if own_lang == "nb" else "nb"

    # The language selector of each page leads to the other (site-relative links).
    def target(page: Page, lang: str) -> str:
        return re.sub(r"^(\.\./)+|^\./", "/", page.alternates[lang]).rstrip("/") + "/"

    assert target(own_page, twin_lang).endswith(twin_url)
    assert target(twin_page, own_lang).endswith(own_url)
    # Same structure: headings, paragraphs, admonitions, tabs, tables, buttons.
    assert own_page.structure == twin_page.structure
    assert "admonition" in own_page.structure or "details" in own_page.structure


@pytest.fixture
def mkdocs_folder_site(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The same site with ``docs_structure: folder``: ``docs/nb/x.md`` ↔ ``docs/en/x.md``,
    translated with no path given (the site's two language folders)."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=shutil.ignore_patterns("docs"))
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "docs_structure: suffix", "docs_structure: folder"
        ),
        encoding="utf-8",
    )
    for source in (SITE / "docs").rglob("*.md"):
        rel = source.relative_to(SITE / "docs")
        slug, lang = rel.name[: -len(".md")].rsplit(".", 1)
        target = site / "docs" / lang / rel.parent / f"{slug}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    monkeypatch.chdir(site / "docs" / "nb")  # any folder of the site: the same settings
    result = CliRunner().invoke(cli, ["translate", "--beam-size", "1"])
    assert result.exit_code == 0, result.output
    assert "3 written" in result.output
    monkeypatch.chdir(site)
    mkdocs_build(site, tmp_path)
    return site


def test_folder_structure_twins_mirror_their_sources(mkdocs_folder_site: Path) -> None:
    docs = mkdocs_folder_site / "docs"
    assert sorted(str(p.relative_to(docs)) for p in docs.rglob("*.md")) == sorted(
        [
            "en/about.md", "en/guide/oppsett.md", "en/index.md",
            "nb/about.md", "nb/guide/oppsett.md", "nb/index.md",
        ]
    )  # fmt: skip
    twin = read_article(docs / "en" / "guide" / "oppsett.md")
    assert twin.meta["bilingo"]["source"] == "guide/oppsett.md"
    check = CliRunner().invoke(cli, ["check"])
    assert "missing" not in check.output and "invalid" not in check.output, check.output
    assert "3 sources, 3 twins" in check.output
    assert not list(mkdocs_folder_site.rglob("*.lock"))
    assert (mkdocs_folder_site / ".bilingo" / "memory.sqlite").is_file()


# folder-structure page -> (its URL, the twin's URL)
FOLDER_PAGES = {
    "docs/nb/index.md": ("/nb/", "/"),
    "docs/nb/guide/oppsett.md": ("/nb/guide/oppsett/", "/guide/oppsett/"),
    "docs/en/about.md": ("/about/", "/nb/about/"),
}


@pytest.mark.parametrize("source", sorted(FOLDER_PAGES))
def test_folder_structure_pairs_build_and_link_both_ways(
    mkdocs_folder_site: Path, source: str
) -> None:
    own_url, twin_url = FOLDER_PAGES[source]
    own = read_page(built(mkdocs_folder_site, own_url))
    twin = read_page(built(mkdocs_folder_site, twin_url))
    own_lang = "nb" if own_url.startswith("/nb/") else "en"
    twin_lang = "en" if own_lang == "nb" else "nb"

    def target(page: Page, lang: str) -> str:
        return re.sub(r"^(\.\./)+|^\./", "/", page.alternates[lang]).rstrip("/") + "/"

    assert target(own, twin_lang).endswith(twin_url)
    assert target(twin, own_lang).endswith(own_url)
    assert own.structure == twin.structure


def test_dialect_markup_renders_in_both_languages(mkdocs_site: Path) -> None:
    """Heading ids, icons, definition lists, abbreviations and tab bodies survive translation."""
    for url in PAGES["docs/guide/oppsett.nb.md"]:
        page = read_page(built(mkdocs_site, url))
        html = built(mkdocs_site, url).read_text(encoding="utf-8")
        assert 'id="medlem"' in html
        for kind in ("dt", "dd", "abbr", "sup", "twemoji", "tabbed-set", "pre"):
            assert kind in page.structure, (url, kind)
        assert page.structure.count("twemoji") == 2


@pytest.mark.parametrize("copy_layout", ["upper"], indirect=True)
def test_admonition_after_a_definition_stays_an_admonition(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``!!! note`` line right after a definition (no blank line between), whose body
    starts with ``:``, reads as the list's next term to markdown-it's definition-list rule;
    Python-Markdown runs its admonition rule first and opens an admonition, so its marker
    is markup, not prose. On the upper copy model a translated marker would read
    ``!!! NOTE``; MkDocs builds both pages with the admonition."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    source = site / "docs" / "guide" / "oppsett.nb.md"
    text = source.read_text(encoding="utf-8")
    definition = "Medlemskap\n:   Gir tilgang til alle møtene i klyngen.\n"
    assert definition in text
    source.write_text(
        text.replace(definition, definition + '!!! note "Merk"\n    : Møtene er åpne.\n'),
        encoding="utf-8",
    )
    monkeypatch.chdir(site)
    result = CliRunner().invoke(cli, ["translate", "docs", "--beam-size", "1"])
    assert result.exit_code == 0, result.output
    twin = read_article(site / "docs" / "guide" / "oppsett.en.md").body
    assert '!!! note "MERK"\n    : MØTENE ER ÅPNE.\n' in twin
    mkdocs_build(site, tmp_path)
    for url in PAGES["docs/guide/oppsett.nb.md"]:
        html = built(site, url).read_text(encoding="utf-8")
        assert '<div class="admonition note">' in html, url  # not "NOTE": the marker is kept
        assert "dd" in read_page(built(site, url)).structure


def test_a_first_run_starts_the_model_before_the_plan(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkdocs-static-i18n's suffix layout (``x.nb.md``, ``x.en.md``) says each source's
    language: a first run loads the model of the first source's direction before the plan
    (bilingo.detect.likely_direction), and MkDocs builds and links every pair."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    monkeypatch.chdir(site)
    index = PairIndex(build_settings([site]).pairing)
    docs = sorted((site / "docs").rglob("*.md"))
    guess = likely_direction([read_article(p) for p in docs], index)
    assert guess == ("en", "nb")  # about.en.md, the first source read
    events = recorded(monkeypatch)
    result = CliRunner().invoke(cli, ["translate", "docs", "--beam-size", "1"])
    assert result.exit_code == 0, result.output
    assert events[:2] == ["load_soon en", "plan"]
    mkdocs_build(site, tmp_path)
    for own_url, twin_url in PAGES.values():
        assert built(site, own_url).is_file() and built(site, twin_url).is_file()
