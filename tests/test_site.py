"""The site as every command sees it: one set of settings from the site's own configuration
(``bilingo site`` shows them and their origin), pairs in the site's layout, and a broken or
contradictory configuration stopping every command with exit 2, file, line and fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import read_article
from bilingo.cli import cli
from bilingo.layout import Pairing
from bilingo.site import EngineFlags, build_settings

NB = """---
title: En god artikkel
---
Dette er en vanlig artikkel om næringsklynger i Norge.

Den har to avsnitt, og begge skal oversettes.
"""

EN = """---
title: A good article
---
This is an ordinary article about business clusters in Norway.

It has two paragraphs, and both are to be translated.
"""

HUGO_NO = """\
baseURL = "https://example.org/"
defaultContentLanguage = "no"
[languages.no]
weight = 1
[languages.en]
weight = 2
"""

HUGO_FOLDERS = """\
defaultContentLanguage = "no"
[languages.no]
contentDir = "content/no"
[languages.en]
contentDir = "content/en"
"""

MKDOCS = """\
site_name: x
plugins:
  - i18n:
      docs_structure: suffix
      languages:
        - locale: en
          default: true
        - locale: nb
"""


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- settings


def test_bilingo_site_shows_each_setting_and_its_origin_from_any_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "hugo.toml", HUGO_NO)
    write(tmp_path / "bilingo.toml", 'fields = ["title"]\n[engine]\nbeam_size = 2\n')
    (tmp_path / "content" / "news").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "content" / "news")
    code, out = invoke("site", "--json")
    assert code == 0, out
    data = json.loads(out)
    root = tmp_path.resolve()
    assert data["root"]["value"] == str(root)
    assert data["kind"] == {"value": "hugo", "from": str(root / "hugo.toml")}
    assert data["languages"]["value"]["nb"]["code"] == "no"
    assert data["languages"]["from"] == str(root / "hugo.toml")
    assert data["layout"]["value"] == "suffix"
    assert data["content_dir"]["value"] == str(root / "content")
    assert data["dialect"]["value"] == "hugo"
    assert data["fields"] == {"value": ["title"], "from": str(root / "bilingo.toml")}
    assert data["state_dir"]["value"] == str(root / ".bilingo")
    assert data["engine"]["value"]["beam_size"] == 2
    assert data["engine"]["from"] == str(root / "bilingo.toml")
    code, text = invoke("site")
    assert code == 0 and f"({root / 'hugo.toml'})" in text and "code=no" in text


def test_engine_options_come_from_bilingo_toml_and_the_command_line_wins(
    tmp_path: Path,
) -> None:
    write(tmp_path / "bilingo.toml", '[engine]\nbeam_size = 2\ndevice = "auto"\n')
    settings = build_settings([tmp_path], cwd=tmp_path)
    assert (settings.engine.beam_size, settings.engine.device) == (2, "auto")
    flags = EngineFlags(beam_size=5, batch_tokens=64)
    settings = build_settings([tmp_path], cwd=tmp_path, engine=flags)
    assert (settings.engine.beam_size, settings.engine.device) == (5, "auto")
    assert settings.engine.batch_tokens == 64


def test_the_site_settings_carry_dialect_inline_and_content(tmp_path: Path) -> None:
    write(tmp_path / "mkdocs.yml", MKDOCS)
    write(tmp_path / "bilingo.toml", 'inline = "fragments"\n')
    (tmp_path / "docs").mkdir()
    settings = build_settings([], cwd=tmp_path)
    assert settings.dialect == "mkdocs" and settings.inline == "fragments"
    assert settings.content_dirs == (Path("docs"),)
    assert settings.pairing == Pairing(default="en", dialects=("commonmark", "mkdocs"))


# --------------------------------------------------------------------------- pairs


def test_a_hugo_site_keyed_no_gets_twins_named_with_its_code(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "hugo.toml", HUGO_NO)
    write(tmp_path / "content" / "posts" / "x" / "index.no.md", NB)
    write(tmp_path / "content" / "posts" / "_index.md", NB)  # no suffix: the default, no
    monkeypatch.chdir(tmp_path / "content" / "posts")
    code, out = invoke("translate", "--beam-size", "1")
    assert code == 0, out
    assert (tmp_path / "content" / "posts" / "x" / "index.en.md").is_file()
    assert (tmp_path / "content" / "posts" / "_index.en.md").is_file()
    assert not list(tmp_path.rglob("*.nb.md"))
    for side in ("x/index.no.md", "x/index.en.md", "_index.md", "_index.en.md"):
        code, out = invoke("diff", side)
        assert code in (0, 1) and "error" not in out, (side, out)
    code, out = invoke("detect", "x/index.no.md", "_index.md")
    assert out.splitlines()[0].split("\t")[1:2] == ["nb"]
    assert out.splitlines()[1].split("\t")[1:] == ["nb", "1.00000", "filename"]
    code, out = invoke("approve", "x/index.en.md")
    assert code == 0 and "approved" in out, out
    code, out = invoke("check")
    assert code == 0, out
    assert "2 sources, 2 twins" in out


def test_mkdocs_default_language_page_without_suffix_pairs_with_the_suffixed_one(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``index.md`` is the default language's page (en): its twin is ``index.nb.md``, and the
    twin of ``about.nb.md`` is the existing ``about.md``, found from either side."""
    write(tmp_path / "mkdocs.yml", MKDOCS)
    write(tmp_path / "docs" / "index.md", EN)
    monkeypatch.chdir(tmp_path)
    code, out = invoke("translate", "--beam-size", "1")
    assert code == 0, out
    twin = read_article(tmp_path / "docs" / "index.nb.md")
    assert twin.meta["bilingo"]["source"] == "index.md"
    for side in ("docs/index.md", "docs/index.nb.md"):
        code, out = invoke("diff", side)
        assert "error" not in out, (side, out)
    code, out = invoke("check")
    assert code == 0 and "1 sources, 1 twins" in out, out


def test_by_folder_a_source_line_reaching_outside_is_invalid_for_every_command(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "hugo.toml", HUGO_FOLDERS)
    write(tmp_path / "content" / "no" / "a" / "x.md", NB)
    write(tmp_path / "secret.md", NB)
    monkeypatch.chdir(tmp_path)
    code, out = invoke("translate", "--beam-size", "1")
    assert code == 0, out
    twin = tmp_path / "content" / "en" / "a" / "x.md"
    assert read_article(twin).meta["bilingo"]["source"] == "a/x.md"
    text = twin.read_text(encoding="utf-8")
    for hostile in ("../../../secret.md", "/etc/passwd", "a/../../no/a/x.md", "a\\x.md"):
        twin.write_text(text.replace("source: a/x.md", f"source: {hostile}"), encoding="utf-8")
        before = twin.read_bytes()
        code, out = invoke("check")
        assert code == 1 and "invalid" in out and "fix the 'source:' line" in out, out
        code, out = invoke("diff", str(twin))
        assert code == 2 and "fix the 'source:' line" in out, out
        code, out = invoke("approve", str(twin))
        assert code == 2 and "fix the 'source:' line" in out, out
        assert twin.read_bytes() == before


def test_by_folder_a_twin_folder_linked_outside_is_refused(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "hugo.toml", HUGO_FOLDERS)
    write(tmp_path / "content" / "no" / "a" / "x.md", NB)
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "content" / "en").mkdir()
    (tmp_path / "content" / "en" / "a").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    code, out = invoke("translate", "--beam-size", "1")
    assert code == 1 and "outside the site's language folders" in out, out
    assert list(outside.iterdir()) == []


def test_plain_folders_keep_twins_beside_their_sources(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "articles" / "x.md", NB)
    monkeypatch.chdir(tmp_path)
    code, out = invoke("translate", "articles", "--beam-size", "1")
    assert code == 0, out
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == ["x.en.md", "x.md"]
    assert sorted(p.name for p in (tmp_path / ".bilingo").iterdir()) == [
        ".gitignore",
        "lock",
        "memory.sqlite",
    ]


# --------------------------------------------------------------------------- errors


COMMANDS = [
    ("site",),
    ("translate",),
    ("check",),
    ("detect", "content/x.nb.md"),
    ("diff", "content/x.nb.md"),
    ("approve", "content/x.nb.md"),
    ("review", "--html", "out"),
    ("glossary", "show"),
    ("memory", "rebuild", "content"),
    ("models", "list"),
]

BROKEN = {
    "broken TOML": (
        {"hugo.toml": 'baseURL = "x"\n[languages.no\nweight = 1\n'},
        "hugo.toml:2: invalid TOML",
        "fix the file",
    ),
    "no model for the language": (
        {"hugo.toml": "[languages.fr]\nweight = 1\n[languages.en]\nweight = 2\n"},
        "hugo.toml: the site's languages (en, fr) include no Norwegian Bokmål",
        "add the language to [languages]",
    ),
    "two configurations disagree": (
        {"bilingo.toml": "", "hugo.toml": HUGO_NO, "mkdocs.yml": MKDOCS},
        "bilingo.toml: both hugo.toml (Hugo) and mkdocs.yml (MkDocs) are here",
        'generator = "hugo" or "mkdocs"',
    ),
    "bilingo.toml names a code the site does not have": (
        {"bilingo.toml": '[languages.nb]\ncode = "nb"\n', "hugo.toml": HUGO_NO},
        "bilingo.toml: bilingo.toml names 'nb' for nb",
        "[languages.nb] code",
    ),
    "unknown key": (
        {"bilingo.toml": 'langauges = "nb"\n'},
        "bilingo.toml: unknown key(s) langauges",
        "see README",
    ),
    "missing glossary": (
        {"bilingo.toml": 'glossary = "terms.yml"\n'},
        "terms.yml, which does not exist",
        "fix the 'glossary' key",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_site_configuration_stops_every_command_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    files, where, fix = BROKEN[case]
    for name, text in files.items():
        write(tmp_path / name, text)
    write(tmp_path / "content" / "x.nb.md", NB)
    monkeypatch.chdir(tmp_path)
    for args in COMMANDS:
        if case == "missing glossary" and args[0] in ("detect", "approve", "memory", "models"):
            continue  # commands that read no glossary
        code, out = invoke(*args)
        assert code == 2, (args, out)
        assert "error: " in out and where in out and fix in out, (args, out)
        assert "Traceback" not in out
    assert sorted(p.name for p in (tmp_path / "content").iterdir()) == ["x.nb.md"]


def test_one_lock_per_site_whichever_folder_a_run_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs on two sections of one site meet at the site's one lock (they used to lock
    each folder given, and both proceeded)."""
    from bilingo.lock import tree_lock

    write(tmp_path / "hugo.toml", HUGO_NO)
    write(tmp_path / "content" / "a" / "x.no.md", NB)
    write(tmp_path / "content" / "b" / "y.no.md", NB)
    monkeypatch.chdir(tmp_path / "content" / "b")
    with tree_lock(tmp_path / ".bilingo") as lock:
        code, out = invoke("translate", ".")
    assert code == 2 and f"(lock {lock})" in out, out
    assert lock.resolve() == (tmp_path / ".bilingo" / "lock").resolve()
    assert not (tmp_path / "content" / "b" / "y.en.md").exists()
    code, out = invoke("glossary", "validate")
    assert code == 2 and "glossary.yml" in out  # the site's glossary, at the root


def test_a_plain_folder_names_no_content_so_translate_asks_for_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a site configuration, ``translate`` with no path would take the whole current
    folder (a home folder, a repository): it asks for the folders instead."""
    write(tmp_path / "a" / "x.md", NB)
    monkeypatch.chdir(tmp_path)
    code, out = invoke("translate")
    assert code == 2 and "give the folders or files to translate" in out, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    code, out = invoke("check")  # read-only: the current folder, as before
    assert code == 1 and "missing" in out, out
