"""``bilingo diff``: alignment, flags and the fresh diff, on twins the real pipeline wrote.

Twins come from the copy model (output = input), so a fresh twin is its source word for
word. Tests then write English into the twin paragraph by paragraph, the way a reviewer
would, and introduce one problem at a time.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner

from bilingo.article import read_article, render_article, write_atomic
from bilingo.cli import cli
from bilingo.commands.diff import diff_path, format_diff, use_color
from bilingo.commands.translate import translate_paths
from bilingo.compare import ArticleDiff, align, looks_like_prose
from bilingo.document import segment
from bilingo.glossary import Glossary, empty_glossary, load_glossary
from bilingo.provenance import block_hash

ROOT = Path(__file__).resolve().parent.parent
SEED_NAME = "ett-ar-med-naeringsklyngetillit"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"

GLOSSARY_YAML = """\
version: 1
keep:
  - NFH
terms:
  - nb: næringsklynge
    en: business cluster
    inflect: m
  - nb: Innovasjon Norge
    en: Innovation Norway
    inflect: name
"""

#: A reviewer's English for every paragraph of the seed article (block index -> text).
SEED_EN = {
    0: "Last June a business cluster of fashion design companies in Oslo was granted Arena "
    "status. Arena is a Norwegian cluster project supported by the authorities through "
    "Innovation Norway, the Research Council of Norway and Siva. Nye og Kloke Hoder was "
    "given the honour of leading the cluster, which has a provisional time frame of 3 years.",
    1: "It was the Minister of Trade and Industry, Monica Mæland, who made the award, which "
    "made the fashion design industry part of an exclusive group of business clusters that "
    "the Norwegian authorities want to promote. Other business clusters with similar status "
    "exist in maritime industries, marine biology, energy, IT, cancer and medicine.",
    2: "Small firms must cooperate",
    3: "In its innovation speech on 21 May 2015, Innovation Norway said that in a society with "
    "many small companies and few large locomotives, companies must cooperate. Business "
    "clusters create a framework for cooperation and growth through knowledge sharing and "
    "technology transfer. Innovation Norway has stressed that these collaborations are "
    "needed for Norwegian companies to succeed internationally.",
    4: "– Innovation Norway's experience shows that companies working together in strategic "
    "cluster projects increase their competence, innovation, value creation and earnings. "
    "That is why we invest in regional business clusters through our Arena programme, says "
    "Hans Eirik Melandsø, programme manager for Arena at Innovation Norway.",
    5: "International ambitions",
    6: "The fashion cluster is called Norwegian Fashion Hub (NFH), and work began in earnest "
    "on 1 October 2014. As project managers, Nye og Kloke Hoder drive cooperation within the "
    "cluster and between NFH and other business clusters. Since last year the cluster has "
    "held conferences, market studies, study trips and networking meetings.",
    7: "– Leading an Arena cluster is a great honour for us at Nye og Kloke Hoder. We have "
    "great ambitions for the industry, and the goal is for Norwegian fashion to become an "
    "internationally recognised brand, says Linda Refvik, project manager of the cluster NFH.",
    8: "[Read more about the Arena programme](http://www.arenaclusters.no/)  \n"
    "[Read more about Norwegian Fashion Hub](http://www.norwegianfashionhub.com)",
    9: "Published: 23 June 2015",
}
SEED_TITLE_EN = "A year of business cluster status"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, argos_packages_dir: Path) -> Path:
    """The seed article and the fixtures with twins from the real pipeline (copy model)."""
    folder = tmp_path_factory.mktemp("built") / "articles"
    folder.mkdir()
    shutil.copy(ROOT / "articles" / f"{SEED_NAME}.nb.md", folder)
    for f in sorted(FIXTURES.glob("*.md")):
        shutil.copy(f, folder)
    report = translate_paths([folder], glossary=empty_glossary())
    assert report.exit_code == 0, report.outcomes
    return folder


@pytest.fixture
def site(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built site; the current folder is its parent."""
    folder = tmp_path / "articles"
    shutil.copytree(built, folder)
    (tmp_path / "glossary.yml").write_text(GLOSSARY_YAML, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture
def glossary(site: Path) -> Glossary:
    return load_glossary(site.parent / "glossary.yml")


def rewrite_twin(
    twin: Path, blocks: Mapping[int, str], *, fields: Mapping[str, str] | None = None
) -> None:
    """Replace paragraphs of a twin (by block index), as a person editing it would."""
    article = read_article(twin)
    doc = segment(article.body)
    body = doc.render([s.text for s in doc.segments], overrides=blocks)
    meta = {**article.meta, **(fields or {})}
    write_atomic(twin, render_article(meta, body, newline=article.newline))


def reviewed_seed(site: Path, **changes: str) -> Path:
    """The seed's twin translated by a reviewer, with ``changes`` (block_N=text) on top."""
    twin = site / f"{SEED_NAME}.en.md"
    blocks = dict(SEED_EN)
    for key, text in changes.items():
        blocks[int(key.removeprefix("block_"))] = text
    rewrite_twin(twin, blocks, fields={"title": SEED_TITLE_EN})
    return twin


def flags_by_row(diff: ArticleDiff) -> dict[int, list[tuple[str, str]]]:
    return {
        n: [(f.kind, f.detail) for f in row.flags] for n, row in enumerate(diff.rows) if row.flags
    }


# --------------------------------------------------------------------------- units


def test_align_pairs_one_to_one_when_counts_match_and_by_content_otherwise() -> None:
    src = [("p", "A 1"), ("h", "B"), ("p", "C 2015"), ("p", "D https://x.no")]
    assert align(src[:3], [("p", "x"), ("p", "y"), ("p", "z")]) == [(0, 0), (1, 1), (2, 2)]
    # The twin lost the heading: the paragraphs around it still pair up.
    twin = [("p", "Ay 1"), ("p", "Cy 2015"), ("p", "Dy https://x.no")]
    assert align(src, twin) == [(0, 0), (1, None), (2, 1), (3, 2)]
    # A paragraph lost in the middle: the anchors (number, URL) say which one.
    assert align(src, [twin[0], twin[2]]) == [(0, 0), (1, None), (2, None), (3, 1)]
    assert align(src[:1], [("p", "x"), ("table_row", "1 | 2"), ("p", "A 1")]) == [
        (None, 0),
        (None, 1),
        (0, 2),
    ]


def test_prose_needs_two_lower_case_words() -> None:
    assert looks_like_prose("Små må samarbeide")
    assert not looks_like_prose("Norwegian Fashion Hub (NFH)")
    assert not looks_like_prose("Publisert: 23. juni 2015")
    assert not looks_like_prose("NW-2023-0412 | 310 | +43 %")


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert use_color(isatty=True, environ={})
    assert not use_color(isatty=True, environ={"NO_COLOR": "1"})
    assert use_color(isatty=True, environ={"NO_COLOR": ""})  # empty means unset (no-color.org)
    assert not use_color(isatty=False, environ={})


# --------------------------------------------------------------------------- flags


def test_copy_model_twin_flags_exactly_the_untranslated_prose(site: Path) -> None:
    diff = diff_path(site / f"{SEED_NAME}.nb.md", glossary=empty_glossary())
    assert diff.twin == site / f"{SEED_NAME}.en.md"
    assert (diff.source_lang, diff.target_lang, diff.alignment) == ("nb", "en", "blocks")
    kinds = [(r.kind, r.field) for r in diff.rows]
    assert kinds[0] == ("field", "title")
    assert len(diff.rows) == 1 + len(SEED_EN)
    # Names, headings of one common word and the date line are no prose problem.
    untranslated = [n for n, r in enumerate(diff.rows) if r.flags]
    assert untranslated == [0, 1, 2, 3, 4, 5, 7, 8, 9]
    assert all(f.kind == "untranslated" for r in diff.rows for f in r.flags)
    assert diff.counts() == {"untranslated": 9}
    assert diff.exit_code == 1
    # Rows carry the files' own line numbers (the twin has a longer front matter).
    first = diff.rows[1]
    assert first.source_line == 7
    assert first.twin_line is not None and first.twin_line > 7
    assert diff.twin.read_text(encoding="utf-8").splitlines()[first.twin_line - 1] == first.twin


def test_reviewed_twin_is_clean(site: Path, glossary: Glossary) -> None:
    twin = reviewed_seed(site)
    diff = diff_path(twin, glossary=glossary)
    assert flags_by_row(diff) == {}
    assert diff.exit_code == 0
    # Glossary terms are found on both sides, names included.
    row = diff.rows[1]
    assert [t.text for t in row.source_terms] == ["næringsklynge", "Innovasjon Norge"]
    assert [t.text for t in row.twin_terms] == ["business cluster", "Innovation Norway"]
    assert [t.kind for t in diff.rows[7].twin_terms].count("keep") == 2


def test_each_problem_is_flagged_on_its_paragraph(site: Path, glossary: Glossary) -> None:
    twin = reviewed_seed(
        site,
        block_0=SEED_EN[0].replace("3 years", "4 years"),
        block_1=SEED_EN[1].replace("business clusters", "industry clusters"),
        block_2="Små må samarbeide",
        block_8=SEED_EN[8].replace("arenaclusters.no", "arenaclusters.com"),
    )
    diff = diff_path(twin, glossary=glossary)
    assert flags_by_row(diff) == {
        1: [
            (
                "number",
                "numbers differ: the source has 3 that the twin lacks; the twin has 4 that "
                "the source lacks",
            )
        ],
        2: [("glossary", "'næringsklynger' should be translated as 'business clusters'")] * 2,
        3: [("untranslated", "identical to the source: still in nb")],
        9: [
            (
                "link",
                "link targets differ: the source has http://www.arenaclusters.no/ that the "
                "twin lacks; the twin has http://www.arenaclusters.com/ that the source lacks",
            )
        ],
    }
    assert diff.counts() == {"glossary": 2, "link": 1, "number": 1, "untranslated": 1}


def test_bare_url_and_reference_target_changes_are_flagged(site: Path) -> None:
    source = site / "ullklaer-pa-eksport.md"
    twin = site / "ullklaer-pa-eksport.en.md"
    doc = segment(read_article(twin).body)
    last = next(b for b in doc.blocks if "ssb.no" in b.text)
    rewrite_twin(
        twin,
        {
            last.index: "More information at https://www.ssb.no/en/external-economy and from "
            "the Norwegian Wool Institute."
        },
    )
    text = twin.read_text(encoding="utf-8")
    twin.write_text(text.replace("[dn]: ", "[dn]: https://example.com/evil#"), encoding="utf-8")
    diff = diff_path(source, glossary=empty_glossary())
    url_rows = [r for r in diff.rows if any(f.kind == "url" for f in r.flags)]
    assert len(url_rows) == 1
    assert url_rows[0].flags[0].detail == (
        "URLs differ: the source has https://www.ssb.no/utenriksokonomi that the twin lacks; "
        "the twin has https://www.ssb.no/en/external-economy that the source lacks"
    )
    refs = [f for f in diff.flags if f.kind == "link"]
    assert len(refs) == 1 and refs[0].detail.startswith("reference [dn] points to https://")
    assert "https://example.com/evil#" in refs[0].detail


def test_a_removed_paragraph_is_unmatched_and_the_rest_still_pairs(
    site: Path, glossary: Glossary
) -> None:
    twin = reviewed_seed(site, block_9="")
    diff = diff_path(twin, glossary=glossary)
    assert diff.alignment == "similarity"
    assert flags_by_row(diff) == {10: [("unmatched", "no paragraph in the twin matches this one")]}
    assert diff.rows[10].source == "Publisert: 23. juni 2015" and diff.rows[10].twin is None
    assert diff.rows[9].twin == SEED_EN[8]


def test_conflict_recorded_by_retranslation_is_flagged_on_its_paragraph(
    site: Path, glossary: Glossary
) -> None:
    twin = reviewed_seed(site)
    source = site / f"{SEED_NAME}.nb.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("21.mai 2015", "22. mai 2015"), encoding="utf-8")
    report = translate_paths([site], glossary=empty_glossary())
    assert report.exit_code == 0, report.outcomes
    # Conflicts are data (which paragraph, at which source line, the twin text's hash then),
    # not sentences.
    conflicts = read_article(twin).meta["bilingo"]["conflicts"]
    paragraph = segment(read_article(twin).body).blocks[3].text
    assert conflicts == [{"block": 3, "line": 13, "twin": block_hash(paragraph)}]
    diff = diff_path(twin, glossary=glossary)
    row = diff.rows[4]
    assert row.source_line == 13
    message = (
        "paragraph at source line 13 changed, and its translation was edited by a person: "
        "the person's text was kept"
    )
    assert ("conflict", message) in [(f.kind, f.detail) for f in row.flags]
    # The reviewer's text says 21 May; the source now says 22.
    assert [f.kind for f in row.flags] == ["number", "conflict"]
    assert diff.flags == ()


def test_a_conflict_written_as_a_sentence_by_an_older_bilingo_is_still_placed(
    site: Path, glossary: Glossary
) -> None:
    twin = reviewed_seed(site)
    article = read_article(twin)
    sentence = (
        "paragraph at source line 13 changed, and its translation was edited by a person: "
        "the person's text was kept"
    )
    prov = {**article.meta["bilingo"], "conflicts": [sentence]}
    write_atomic(twin, render_article({**article.meta, "bilingo": prov}, article.body))
    row = diff_path(twin, glossary=glossary).rows[4]
    assert row.source_line == 13
    assert ("conflict", sentence) in [(f.kind, f.detail) for f in row.flags]


# --------------------------------------------------------------------------- CLI


def test_cli_json_reports_rows_and_flags(site: Path) -> None:
    reviewed_seed(site, block_2="Små må samarbeide")
    result = CliRunner().invoke(cli, ["diff", f"articles/{SEED_NAME}.nb.md", "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert set(data) == {
        "source", "twin", "source_lang", "target_lang", "alignment", "rows", "flags", "counts",
        "ok",
    }  # fmt: skip
    assert data["twin"] == f"articles/{SEED_NAME}.en.md"
    assert data["counts"] == {"untranslated": 1} and data["ok"] is False
    row = data["rows"][3]
    assert row == {
        "kind": "heading",
        "state": "machine",  # its verdict, in check's words: still what the model wrote
        "score": row["score"],
        "field": None,
        "source": "Små må samarbeide",
        "twin": "Små må samarbeide",
        "source_line": 11,
        "twin_line": row["twin_line"],
        "source_terms": [],
        "twin_terms": [],
        "flags": [{"kind": "untranslated", "detail": "identical to the source: still in nb"}],
    }
    # glossary.yml in the current folder is used by default.
    assert data["rows"][1]["twin_terms"][0] == {
        "start": 12, "end": 28, "text": "business cluster", "kind": "term",
    }  # fmt: skip


def test_cli_exit_0_when_clean_and_layouts_by_width(site: Path) -> None:
    reviewed_seed(site)
    runner = CliRunner()
    wide = runner.invoke(cli, ["diff", f"articles/{SEED_NAME}.en.md", "--width", "140"])
    assert wide.exit_code == 0, wide.output
    assert "Small firms must cooperate" in wide.output
    side = [line for line in wide.output.splitlines() if "Små må samarbeide" in line]
    assert side == [
        "Små må samarbeide"
        + " " * (68 - len("Små må samarbeide"))
        + " │ Small firms must cooperate"
    ]
    assert "\x1b[" not in wide.output  # not a terminal: no colour
    assert wide.output.rstrip().endswith("11 paragraphs, 0 flagged")

    narrow = runner.invoke(cli, ["diff", f"articles/{SEED_NAME}.en.md", "--width", "80"])
    assert narrow.exit_code == 0
    lines = narrow.output.splitlines()
    at = lines.index("nb │ Små må samarbeide")
    assert lines[at + 1] == "en │ Small firms must cooperate"
    assert max(len(line) for line in lines) <= 80


def test_terminal_output_is_styled_for_a_terminal(site: Path, glossary: Glossary) -> None:
    twin = reviewed_seed(site, block_2="Små må samarbeide")
    text = format_diff(diff_path(twin, glossary=glossary), width=100)
    assert "\x1b[31m\x1b[1m! untranslated\x1b[0m" in text  # flags in red
    assert "\x1b[36m\x1b[1m\x1b[4mbusiness cluster\x1b[0m" in text  # terms underlined


def test_cli_without_a_twin_exits_2_and_says_how_to_make_one(site: Path) -> None:
    new = site / "ny-artikkel.nb.md"
    new.write_text("---\ntitle: Ny\nlang: nb\n---\n\nEn helt ny artikkel.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["diff", "articles/ny-artikkel.nb.md"])
    assert result.exit_code == 2
    assert (
        "no en twin yet (ny-artikkel.en.md); run: bilingo translate articles/ny-artikkel.nb.md"
        in (result.output)
    )
    missing = CliRunner().invoke(cli, ["diff", "articles/nope.md"])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_fresh_diff_shows_what_the_reviewer_changed(site: Path) -> None:
    runner = CliRunner()
    twin = f"articles/{SEED_NAME}.en.md"
    (site.parent / "glossary.yml").unlink()  # the twins were made without a glossary
    same = runner.invoke(cli, ["diff", "--fresh", twin])
    assert same.exit_code == 0, same.output
    assert "no differences" in same.output

    reviewed_seed(site, block_2="Small firms must cooperate")
    before = {p: p.read_bytes() for p in site.iterdir()}
    changed = runner.invoke(cli, ["diff", "--fresh", f"articles/{SEED_NAME}.nb.md"])
    assert changed.exit_code == 1, changed.output
    lines = changed.output.splitlines()
    assert lines[0] == f"--- {twin} (on disk)"
    assert lines[1] == f"+++ {twin} (fresh machine translation)"
    assert "-title: A year of business cluster status" in lines
    assert "+title: Ett år med næringsklyngetillit" in lines
    assert "-## Small firms must cooperate" in lines
    assert "+## Små må samarbeide" in lines
    assert not any("bilingo" in line or "sha256" in line for line in lines)
    # Nothing written: not the twin, not a memory, not a lock.
    assert {p: p.read_bytes() for p in site.iterdir()} == before

    as_json = runner.invoke(cli, ["diff", "--fresh", twin, "--json"])
    data = json.loads(as_json.output)
    assert data["changed"] is True and data["diff"].startswith(f"--- {twin} (on disk)")


def test_a_yaml_conflicts_list_that_names_nothing_is_an_article_flag(site: Path) -> None:
    twin = reviewed_seed(site)
    article = read_article(twin)
    prov = {**article.meta["bilingo"], "conflicts": ["something odd happened"]}
    write_atomic(twin, render_article({**article.meta, "bilingo": prov}, article.body))
    diff = diff_path(twin, glossary=empty_glossary())
    assert [(f.kind, f.detail) for f in diff.flags] == [("conflict", "something odd happened")]
    assert diff.exit_code == 1
