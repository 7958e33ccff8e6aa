"""A confidence for every machine sentence: kept by translate, flagged by check, diff, review.

The ``unsure_packages_dir`` copy models (tests/copymodel.py, ``unsure=``) still copy every
word, but write :data:`support.UNSURE_WORDS` with almost flat output probabilities: the
sentences holding them, and only those, must come out low-confidence.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import UNSURE_WORDS

from bilingo import provenance
from bilingo.article import read_article, render_article, write_atomic
from bilingo.cli import cli
from bilingo.commands.check import check_paths
from bilingo.commands.diff import diff_path
from bilingo.commands.translate import translate_paths
from bilingo.confidence import signals
from bilingo.glossary import empty_glossary
from bilingo.provenance import Confidence
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
    block = {k: v for k, v in twin.meta["bilingo"].items() if k != "confidence"}
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
