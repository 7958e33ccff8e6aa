"""More sites as they are (issue 23): Zola read as Zola (not Hugo), Hugo's top-level
``contentDir`` (the CNCF glossary's config), Zola shortcodes and nested MkDocs constructs
through the engine, and the dialect seam (a new dialect is one module and one name)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import CopyLayout, recording_factory

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.document import dialects, segment
from bilingo.glossary import empty_glossary
from bilingo.site import build_settings
from bilingo.siteconfig import read_site_config

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ZOLA = FIXTURES / "sites" / "zola"
NESTED = FIXTURES / "dialects" / "mkdocs-nested.md"

#: The CNCF glossary's language settings (cncf/glossary config.toml), its commented-out
#: ``[languages.no]`` table switched on: the default language reads the top-level contentDir.
CNCF = """\
baseURL = "https://glossary.cncf.io/"
title = "Cloud Native Glossary"
contentDir = "content/en"
defaultContentLanguage = "en"
defaultContentLanguageInSubdir = false

[languages]
[languages.en]
title = "Cloud Native Glossary"
languageName ="English"
weight = 1

[languages.no]
title = "CNCF Glossary"
languageName ="Norsk"
contentDir = "content/no"

[languages.hi]
languageName ="Hindi"
contentDir = "content/hi"
weight = 2
"""


def test_cncf_top_level_content_dir_is_the_default_languages(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CNCF, encoding="utf-8")
    config = read_site_config(tmp_path)
    assert config.kind.value == "hugo" and config.layout.value == "folder"
    langs = config.languages.value
    assert langs["en"].content_dir == tmp_path / "content/en" and langs["en"].default
    assert langs["nb"].content_dir == tmp_path / "content/no" and langs["nb"].code == "no"
    assert config.other_languages == ("hi",)


def test_hugo_layouts_bilingo_toml_can_express(tmp_path: Path) -> None:
    # One language with its own folder, the other the top-level one (Hugo's "content").
    (tmp_path / "hugo.toml").write_text(
        'defaultContentLanguage = "nb"\n[languages.nb]\n[languages.en]\ncontentDir = "en"\n',
        encoding="utf-8",
    )
    config = read_site_config(tmp_path)
    assert config.layout.value == "folder"
    assert config.languages.value["nb"].content_dir == tmp_path / "content"
    # bilingo.toml moves the nb folder elsewhere, the en one stays Hugo's.
    (tmp_path / "bilingo.toml").write_text('[languages.nb]\ndir = "nb"\n', encoding="utf-8")
    config = read_site_config(tmp_path)
    assert config.languages.value["nb"].content_dir == tmp_path / "nb"
    assert config.languages.value["en"].content_dir == tmp_path / "en"
    # Both languages in one folder: pairs by file name.
    (tmp_path / "bilingo.toml").unlink()
    (tmp_path / "hugo.toml").write_text(
        '[languages.nb]\ncontentDir = "c"\n[languages.en]\ncontentDir = "c"\n', encoding="utf-8"
    )
    config = read_site_config(tmp_path)
    assert config.layout.value == "suffix" and config.content_dir.value == tmp_path / "c"


def test_zola_config_is_read_as_zola_and_bilingo_site_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "zola"
    shutil.copytree(ZOLA, root)
    config = read_site_config(root)
    assert (config.kind.value, config.dialect.value) == ("zola", "zola")
    langs = config.languages.value
    assert langs["en"].default and langs["nb"].code == "nb" and not langs["nb"].default
    assert config.content_dir.value == root / "content"
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["site"], catch_exceptions=False)
    assert result.exit_code == 0 and "zola" in result.output.split("kind", 1)[1].split("\n")[0]
    settings = build_settings([], use_glossary=False)
    page = Path("content/blog/shortcodes.md")
    assert settings.pairing.twin_path(page, "nb") == Path("content/blog/shortcodes.nb.md")
    # The default language's twin has no suffix, whether or not it exists yet.
    assert settings.pairing.twin_path(Path("content/blog/ny.nb.md"), "en") == Path(
        "content/blog/ny.md"
    )
    # Hugo's config.toml says baseURL: still Hugo.
    hugo = tmp_path / "hugo"
    hugo.mkdir()
    (hugo / "config.toml").write_text('baseURL = "https://x.org/"\n', encoding="utf-8")
    assert read_site_config(hugo).kind.value == "hugo"


ZOLA_NEVER_SENT = ("{{", "}}", "{%", "%}", "youtube", "author", "@/", "#further", "*/")
NESTED_NEVER_SENT = (
    "!!!", "???", "===", "[!", "{", ":octicons", ":material", ":smile", ":x:",
    ":fontawesome", "md-button", "abstract", "WARNING",
)  # fmt: skip


@pytest.mark.parametrize("case", ["zola", "mkdocs-nested"])
def test_fixtures_hold_under_identity_upper_and_the_engine_probe(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    if case == "zola":
        root = tmp_path / "zola"
        shutil.copytree(ZOLA, root)
        never, content = ZOLA_NEVER_SENT, root / "content"
    else:
        root = tmp_path / "plain"
        root.mkdir()
        shutil.copy(NESTED, root / "nested.en.md")
        never, content = NESTED_NEVER_SENT, root
    monkeypatch.chdir(root)
    settings = build_settings([content], use_glossary=False)
    from bilingo.pairs import PairIndex

    sent: list[str] = []
    report = translate_paths(
        [content],
        glossary=empty_glossary(),
        engine_factory=recording_factory(sent, beam_size=1),
        index=PairIndex(settings.pairing),
    )
    assert report.exit_code == 0, report.outcomes
    leaked = sorted({s for s in sent for m in never if m in s})
    assert not leaked, leaked
    written = [o for o in report.outcomes if o.twin is not None]
    assert written and all(o.twin.name.endswith(".nb.md") for o in written)  # type: ignore[union-attr]
    for outcome in written:
        src, twin = read_article(outcome.source), read_article(outcome.twin)  # type: ignore[arg-type]
        assert twin.body == copy_layout.expected_body(src.body, "en", "nb")
        if copy_layout.layout == "shared":
            assert twin.body == src.body
    bodies = " ".join(sent)
    for prose in (
        ("The engine weaves algebraic patterns", "This note sits inside the quote.")
        if case == "zola"
        else ("The cluster grows", "Large sites need", "two levels deep", "Goal – Enable")
    ):
        assert prose in bodies, prose


WIKI = """
from collections.abc import Mapping
from types import MappingProxyType

from markdown_it import MarkdownIt

from bilingo.document.dialects import LiteralFinder, LiteralPattern
from bilingo.document.sourcemap import Annotator


class Wiki:
    name = "wiki"
    kinds = frozenset({"wiki"})
    containers: Mapping[str, str] = MappingProxyType({})
    annotators: Mapping[str, Annotator] = MappingProxyType({})
    literals = (LiteralPattern("wikilink", r"\\[\\[[^\\]\\n]+\\]\\]"),)
    finders: tuple[LiteralFinder, ...] = ()
    triggers = ("[[",)

    @staticmethod
    def update_mdit(md: MarkdownIt) -> None:
        pass


DIALECT = Wiki()
"""


def test_a_new_dialect_is_one_module_and_one_registration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The README's example: the module, and its name in REGISTRY; nothing else changes."""
    module = types.ModuleType("bilingo.document.dialects.wiki")
    exec(compile(WIKI, "wiki.py", "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(dialects, "REGISTRY", (*dialects.REGISTRY, "wiki"))
    dialects.load.cache_clear()
    try:
        body = "See [[Main Page]] for more.\n"
        assert [s.text for s in segment(body, dialects=["wiki"]).segments] == ["See", "for more."]
        assert dialects.dialects_for("wiki") == ("commonmark", "wiki")
        assert "Main Page" in " ".join(s.text for s in segment(body, dialects=[]).segments)
    finally:
        dialects.load.cache_clear()


def test_the_site_kind_chooses_the_dialects(tmp_path: Path) -> None:
    """A Hugo site's pages are read as Goldmark reads them: ``!!! note`` is MkDocs' syntax,
    its line is text there and its indented body code; a plain folder reads every dialect."""
    from bilingo.site import pairing_of

    body = "!!! note\n\n    The body of the note.\n"
    (tmp_path / "hugo.toml").write_text('baseURL = "https://x.org/"\n', encoding="utf-8")
    pairing = pairing_of(read_site_config(tmp_path))
    assert pairing.dialects == ("commonmark", "hugo")
    hugo = segment(body, dialects=pairing.dialects)
    assert [s.text for s in hugo.segments] == ["!!! note"]  # Hugo shows it
    assert [s.text for s in segment(body).segments] == ["The body of the note."]


def test_the_kinds_table_is_what_each_dialect_module_declares() -> None:
    """:data:`dialects.KINDS` spares a site's settings importing the modules: it must say
    what they say, for every registered one."""
    assert [name for name, _ in dialects.KINDS] == list(dialects.REGISTRY)
    for name, kinds in dialects.KINDS:
        assert dialects.load(name).kinds == kinds, name


def test_a_sites_dialects_are_named_without_markdown_it(tmp_path: Path) -> None:
    """A Hugo site's settings name its dialects; its parser is loaded only to read a body."""
    (tmp_path / "hugo.toml").write_text('baseURL = "https://x.org/"\n', encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bilingo.site import pairing_of\n"
        "from bilingo.siteconfig import read_site_config\n"
        f"pairing = pairing_of(read_site_config(Path({str(tmp_path)!r})))\n"
        "assert pairing.dialects == ('commonmark', 'hugo'), pairing.dialects\n"
        "assert 'markdown_it' not in sys.modules, 'markdown_it imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
