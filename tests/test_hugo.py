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
from hugosite import (
    HUGO_CONFIG,
    HUGO_FOLDER_CONFIG,
    HUGO_NO_CONFIG,
    build,
    hugo_or_skip,
    read_pages,
    write_site,
)
from support import CopyLayout

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.glossary import load_glossary

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "frontmatter"
CASES = sorted(FIXTURES.glob("*.nb.md"))
BASE = "https://example.org"
GLOSSARY = "terms:\n  - nb: ull\n    en: wool\n"


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


#: A site's pages by their path inside the nb content (no language suffix), each from a
#: fixture: the home and nested sections (``_index``), a leaf bundle (``index``), and pages
#: with TOML and JSON front matter.
PAGES = {
    "_index": "ullklaer-yaml",
    "docs/_index": "ullklaer-yaml",
    "docs/guide/_index": "ullklaer-json",
    "docs/guide/oppsett": "ullklaer-toml",
    "posts/ull/index": "ullklaer-yaml",
    "posts/eksport": "ullklaer-toml",
}


def url_of(rel: str) -> str:
    """The path Hugo publishes a page at (a bundle's ``index``/a section's ``_index``: the
    folder's URL)."""
    folder, _, name = rel.rpartition("/")
    parts = [folder] if name in ("index", "_index") else [folder, name]
    return "/".join(p for p in parts if p)


def assert_site_linked(root: Path, nb_code: str) -> None:
    """Every page of :data:`PAGES` is published in both languages, each linked to the other,
    with the same structure."""
    pages = read_pages(build(root))
    for rel in PAGES:
        url = url_of(rel)
        url = f"{url}/" if url else ""
        nb = pages[f"{BASE}/{nb_code}/{url}"]
        en = pages[f"{BASE}/en/{url}"]
        assert (nb.lang, en.lang) == (nb_code, "en"), rel
        assert nb.translations == {"en": en.permalink}, rel
        assert en.translations == {nb_code: nb.permalink}, rel
        assert nb.structure == en.structure, rel
        assert {"h2", "p"} <= set(nb.structure), rel


def test_hugo_site_keyed_no_with_bundles_and_sections_links_every_pair(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Languages keyed ``no`` and ``en``, pairs by file name: twins are named with the site's
    code (``x.en.md`` beside ``x.no.md``), bundles and ``_index`` pages included. Run from a
    section folder (``cd content/docs && bilingo translate .``), bilingo uses the site's
    glossary and the one memory at the root, and leaves nothing beside the articles."""
    hugo_or_skip()
    root = tmp_path / "site"
    content = write_site(root, HUGO_NO_CONFIG)
    for rel, case in PAGES.items():
        target = content / f"{rel}.no.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / f"{case}.nb.md", target)
    (root / "glossary.yml").write_text(GLOSSARY, encoding="utf-8")
    before = {p.relative_to(root) for p in root.rglob("*")}

    monkeypatch.chdir(content / "docs")
    result = CliRunner().invoke(cli, ["translate", "."], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "3 written" in result.output
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["translate"], catch_exceptions=False)  # the content
    assert result.exit_code == 0, result.output
    assert "3 written" in result.output and "3 up to date" in result.output

    made = {p.relative_to(root) for p in root.rglob("*")} - before
    twins = {Path("content") / f"{rel}.en.md" for rel in PAGES}
    state = {Path(".bilingo"), Path(".bilingo/.gitignore"), Path(".bilingo/lock")}
    assert made - state == twins | {Path(".bilingo/memory.sqlite")}
    assert (root / ".bilingo" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    twin = read_article(content / "docs" / "guide" / "oppsett.en.md")
    assert twin.front_format == "toml"
    assert "translationKey" not in twin.meta
    assert twin.meta["bilingo"]["source"] == "oppsett.no.md"
    # Both runs (from the section and from the root) used the site's glossary.
    site_glossary = load_glossary(root / "glossary.yml").hash
    for rel in ("docs/guide/oppsett", "posts/eksport"):
        prov = read_article(content / f"{rel}.en.md").meta["bilingo"]
        assert prov["glossary_hash"] == site_glossary, rel

    check = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert check.exit_code == 0 or "unreviewed" in check.output, check.output
    assert "missing" not in check.output and "orphaned" not in check.output
    assert_site_linked(root, "no")


def test_hugo_site_with_a_content_folder_per_language_links_every_pair(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """contentDir per language: ``content/no/posts/x.md`` gets ``content/en/posts/x.md``
    (folders created inside the English content only), and Hugo links them by path."""
    hugo_or_skip()
    root = tmp_path / "site"
    write_site(root, HUGO_FOLDER_CONFIG)
    nb = root / "content" / "no"
    for rel, case in PAGES.items():
        target = nb / f"{rel}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / f"{case}.nb.md", target)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["translate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{len(PAGES)} written" in result.output
    en = root / "content" / "en"
    assert sorted(p.relative_to(en) for p in en.rglob("*.md")) == sorted(
        Path(f"{rel}.md") for rel in PAGES
    )
    twin = read_article(en / "docs" / "guide" / "oppsett.md")
    assert twin.meta["bilingo"]["source"] == "docs/guide/oppsett.md"
    assert twin.meta["lang"] == "en" or "lang" not in twin.meta

    # Either side finds the pair; the second run has nothing to do.
    for side in (nb / "posts" / "eksport.md", en / "posts" / "eksport.md"):
        diff = CliRunner().invoke(cli, ["diff", str(side)], catch_exceptions=False)
        assert "no en twin" not in diff.output and "error" not in diff.output, diff.output
    again = CliRunner().invoke(cli, ["translate"], catch_exceptions=False)
    assert f"{len(PAGES)} up to date" in again.output, again.output
    check = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert "missing" not in check.output and "orphaned" not in check.output, check.output
    assert "invalid" not in check.output, check.output
    assert_site_linked(root, "no")


DIALECT_PAGE = """\
---
title: Veiledning
---

## Oppsett {#oppsett}

Klyngen har mange medlemmer i hele landet.
{.lead}

{{% merknad %}}
Dette er en **viktig** merknad om klyngen.
{{% /merknad %}}

{{< kode >}}
ikke_oversett = "denne teksten"
{{< /kode >}}

Medlem
: En bedrift som deltar i klyngen.
"""

SHORTCODES = {
    # {{% %}}: Hugo renders the inner Markdown; {{< >}}: the inner text as it is.
    "merknad.html": '<div class="merknad">{{ .Inner | markdownify }}</div>',
    "kode.html": '<pre class="kode">{{ .Inner }}</pre>',
}


def test_hugo_dialect_page_translated_and_built(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hugo's own Markdown — a heading id, a block attribute, a shortcode whose body is
    Markdown, one whose body is code, a definition list — through a copy package of each
    shape (the upper-casing one stands for OPUS-MT), then built by Hugo: the twin renders the
    same structure, the prose is translated and the code shortcode's body is not."""
    hugo_or_skip()
    root = tmp_path / "site"
    config = HUGO_CONFIG + (
        "\n[markup.goldmark.parser.attribute]\nblock = true\n"
        "[markup.goldmark.renderer]\nunsafe = true\n"  # the shortcodes' own HTML
    )
    content = write_site(root, config)
    shortcodes = root / "layouts" / "shortcodes"
    shortcodes.mkdir(parents=True)
    for name, template in SHORTCODES.items():
        (shortcodes / name).write_text(template, encoding="utf-8")
    (content / "veiledning.nb.md").write_text(DIALECT_PAGE, encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["translate", "content"], catch_exceptions=False)
    assert result.exit_code == 0 and "1 written" in result.output, result.output

    pages = read_pages(build(root))
    nb, en = pages[f"{BASE}/nb/veiledning/"], pages[f"{BASE}/en/veiledning/"]
    assert nb.translations == {"en": en.permalink} and en.translations == {"nb": nb.permalink}
    assert nb.structure == en.structure
    assert {"h2", "p", "div", "pre", "dl", "dt", "dd", "strong"} <= set(nb.structure)
    html = en.file.read_text(encoding="utf-8")
    assert 'id="oppsett"' in html and 'class="lead"' in html
    assert copy_layout.expected("merknad om klyngen.") in html  # Markdown body: translated
    assert copy_layout.expected("En bedrift som deltar i klyngen.") in html
    assert 'ikke_oversett = "denne teksten"' in html  # code body: kept as it is


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_review_of_a_hugo_site_in_two_processes_gives_the_same_pages(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Hugo site laid out by folder (contentDir per language) in Hugo's dialect, 40
    pages translated through each copy-package shape; a person edits one twin, approves
    another, then its source changes. Hugo builds it, and ``bilingo review`` makes the
    same pages, byte for byte, in one process and in two; the person's text is on both."""
    from bilingo import workers

    if workers.available() < 2:
        pytest.skip("needs 2 CPUs on Linux to fork")
    hugo_or_skip()
    root = tmp_path / "site"
    config = HUGO_FOLDER_CONFIG + (
        "\n[markup.goldmark.parser.attribute]\nblock = true\n"
        "[markup.goldmark.renderer]\nunsafe = true\n"
    )
    write_site(root, config)
    shortcodes = root / "layouts" / "shortcodes"
    shortcodes.mkdir(parents=True)
    for name, template in SHORTCODES.items():
        (shortcodes / name).write_text(template, encoding="utf-8")
    nb = root / "content" / "no" / "posts"
    nb.mkdir(parents=True)
    for i in range(40):
        page = DIALECT_PAGE.replace("Veiledning", f"Veiledning {i}").replace(
            "mange medlemmer", f"{i + 2} medlemmer"
        )
        (nb / f"side-{i:02d}.md").write_text(page, encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["translate"], catch_exceptions=False)
    assert result.exit_code == 0 and "40 written" in result.output, result.output
    en = root / "content" / "en" / "posts"
    edited = en / "side-03.md"
    mine = "A person's own sentence about the cluster."
    text = edited.read_text(encoding="utf-8")
    first = text.split("\n\n")[2]  # the paragraph after the heading
    edited.write_text(text.replace(first, f"{mine}\n{{.lead}}", 1), encoding="utf-8")
    approved = CliRunner().invoke(cli, ["approve", str(en / "side-07.md"), "--by", "Kari"])
    assert approved.exit_code == 0, approved.output
    source = nb / "side-07.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("En bedrift", "Et selskap"), encoding="utf-8"
    )
    build(root)  # the site as it stands builds

    one = CliRunner().invoke(cli, ["review", "--html", "r1", "--jobs", "1"])
    two = CliRunner().invoke(cli, ["review", "--html", "r2", "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    assert one.output.replace("r1/", "r2/") == two.output
    assert "40 articles" in one.output and "1 stale" in one.output, one.output
    pages = _files(root / "r1")
    assert len(pages) > 40 and pages == _files(root / "r2")
    page = pages["content--no--posts--side-03.html"].decode()
    other = pages["content--no--posts--side-04.html"].decode()
    assert mine in page and mine not in other
    # The person's paragraph carries the edited badge (the legend has one on every page).
    assert page.count("badge st-edited") == other.count("badge st-edited") + 1
    assert mine in edited.read_text(encoding="utf-8")  # review writes only its pages
