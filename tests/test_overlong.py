"""Sentences longer than the model's positions (issue 20): read the limit, cut at clause
boundaries, translate each part whole, keep the markup placed across the cuts; an article
the model still cannot translate fails alone, every other twin is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import RecordingEngine

from bilingo.article import read_article
from bilingo.commands.translate import translate_paths
from bilingo.document import segment
from bilingo.engine import (
    ArgosEngine,
    Engine,
    clause_cuts,
    find_package,
    model_position_limit,
)
from bilingo.glossary import empty_glossary
from bilingo.units import render, translate_whole


def joined(text: str, ranges: list[tuple[int, int]]) -> str:
    return "|".join(text[a:b] for a, b in ranges)


def test_cuts_prefer_clause_ends_then_commas_then_words() -> None:
    def fits(n: int):  # type: ignore[no-untyped-def]
        return lambda part: len(part) <= n

    text = "en lang setning, med komma; og en til: slutt"
    assert (
        joined(text, clause_cuts(text, fits(30))) == "en lang setning, med komma;|og en til: slutt"
    )
    assert (
        joined(text, clause_cuts(text, fits(20))) == "en lang setning,|med komma;|og en til: slutt"
    )
    dash = "første del – andre del"
    assert joined(dash, clause_cuts(dash, fits(15))) == "første del –|andre del"
    assert joined("abcdefgh", clause_cuts("abcdefgh", fits(3))) == "ab|cd|ef|gh"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab ,;:–", min_size=1, max_size=200), st.integers(2, 40))
def test_cut_parts_fit_and_give_back_the_text(text: str, limit: int) -> None:
    ranges = clause_cuts(text, lambda part: len(part) <= limit)
    assert all(b - a <= limit or b - a == 1 for a, b in ranges)
    # In order, and only whitespace between parts.
    pos = 0
    for a, b in ranges:
        assert a >= pos and not text[pos:a].strip()
        pos = b
    assert not text[pos:].strip()


def test_the_copy_models_position_limit_is_read_from_model_bin(argos_packages_dir: Path) -> None:
    package = find_package("nb", "en")
    assert model_position_limit(package.path / "model") == 2048
    engine = ArgosEngine(package, beam_size=1)
    engine.load()
    assert engine.position_limit == 2048


LONG = (
    "Klyngen har mange medlemmer; de fleste i Oslo, noen i Bergen, og flere i Trondheim: "
    "alle lager **klær og sko – og vesker** som selges i hele landet, "
    "i Sverige, i Danmark og i Finland."
)


@pytest.fixture
def short_engine(argos_packages_dir: Path) -> ArgosEngine:
    """The copy model, told it has 24 positions: every sentence here is overlong."""
    engine = ArgosEngine(find_package("nb", "en"), beam_size=1)
    engine.position_limit = 24
    return engine


def test_an_overlong_sentence_is_cut_and_translated_whole(short_engine: ArgosEngine) -> None:
    text = segment(LONG).segments[0].text
    assert short_engine.translate([text, "kort"]) == [text, "kort"]
    aligned = short_engine.translate_aligned([text])[0]
    assert aligned.text == text
    assert max(t1 for *_, t1 in aligned.pairs) > len(text) - 5  # the last part aligned too


def test_markup_is_placed_across_the_cuts(short_engine: ArgosEngine) -> None:
    body = LONG + "\n"
    doc = segment(body)
    whole, fallback, stats = translate_whole(
        [(doc, frozenset())],
        engine=short_engine,
        glossary=empty_glossary(),
        source="nb",
        target="en",
    )
    assert (stats.fallback, fallback) == (0, [])
    assert render(doc, whole, {}) == body


def long_site(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "lang.nb.md").write_text(
        "---\ntitle: Lang\n---\n" + " ".join(["ord"] * 2100) + "\n", "utf-8"
    )
    for name in ("a", "b"):
        (articles / f"{name}.nb.md").write_text(f"---\ntitle: {name}\n---\nKort tekst.\n", "utf-8")
    return articles


class Unknowing(ArgosEngine):
    """The real engine on a model that does not say its positions (none in model.bin)."""

    def __init__(self, *args: Any, learns: bool, **kwargs: Any) -> None:
        self.learns = learns
        self._limit: int | None = None
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def position_limit(self) -> int | None:
        return self._limit

    @position_limit.setter
    def position_limit(self, value: int | None) -> None:
        if self.learns and value is not None:
            self._limit = value


def unknowing_factory(learns: bool):  # type: ignore[no-untyped-def]
    def make(source: str, target: str) -> ArgosEngine:
        return Unknowing(find_package(source, target), beam_size=1, learns=learns)

    return make


def test_an_article_the_model_cannot_translate_fails_alone(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the positions cannot be learned (and parts are not capped), CTranslate2's error
    fails that article alone (exit 1, the reason named); the others are written."""
    monkeypatch.setattr("bilingo.engine.MAX_PART_PIECES", 10**6)
    articles = long_site(tmp_path)
    report = translate_paths(
        [articles], glossary=empty_glossary(), engine_factory=unknowing_factory(False)
    )
    assert report.exit_code == 1, report.outcomes
    by_name = {o.source.name: o for o in report.outcomes}
    assert by_name["lang.nb.md"].action == "failed"
    assert "No position encodings" in (by_name["lang.nb.md"].reason or "")
    assert {by_name["a.nb.md"].action, by_name["b.nb.md"].action} == {"written"}
    assert read_article(articles / "a.en.md").body == "Kort tekst.\n"
    assert not (articles / "lang.en.md").exists()


@pytest.mark.parametrize("inline", ["whole", "fragments"])
def test_a_failed_chunk_leaves_what_it_shared_to_the_chunks_after_it(
    tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch, inline: str
) -> None:
    """The next chunk starts while one is in flight and borrows the sentences they share;
    when the model fails on the first, the borrowed sentence is sent by the next (its twin
    is whole), and still just once."""
    monkeypatch.setattr("bilingo.engine.MAX_PART_PIECES", 10**6)
    articles = long_site(tmp_path)
    (articles / "0-lang.nb.md").write_text(
        (articles / "lang.nb.md").read_text("utf-8") + "\nKort tekst.\n", "utf-8"
    )
    (articles / "lang.nb.md").unlink()
    sent: list[str] = []
    factory = unknowing_factory(False)

    def recording(source: str, target: str) -> Engine:
        return RecordingEngine(factory(source, target), sent)

    report = translate_paths(
        [articles], glossary=empty_glossary(), engine_factory=recording, chunk_segments=1,
        inline=inline,
    )  # fmt: skip
    by_name = {o.source.name: o for o in report.outcomes}
    assert by_name["0-lang.nb.md"].action == "failed", report.outcomes
    assert {by_name["a.nb.md"].action, by_name["b.nb.md"].action} == {"written"}
    assert read_article(articles / "a.en.md").body == "Kort tekst.\n"
    assert read_article(articles / "b.en.md").body == "Kort tekst.\n"
    # Sent by the failed chunk, then once more by the chunk that borrowed it: never by both
    # of the chunks that came after.
    assert sent.count("Kort tekst.") == 2, sent
