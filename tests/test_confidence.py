"""A confidence for every machine sentence: kept by translate, flagged by check, diff, review.

The ``unsure_packages_dir`` copy models (tests/copymodel.py, ``unsure=``) still copy every
word, but write :data:`support.UNSURE_WORDS` with almost flat output probabilities: the
sentences holding them, and only those, must come out low-confidence.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import UNSURE_WORDS

from bilingo import provenance
from bilingo.article import read_article, render_article, write_atomic
from bilingo.cli import cli
from bilingo.commands.check import check_paths
from bilingo.commands.diff import diff_path
from bilingo.commands.review import build_review
from bilingo.commands.translate import translate_paths
from bilingo.compare import Row
from bilingo.confidence import signals
from bilingo.glossary import empty_glossary
from bilingo.provenance import Confidence
from bilingo.units import InlineMode
from bilingo.verdicts import DEFAULT_MIN_CONFIDENCE

UNSURE = f"Det er {' '.join(UNSURE_WORDS)} sant."
ARTICLE = f"""\
---
title: Et sikkert og et usikkert avsnitt
lang: nb
---

Næringsklyngen samler bedrifter innen mote og design i Oslo.

Dette avsnittet er helt vanlig. {UNSURE}

Det siste avsnittet er også helt vanlig tekst.
"""


@pytest.fixture
def unsure_site(unsure_packages_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(unsure_packages_dir))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "usikker.nb.md").write_text(ARTICLE, encoding="utf-8")
    report = translate_paths([Path("articles")], glossary=empty_glossary())
    assert report.exit_code == 0, report.outcomes
    return tmp_path / "articles"


def test_translate_keeps_the_lowest_sentence_score_per_paragraph(unsure_site: Path) -> None:
    twin = read_article(unsure_site / "usikker.en.md")
    assert twin.body == read_article(unsure_site / "usikker.nb.md").body  # still a copy
    prov = provenance.read(twin)
    assert prov is not None and prov.confidence is not None
    tokens = [Confidence.parse(t) for t in prov.confidence]
    assert len(tokens) == 3
    sure = [t.score for k, t in enumerate(tokens) if k != 1]
    assert all(s is not None and s > -0.05 for s in sure), prov.confidence
    unsure = tokens[1]
    # The paragraph's second sentence is the unsure one: its score, rounded, and its place.
    assert unsure.score is not None and unsure.score < DEFAULT_MIN_CONFIDENCE
    assert unsure.sentence == 1 and round(unsure.score, 2) == unsure.score
    assert unsure.signals == ""


def test_check_diff_and_review_flag_that_paragraph_only(unsure_site: Path) -> None:
    twin_path = unsure_site / "usikker.en.md"
    report = check_paths([unsure_site], glossary_hash=empty_glossary().hash)
    low = [p for p in report.problems if p.kind == "low-confidence"]
    assert len(low) == 1 and low[0].severity == "warning" and report.exit_code == 0
    # Its line is the unsure paragraph's in the twin.
    lines = twin_path.read_text(encoding="utf-8").splitlines()
    assert low[0].line is not None and UNSURE in lines[low[0].line - 1]
    assert "sentence 2 has model confidence" in low[0].detail
    strict = check_paths([unsure_site], glossary_hash=empty_glossary().hash, require_reviewed=True)
    assert any(p.kind == "low-confidence" and p.severity == "error" for p in strict.problems)

    diff = diff_path(twin_path, glossary=empty_glossary())
    flagged = [r for r in diff.rows if any(f.kind == "low-confidence" for f in r.flags)]
    assert [r.twin for r in flagged] == [f"Dette avsnittet er helt vanlig. {UNSURE}"]
    assert [r.state for r in diff.rows if r.kind != "field"] == [
        "machine",
        "low-confidence",
        "machine",
    ]


def test_min_confidence_is_a_site_setting(unsure_site: Path) -> None:
    root = unsure_site.parent
    runner = CliRunner()
    (root / "bilingo.toml").write_text("[review]\nmin_confidence = -9.5\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", "articles", "--format", "json"])
    kinds = [p["kind"] for p in json.loads(result.output)["problems"]]
    assert "low-confidence" not in kinds, result.output
    site = json.loads(runner.invoke(cli, ["site", "--json"]).output)
    assert site["min_confidence"] == {"value": -9.5, "from": str(root / "bilingo.toml")}
    # One unsure word in a long sentence: above the default, so its twin is sealed; a
    # stricter site still sees it (a seal records the verdict under the default).
    one = "Det er kanskje sant at dette er en lang setning med mange ord i seg.\n"
    (unsure_site / "en.nb.md").write_text(f"---\ntitle: En\nlang: nb\n---\n\n{one}", "utf-8")
    assert translate_paths([unsure_site / "en.nb.md"], glossary=empty_glossary()).exit_code == 0
    assert "seal" in read_article(unsure_site / "en.en.md").meta["bilingo"]
    (root / "bilingo.toml").write_text("[review]\nmin_confidence = -0.1\n", encoding="utf-8")
    result = runner.invoke(cli, ["check", "articles", "--format", "json"])
    low = [
        p["path"] for p in json.loads(result.output)["problems"] if p["kind"] == "low-confidence"
    ]
    assert sorted(Path(p).name for p in low) == ["en.en.md", "usikker.en.md"], result.output
    (root / "bilingo.toml").write_text("[review]\nmin_confidence = 0.5\n", encoding="utf-8")
    bad = runner.invoke(cli, ["check", "articles"])
    assert bad.exit_code == 2 and "min_confidence" in bad.output


def test_older_twins_without_scores_still_read(unsure_site: Path) -> None:
    twin_path = unsure_site / "usikker.en.md"
    twin = read_article(twin_path)
    assert "field_confidence" in twin.meta["bilingo"]  # the title's, as new twins have it
    old = ("confidence", "field_confidence")
    block = {k: v for k, v in twin.meta["bilingo"].items() if k not in old}
    write_atomic(twin_path, render_article({**twin.meta, "bilingo": block}, twin.body))
    report = check_paths([unsure_site], glossary_hash=empty_glossary().hash)
    assert [p.kind for p in report.problems] == ["unreviewed"]
    # An unreadable token (the block is text anyone can edit) reads as nothing measured.
    assert Confidence.parse("x!?") == Confidence()
    assert Confidence.parse("-2.31@1!rl") == Confidence(-2.31, 1, "rl")
    assert Confidence(-2.31, 1, "rl").token() == "-2.31@1!rl"


def test_cheap_signals() -> None:
    source = "Bedriftene i klyngen samarbeider om innkjøp, design og salg til utlandet."
    assert signals(source, "The companies in the cluster cooperate on buying, design, sales.") == ""
    looped = "The companies in the cluster the companies in the cluster the companies in the"
    assert "r" in signals(source, looped)
    assert signals(source, "The companies.") == "l"
    copied = f"Companies. {source}"
    assert signals(source, copied, [source]) == "c"
    assert signals(source, source, [source]) == ""  # wholly identical: diff's "untranslated"


FIELDS_ARTICLE = f"""\
---
title: Tittelen er {" ".join(UNSURE_WORDS)} sant
description: Et helt vanlig sammendrag av artikkelen.
lang: nb
---

Næringsklyngen samler bedrifter innen mote og design i Oslo.

Dette avsnittet er **helt** vanlig. {UNSURE}

Det siste avsnittet er også helt vanlig tekst.
"""


@pytest.mark.parametrize("inline", ["whole", "fragments"])
def test_fields_and_fragments_carry_confidence_too(
    inline: InlineMode,
    unsure_packages_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A translated field, and every paragraph translated in fragments, is scored as its
    lowest sentence or fragment: the unsure title and paragraph, and only those, flagged."""
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(unsure_packages_dir))
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "articles"
    site.mkdir()
    (site / "felt.nb.md").write_text(FIELDS_ARTICLE, encoding="utf-8")
    report = translate_paths([site], glossary=empty_glossary(), inline=inline)
    assert report.exit_code == 0, report.outcomes
    twin_path = site / "felt.en.md"
    prov = provenance.read(read_article(twin_path))
    assert prov is not None and prov.confidence is not None and prov.field_confidence is not None
    body = [Confidence.parse(t) for t in prov.confidence]
    assert [t.score is not None and t.score < DEFAULT_MIN_CONFIDENCE for t in body] == [
        False,
        True,
        False,
    ], prov.confidence
    assert all(t.score is not None for t in body) and body[1].sentence == 1
    fields = {k: Confidence.parse(v) for k, v in prov.field_confidence.items()}
    title, description = fields["title"].score, fields["description"].score
    assert title is not None and title < DEFAULT_MIN_CONFIDENCE, prov.field_confidence
    assert description is not None and description > -0.05, prov.field_confidence

    found = check_paths([site], glossary_hash=empty_glossary().hash)
    low = sorted(
        (p for p in found.problems if p.kind == "low-confidence"), key=lambda p: p.line or 0
    )
    assert [p.line is None for p in low] == [True, False], found.problems
    assert "front matter 'title'" in low[0].detail and "model confidence" in low[0].detail
    lines = twin_path.read_text(encoding="utf-8").splitlines()
    assert low[1].line is not None and UNSURE in lines[low[1].line - 1]
    strict = check_paths([site], glossary_hash=empty_glossary().hash, require_reviewed=True)
    assert sum(p.kind == "low-confidence" and p.severity == "error" for p in strict.problems) == 2

    diff = diff_path(twin_path, glossary=empty_glossary())
    states = {r.field or r.twin: r.state for r in diff.rows}
    assert states == {
        "title": "low-confidence",
        "description": "machine",
        "Næringsklyngen samler bedrifter innen mote og design i Oslo.": "machine",
        f"Dette avsnittet er **helt** vanlig. {UNSURE}": "low-confidence",
        "Det siste avsnittet er også helt vanlig tekst.": "machine",
    }
    flagged = [r.field or r.twin_line for r in diff.rows if "low-confidence" in diff_kinds(r)]
    assert flagged == ["title", low[1].line]

    pages = build_review([site], out_dir=tmp_path / "review", glossary=empty_glossary())
    (entry,) = pages.entries
    # (listed as "flagged": a copy model's every paragraph is untranslated to diff's eyes)
    assert entry.needs_person and entry.paragraphs == {"low-confidence": 2, "machine": 3}
    page = (tmp_path / "review" / str(entry.page)).read_text(encoding="utf-8")
    # The unsure title is marked as the low-confidence sentence it is, with its score.
    assert f'<mark class="low" title="model confidence {title:.2f}">Tittelen er' in page


def diff_kinds(row: Row) -> set[str]:
    return {f.kind for f in row.flags}


#: Copy models of the real packages' shape (tests/test_realshape.py): the untrained head,
#: and Moses + BPE pieces (which cannot be aligned: whole sentences fall back to pieces).
SHAPES = [("shared", "shifted", False), ("bpe", "shifted", True)]
#: Sentences under COPY_WORDS words: a copy model's output is a copy by design, which the
#: copy signal would rightly flag in a paragraph the model changed elsewhere.
SHAPE_ARTICLE = """\
---
title: Klyngen i Oslo
description: Et kort sammendrag.
lang: nb
---

Klyngen samler bedrifter i Oslo.

Dette avsnittet er **helt** vanlig. Det har to setninger.

| Navn | By |
|---|---|
| Klyngen | Oslo |
"""


@pytest.mark.parametrize("inline", ["whole", "fragments"])
@pytest.mark.parametrize(("layout", "head", "first_capital"), SHAPES)
def test_a_plain_copy_is_confident_on_every_package_shape(
    layout: str,
    head: str,
    first_capital: bool,
    inline: InlineMode,
    shape_dirs: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(shape_dirs(layout, head, first_capital)))
    monkeypatch.chdir(tmp_path)
    site = tmp_path / "articles"
    site.mkdir()
    (site / "kopi.nb.md").write_text(SHAPE_ARTICLE, encoding="utf-8")
    report = translate_paths([site], glossary=empty_glossary(), inline=inline)
    assert report.exit_code == 0, report.outcomes
    prov = provenance.read(read_article(site / "kopi.en.md"))
    assert prov is not None and prov.confidence is not None and prov.field_confidence is not None
    tokens = [*prov.confidence, *prov.field_confidence.values()]
    parsed = [Confidence.parse(t) for t in tokens]
    # Every paragraph and field measured, none of them below the threshold, no signal.
    assert all(c.score is not None and c.score > DEFAULT_MIN_CONFIDENCE for c in parsed), tokens
    assert all(c.signals == "" for c in parsed), tokens
    found = check_paths([site], glossary_hash=empty_glossary().hash)
    assert [p.kind for p in found.problems] == ["unreviewed"], found.problems


def test_a_flagged_twin_is_sealed_for_translate_and_judged_in_full_by_check(
    unsure_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A twin with a low-confidence paragraph carries a ``flagged`` seal: check never takes
    it as settled (it reports the warning, as without seals), while a rerun of translate
    settles the pair from its bytes, reading and planning nothing."""
    import bilingo.commands.translate as command
    from bilingo.seal import SEAL_RE

    twin_path = unsure_site / "usikker.en.md"
    found = SEAL_RE.search(twin_path.read_bytes())
    assert found is not None and found.group(2) == b"flagged"
    sealed = check_paths([unsure_site], glossary_hash=empty_glossary().hash)
    full = check_paths([unsure_site], glossary_hash=empty_glossary().hash, use_seals=False)
    assert sealed.problems == full.problems
    assert {p.kind for p in sealed.problems} == {"low-confidence", "unreviewed"}
    read: list[Path] = []
    real = command.read_articles

    def reading(files: list[Path], *args: object, **kwargs: object) -> object:
        read.extend(files)
        return real(files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "read_articles", reading)
    again = translate_paths([unsure_site], glossary=empty_glossary())
    assert again.exit_code == 0 and again.engine_segments == 0
    assert [o.action for o in again.outcomes] == ["unchanged"] and read == []
    # A byte changed breaks the seal: the pair is read and planned again.
    write_atomic(twin_path, twin_path.read_text(encoding="utf-8") + "\n")
    translate_paths([unsure_site], glossary=empty_glossary())
    assert twin_path in read
