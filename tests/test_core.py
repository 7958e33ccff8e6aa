"""The core every command stands on: the site's settings, the provenance record, and the
pair rules that hold for every command alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import DEFAULT_TRANSLATED_FIELDS, read_article, render_article, write_atomic
from bilingo.cli import cli
from bilingo.provenance import Conflict, from_mapping, read
from bilingo.site import build_settings, find_root

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
TWIN = "ett-ar-med-naeringsklyngetillit.en.md"


# --------------------------------------------------------------------------- site


@pytest.mark.parametrize(
    "marker", ["bilingo.toml", "hugo.toml", "config.yaml", "config/_default", "mkdocs.yml", ".git"]
)
def test_the_root_is_the_nearest_folder_with_a_site_marker(tmp_path: Path, marker: str) -> None:
    site = tmp_path / "site"
    content = site / "content" / "posts"
    content.mkdir(parents=True)
    (site / marker).parent.mkdir(parents=True, exist_ok=True)
    if marker.endswith("_default") or marker == ".git":
        (site / marker).mkdir(parents=True, exist_ok=True)
    else:
        (site / marker).write_text("", encoding="utf-8")
    assert find_root([content], cwd=tmp_path) == Path("site")
    assert find_root([Path("site/content")], cwd=tmp_path) == Path("site")
    assert find_root([], cwd=content) == Path("../..")


def test_without_a_marker_the_root_is_the_current_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert find_root([tmp_path / "a"], cwd=tmp_path / "a") == Path(".")


def test_settings_find_the_glossary_in_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "bilingo.toml").write_text("", encoding="utf-8")
    (tmp_path / "glossary.yml").write_text("terms: []\nkeep: [Oslo]\n", encoding="utf-8")
    (tmp_path / "content").mkdir()
    monkeypatch.chdir(tmp_path / "content")
    settings = build_settings([Path(".")])
    assert settings.glossary_path == Path("..") / "glossary.yml"
    assert settings.glossary.keep == ("Oslo",)
    assert settings.fields == DEFAULT_TRANSLATED_FIELDS
    assert settings.memory_path == Path("../.bilingo/memory.sqlite")


# --------------------------------------------------------------------------- provenance


def test_the_provenance_record_round_trips_and_keeps_unknown_keys() -> None:
    block = {
        "source": "a.nb.md",
        "source_lang": "nb",
        "source_hash": "sha256:1",
        "engine": "argos:x",
        "glossary_hash": "sha256:2",
        "machine": True,
        "reviewed": True,
        "reviewed_by": "Kari",
        "reviewed_at": "2026-01-02",
        "twin_hash": "sha256:3",
        "source_blocks": "aaaa bbbb",
        "twin_blocks": "cccc dddd",
        "source_fields": {"title": "eeee"},
        "twin_fields": {"title": "ffff"},
        "conflicts": [{"block": 1, "line": 9}, {"field": "title"}],
        "note": "kept",
        "seal": "sha256:0 reviewed",
    }
    prov = from_mapping(block)
    assert prov.as_dict() == block and list(prov.as_dict()) == list(block)
    assert prov.conflicts == (Conflict(block=1, line=9), Conflict(field="title"))
    assert [b.source for b in prov.blocks] == ["aaaa", "bbbb"]


def test_conflicts_written_as_sentences_are_read_as_data() -> None:
    old = [
        "paragraph at source line 7 changed, and its translation was edited by a person: "
        "the person's text was kept",
        "front matter 'title' changed in the source, and its translation was edited by a "
        "person: the person's text was kept",
        "something else",
    ]
    prov = from_mapping({"source": "a.nb.md", "conflicts": old})
    assert [(c.line, c.field) for c in prov.conflicts] == [(7, None), (None, "title"), (None, None)]
    assert [c.message() for c in prov.conflicts] == old
    # A new record's messages are the sentences older twins stored.
    assert Conflict(block=0, line=7).message() == old[0]
    assert Conflict(field="title").message() == old[1]


def test_values_of_the_wrong_type_read_as_missing() -> None:
    prov = from_mapping({"source": "a.nb.md", "reviewed": "yes", "source_blocks": 5})
    assert prov.reviewed is False and prov.source_blocks is None and prov.twin_hash == ""


# --------------------------------------------------------------------------- pairs and fields


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argos_packages_dir: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "glossary.yml").write_text("terms: []\n", encoding="utf-8")
    return folder


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_a_provenance_naming_a_path_is_invalid_for_every_command(site: Path) -> None:
    code, out = invoke("translate", "--no-memory", "articles")
    assert code == 0, out
    twin = site / TWIN
    article = read_article(twin)
    prov = {**article.meta["bilingo"], "source": f"../articles/{SEED.name}"}
    write_atomic(twin, render_article({**article.meta, "bilingo": prov}, article.body))
    before = twin.read_bytes()
    said = "not a file beside it; fix the 'source:' line of its bilingo block"

    code, out = invoke("check", "--format", "json", "articles")
    assert code == 1 and {p["kind"] for p in json.loads(out)["problems"]} == {"invalid"}
    for path in (twin, site / SEED.name):
        code, out = invoke("diff", str(path))
        assert code == 2 and said in out, out
    code, out = invoke("approve", "--by", "Kari", str(twin))
    assert code == 2 and said in out, out
    assert twin.read_bytes() == before
    code, out = invoke("glossary", "check", "--json", "articles")
    assert json.loads(out)["pairs"] == 0
    code, out = invoke("review", "articles", "--html", "out")
    assert code == 1 and "1 invalid" in out


def test_fields_chosen_for_translate_are_the_ones_check_compares(site: Path) -> None:
    source = site / SEED.name
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("lang: nb\n", "lang: nb\nlead: Et år\n"), encoding="utf-8")
    code, out = invoke(
        "translate", "--no-memory", "--field", "title", "--field", "lead", "articles"
    )
    assert code == 0, out
    prov = read(read_article(site / TWIN))
    assert prov is not None and prov.fields == ("title", "lead")
    code, out = invoke("check", "--format", "json", "articles")
    details = [p["detail"] for p in json.loads(out)["problems"]]
    assert code == 0 and len(details) == 1 and details[0].startswith("machine translation"), out
