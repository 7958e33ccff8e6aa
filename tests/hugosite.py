"""A small Hugo site built from bilingo's output: Hugo is the client the twins are for.

:func:`write_site` lays out a site with languages ``nb`` and ``en`` (pairs by file name,
``x.nb.md`` / ``x.en.md``), whose one page template prints the page's language, its
permalink, its content and every translation Hugo linked to it. :func:`build` runs Debian's
``hugo`` on it and :func:`read_pages` reads the built pages back, so a test can assert that
each pair is linked both ways and renders the same structure.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "bilingo test site"
defaultContentLanguage = "nb"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[languages.nb]
weight = 1
languageName = "Norsk"

[languages.en]
weight = 2
languageName = "English"
"""

#: The language keyed ``no`` (as many Norwegian sites do), pairs by file name: ``x.no.md``.
HUGO_NO_CONFIG = HUGO_CONFIG.replace('"nb"', '"no"').replace("[languages.nb]", "[languages.no]")

#: Pairs by folder: each language has its own content folder (Hugo's contentDir).
HUGO_FOLDER_CONFIG = HUGO_NO_CONFIG.replace(
    'languageName = "Norsk"', 'languageName = "Norsk"\ncontentDir = "content/no"'
).replace('languageName = "English"', 'languageName = "English"\ncontentDir = "content/en"')

#: Every page: its language and permalink, its content, and the translations Hugo linked.
SINGLE = """\
<!doctype html>
<html lang="{{ .Language.Lang }}">
<head><link rel="canonical" href="{{ .Permalink }}"></head>
<body>
<main>{{ .Content }}</main>
<nav id="translations">
{{ range .Translations }}<a hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ .Title }}</a>
{{ end }}</nav>
</body>
</html>
"""

#: Section and home pages: the same as a single page (their ``_index`` content and the
#: translations Hugo linked), then the titles of the pages they list.
LIST = SINGLE.replace(
    "</body>", '<ul id="list">{{ range .Pages }}{{ .Title }}{{ end }}</ul></body>'
)


def hugo_or_skip() -> str:
    """The ``hugo`` executable, or skip the test saying how to get one."""
    hugo = shutil.which("hugo")
    if hugo is None:
        pytest.skip("hugo is not installed: apt-get install hugo (.ci/run installs it)")
    return hugo


def write_site(root: Path, config: str = HUGO_CONFIG) -> Path:
    """A Hugo site's config and templates under ``root``; returns its content folder."""
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(SINGLE, encoding="utf-8")
    (root / "layouts" / "_default" / "list.html").write_text(LIST, encoding="utf-8")
    (root / "layouts" / "index.html").write_text(LIST, encoding="utf-8")
    content = root / "content"
    content.mkdir()
    return content


def build(root: Path) -> Path:
    """Run Hugo on the site at ``root``; returns the folder it published to."""
    public = root / "public"
    done = subprocess.run(
        [hugo_or_skip(), "--source", str(root), "--destination", str(public), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return public


@dataclass(frozen=True)
class Page:
    """A page Hugo built, as the template above prints it."""

    file: Path
    lang: str
    permalink: str
    #: Translations Hugo linked to this page: language -> permalink.
    translations: dict[str, str]
    #: The content's element names in document order: its structure, whatever the words.
    structure: tuple[str, ...]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.permalink = ""
        self.translations: dict[str, str] = {}
        self.structure: list[str] = []
        self._where: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "canonical":
            self.permalink = a.get("href", "")
        elif tag == "main":
            self._where.append("main")
        elif tag == "nav":
            self._where.append("nav")
        elif self._where[-1:] == ["main"]:
            self.structure.append(tag)
        elif self._where[-1:] == ["nav"] and tag == "a":
            self.translations[a.get("hreflang", "")] = a.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("main", "nav") and self._where:
            self._where.pop()


def read_pages(public: Path) -> dict[str, Page]:
    """Every single page Hugo published, keyed by its permalink."""
    pages: dict[str, Page] = {}
    for file in sorted(public.rglob("*.html")):
        parser = _PageParser()
        parser.feed(file.read_text(encoding="utf-8"))
        if parser.permalink:  # every template above prints one
            pages[parser.permalink] = Page(
                file,
                parser.lang,
                parser.permalink,
                parser.translations,
                tuple(parser.structure),
            )
    return pages
