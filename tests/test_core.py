"""The core every command stands on: the site's settings, the provenance record, and the
pair rules that hold for every command alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    parse_article,
    read_article,
    render_article,
    write_atomic,
)
from bilingo.cli import cli
from bilingo.document import parse, prose_mask, structure_problems
from bilingo.glossary import empty_glossary, parse_glossary
from bilingo.layout import PLAIN
from bilingo.pairs import PairIndex
from bilingo.provenance import Conflict, from_mapping, read
from bilingo.site import build_settings, find_root
from bilingo.translation import build_twin, plan

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


# --------------------------------------------------------------------------- document


GLOSSARY = "version: 1\nterms:\n  - nb: næringsklynge\n    en: business cluster\n    inflect: m\n"


def test_prose_is_what_the_engine_sees_and_nothing_else() -> None:
    text = 'Les {{< ref "næringsklynge" >}} og `kode` i [lenke](https://x.no/a) her.\n'
    masked = prose_mask(text)
    assert len(masked) == len(text)
    assert masked.split() == ["Les", "og", "i", "lenke", "her."]


def test_glossary_check_ignores_a_term_the_engine_never_sees() -> None:
    glossary = parse_glossary(GLOSSARY)
    source = 'En næringsklynge. Se {{< ref "næringsklynge.md" >}}.\n'
    twin = 'A business cluster. See {{< ref "næringsklynge.md" >}}.\n'
    assert glossary.check(source, twin, source="nb", target="en", dialects=None) == []
    misses = glossary.check(
        source, "A cluster. See the page.\n", source="nb", target="en", dialects=None
    )
    assert [m.term for m in misses] == ["næringsklynge"]


def test_a_translation_that_breaks_the_structure_is_left_untranslated() -> None:
    body = "Intro her.\n\n| Navn | By |\n| --- | --- |\n| Kari | Oslo |\n\nSlutt her.\n"
    article = parse_article(Path("a.nb.md"), f"---\ntitle: Tittel\nlang: nb\n---\n{body}")
    the_plan = plan(
        [article],
        glossary=empty_glossary(),
        fields=DEFAULT_TRANSLATED_FIELDS,
        index=PairIndex(PLAIN),
    )
    job = the_plan.jobs[0]
    translations = {t: t.upper() for t in job.texts()}
    translations["Kari"] = "Kari | Nordmann"  # a new cell: markdown-it drops the row's last
    warnings: list[str] = []
    meta, twin = build_twin(
        job,
        translations,
        engine_name="test",
        glossary=empty_glossary(),
        fields=DEFAULT_TRANSLATED_FIELDS,
        warnings=warnings,
    )
    assert "| Kari | OSLO |" in twin  # the row kept its source text, and its cells
    assert "INTRO HER." in twin and "SLUTT HER." in twin and meta["title"] == "TITTEL"
    assert len(warnings) == 1 and "a.nb.md:9:" in warnings[0] and "table cell" in warnings[0]
    assert structure_problems(job.body, [s.text for s in job.body.segments], parse(twin)) != []
    same = job.body.render([s.text for s in job.body.segments])
    assert structure_problems(job.body, [s.text for s in job.body.segments], parse(same)) == []


def test_emphasis_made_by_a_translation_is_a_structure_change() -> None:
    doc = parse("Ett *to* tre.\n")
    texts = [s.text for s in doc.segments]
    alone = [t.replace("tre.", "tre *fire.") for t in texts]
    assert structure_problems(doc, alone, parse(doc.render(alone))) == []  # stays text
    paired = [t.replace("tre.", "*tre* fire.") for t in texts]
    assert structure_problems(doc, paired, parse(doc.render(paired))) == [0]


def test_a_backtick_that_turns_code_into_prose_is_a_structure_change() -> None:
    doc = parse("Ett `kode` to.\n")
    texts = [s.text for s in doc.segments]
    broken = [t.replace("Ett", "One `x") for t in texts]
    assert [s.text for s in parse(doc.render(broken)).segments] == ["One", "kode` to."]
    assert structure_problems(doc, broken, parse(doc.render(broken))) == [0]
