"""Jekyll with jekyll-polyglot: a trimmed copy of jekyll/jekyll's own ``docs/`` (pages rich in
Liquid), with Polyglot's settings in its ``_config.yml``.

No Liquid reaches the engine (the real one on the copy models records what it is sent), the
identity model's twins are byte-identical to their sources, and Debian's ``jekyll`` with
``ruby-jekyll-polyglot`` builds source plus twins with every pair linked both ways.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.commands.translate import translate_paths
from bilingo.document import segment
from bilingo.glossary import empty_glossary
from bilingo.jekyll import JekyllSite
from bilingo.site import build_settings
from bilingo.siteconfig import SiteError, read_site_config

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DOCS = FIXTURES / "sites" / "jekyll-docs"
#: What only Liquid and kramdown write: none of it may be sent.
NEVER_SENT = ("{{", "}}", "{%", "%}", "{:", "relative_url", "endraw", "endhighlight")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "docs"
    shutil.copytree(DOCS, root)
    monkeypatch.chdir(root)
    return root


#: Links to pages of the fixture that get a twin (outside ``{% raw %}``: examples stay).
TRANSLATED_LINK = re.compile(
    r"(\{% link _docs/(?:variables|structure|front-matter|permalinks))\.md"
)


def twin_links(body: str) -> str:
    return TRANSLATED_LINK.sub(r"\1.nb.md", body)


def sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.md") if not p.name.endswith(".nb.md"))


def test_polyglot_config_is_read(site: Path) -> None:
    config = read_site_config(site)
    assert config.kind.value == "jekyll" and config.dialect.value == "jekyll"
    langs = config.languages.value
    assert (langs["en"].code, langs["en"].default, langs["nb"].default) == ("en", True, False)
    assert config.layout.value == "suffix" and config.content_dir.value == site
    assert config.jekyll is not None
    assert config.jekyll.unlocalized == ((site / "assets").resolve(),)
    (site / "_config.yml").write_text("markdown: redcarpet\nlanguages: [nb, en]\n")
    with pytest.raises(SiteError, match="kramdown"):
        read_site_config(site)


def test_permalinks_are_the_ones_jekyll_derives(tmp_path: Path) -> None:
    config = {
        "collections": {
            "docs": {"permalink": "/:collection/:path/"},
            "posts": {"permalink": "/news/:year/:month/:day/:title/"},
        }
    }
    jekyll = JekyllSite.from_config(tmp_path, config)
    for rel, meta, url in [
        ("about.md", {}, "/about.html"),
        ("blog/index.md", {}, "/blog/"),
        ("_docs/liquid/tags.md", {}, "/docs/liquid/tags/"),
        ("_docs/x.md", {"permalink": "/own/"}, "/own/"),
        ("_posts/2016-10-06-jekyll-3-3.md", {}, "/news/2016/10/06/jekyll-3-3/"),
        ("_tutorials/nav.md", {}, "/tutorials/nav.html"),
    ]:
        assert jekyll.permalink_of(tmp_path / rel, meta) == url, rel
    pretty = JekyllSite.from_config(tmp_path, {"permalink": "pretty"})
    assert pretty.permalink_of(tmp_path / "about.md", {}) == "/about/"
    assert pretty.permalink_of(tmp_path / "_posts/2020-01-02-hi.md", {"category": "a b"}) == (
        "/a/b/2020/01/02/hi/"
    )


def test_liquid_and_kramdown_stay_literal_in_segments() -> None:
    body = (
        "See [plugins]({{ '/docs/plugins/' | relative_url }}) and {% link a.md %}.\n\n"
        "Use {% raw %}{{ page.title }}{% endraw %} here.\n\n"
        "{% highlight ruby %}\ndef foo\n\n  puts 'hi'\nend\n{% endhighlight %}\n\n"
        "{% raw %}\n```liquid\n{{ page.title }}\n```\n{% endraw %}\n\n"
        '* TOC\n{:toc}\n\nA note.\n{: .note}\n\n{::options parse_block_html="true" /}\n\n'
        "[jekyll]: {{ site.url }}/docs\n"
    )
    texts = [s.text for s in segment(body, strict=True).segments]
    assert texts == ["See", "plugins", "and", "Use", "here.", "TOC", "A note."]


def test_no_liquid_reaches_the_engine_and_identity_twins_are_byte_identical(
    site: Path, copy_layout: CopyLayout
) -> None:
    sent: list[str] = []
    settings = build_settings([], use_glossary=False)
    from bilingo.pairs import PairIndex

    report = translate_paths(
        list(settings.content_dirs),
        glossary=empty_glossary(),
        engine_factory=recording_factory(sent, beam_size=1),
        index=PairIndex(settings.pairing),
    )
    assert report.exit_code == 0, report.outcomes
    leaked = sorted({s for s in sent for m in NEVER_SENT if m in s})
    assert not leaked, leaked
    written = {o.source: o for o in report.outcomes if o.twin is not None}
    skipped = {o.source.name for o in report.outcomes if o.action == "skipped"}
    assert "notes.md" in skipped  # exclude_from_localization: no twin
    pages = [p for p in sources(site) if "assets" not in p.parts]
    assert len(written) == len(pages) >= 8
    for src_path, outcome in written.items():
        src, twin = read_article(src_path), read_article(outcome.twin)  # type: ignore[arg-type]
        assert twin.meta["lang"] == "nb"
        assert twin.meta["permalink"] == settings.pairing.jekyll.permalink_of(  # type: ignore[union-attr]
            src.path, src.meta
        )
        # A link to a translated page names its twin (Polyglot keeps only the nb version in
        # the nb build); every other byte is the engine's, the identity model's the source's.
        assert twin.body == twin_links(copy_layout.expected_body(src.body, "en", "nb"))
        if copy_layout.layout == "shared":  # the identity model: byte for byte
            assert twin.body == twin_links(src.body)


def jekyll_or_skip() -> None:
    if shutil.which("jekyll") is None:
        pytest.skip("jekyll is not installed (apt-get install jekyll ruby-jekyll-polyglot)")
    probe = subprocess.run(
        ["ruby", "-e", "require 'jekyll-polyglot'"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip("jekyll-polyglot is not installed (apt-get install ruby-jekyll-polyglot)")


def page_file(site_dir: Path, url: str) -> Path:
    rel = url.strip("/")
    return site_dir / rel if rel.endswith(".html") else site_dir / rel / "index.html"


def test_jekyll_builds_every_pair_linked_both_ways(site: Path, argos_packages_dir: Path) -> None:
    jekyll_or_skip()
    settings = build_settings([], use_glossary=False)
    from bilingo.pairs import PairIndex

    report = translate_paths(
        list(settings.content_dirs),
        glossary=empty_glossary(),
        engine_factory=recording_factory([], beam_size=1),
        index=PairIndex(settings.pairing),
    )
    assert report.exit_code == 0, report.outcomes
    out = site.parent / "_site"
    build = subprocess.run(
        ["jekyll", "build", "-s", str(site), "-d", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    jekyll = settings.pairing.jekyll
    assert jekyll is not None
    pairs = [o for o in report.outcomes if o.twin is not None]
    assert len(pairs) >= 8
    for outcome in pairs:
        src = read_article(outcome.source)
        url = jekyll.permalink_of(src.path, src.meta)
        assert url is not None
        en, nb = page_file(out, url), page_file(out / "nb", url)
        for page, lang, other in ((en, "en", nb), (nb, "nb", en)):
            html = page.read_text(encoding="utf-8")
            # The source says no lang: (Polyglot's default); the twin says nb.
            shown = re.search(r'<p id="page-lang">([^<]*)</p>', html)
            assert shown is not None and shown.group(1) in ({"", "en"} if lang == "en" else {"nb"})
            href = re.search(r'<span class="alternate" lang="[^"]+">([^<]*)</span>', html)
            assert href is not None, page
            assert page_file(out, href.group(1)) == other, (page, href.group(1))
