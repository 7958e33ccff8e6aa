"""End to end: bilingo translate on the copy models (real argostranslate -> CTranslate2 path).

A copy model writes back the pieces it reads (the "upper" layout upper-cased, the "bpe" one
through Moses), so every twin's body is known exactly: ``CopyLayout.expected_body``, worked
out from those pieces, not by bilingo's decoder. Each test runs on the shared and the upper
layout (``copy_layout``); the first one on every layout.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import CopyLayout, recording_factory

from bilingo.article import DEFAULT_TRANSLATED_FIELDS, read_article
from bilingo.cli import cli
from bilingo.commands.translate import translate_paths
from bilingo.document import segment, segment_field
from bilingo.glossary import empty_glossary
from bilingo.provenance import is_twin
from bilingo.units import units

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "ett-ar-med-naeringsklyngetillit.nb.md"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"


@pytest.fixture
def site(tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site folder with the seed article and the Markdown-rich fixtures, no glossary."""
    return make_site(tmp_path, monkeypatch)


@pytest.fixture
def any_site(tmp_path: Path, any_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch) -> Path:
    """:func:`site`, for every copy-model layout."""
    return make_site(tmp_path, monkeypatch)


def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles)
    for f in sorted(FIXTURES.glob("*.md")):
        shutil.copy(f, articles)
    monkeypatch.chdir(tmp_path)
    return articles


def sources_in(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.glob("*.md")) if not is_twin(read_article(p))]


def test_twins_are_exact_and_every_segment_reached_the_engine(
    any_site: Path, any_layout: CopyLayout
) -> None:
    """--inline fragments: every segment, cut at markup and line breaks, as before."""
    site = any_site
    sources = sources_in(site)
    sent: list[str] = []
    report = translate_paths(
        [site],
        glossary=empty_glossary(),
        engine_factory=recording_factory(sent),
        inline="fragments",
    )
    assert report.exit_code == 0, report.outcomes
    assert report.count("written") == len(sources) >= 4
    expected: set[str] = set()
    for src in sources:
        art = read_article(src)
        expected |= {s.text for s in segment(art.body).segments}
        for key in DEFAULT_TRANSLATED_FIELDS:
            if key in art.meta:
                expected |= {s.text for s in segment_field(art.meta[key]).segments}
    assert set(sent) == expected
    assert len(sent) == len(set(sent)) == report.engine_segments

    for outcome in report.outcomes:
        assert outcome.twin is not None
        src, twin = read_article(outcome.source), read_article(outcome.twin)
        pair = (outcome.source_lang, outcome.target_lang)
        assert twin.body == any_layout.expected_body(src.body, *pair)
        assert "\u2581" not in outcome.twin.read_text(encoding="utf-8")
        assert outcome.source.read_bytes().count(b"\r\n") == outcome.twin.read_bytes().count(
            b"\r\n"
        )
        # Front matter: the rest kept, language switched, provenance written.
        for key, value in src.meta.items():
            if key in DEFAULT_TRANSLATED_FIELDS:
                document = segment_field(value)
                translated = [any_layout.expected(s.text, *pair) for s in document.segments]
                assert twin.meta[key] == document.render(translated), key
            elif key != "lang":
                assert twin.meta[key] == value, key
        assert twin.meta["lang"] == outcome.target_lang != outcome.source_lang
        # Hugo pairs the files by path: the twin has a key only when the source has one.
        assert twin.meta.get("translationKey") == src.meta.get("translationKey")
        prov = twin.meta["bilingo"]
        assert prov["source"] == src.path.name
        assert prov["source_lang"] == outcome.source_lang
        assert prov["machine"] is True and prov["reviewed"] is False
        assert prov["engine"].startswith("argos:translate-")
        assert prov["glossary_hash"] == empty_glossary().hash
        assert outcome.twin.name == f"{src.slug}.{outcome.target_lang}.md"


def test_whole_sentences_reach_the_engine_once_and_twins_are_exact(
    site: Path, copy_layout: CopyLayout
) -> None:
    """The default: every sentence of the articles reaches the engine once and whole (markup
    and line breaks out, literals behind placeholders), and comes back exactly: byte for byte
    on the shared layout, with every marker in place on the upper-casing one."""
    sources = sources_in(site)
    sent: list[str] = []
    report = translate_paths(
        [site], glossary=empty_glossary(), engine_factory=recording_factory(sent)
    )
    assert report.exit_code == 0, report.outcomes
    assert report.fallback_sentences == 0
    expected: set[str] = set()
    fields: set[str] = set()
    multi_line = with_markup = 0
    for src in sources:
        art = read_article(src)
        doc = segment(art.body)
        found = units(doc)
        # Every segment of the body lies in one sentence: nothing is cut off.
        assert sorted(i for u in found for i in u.segments) == list(range(len(doc.segments)))
        expected |= {u.sentence.text for u in found}
        multi_line += sum("\n" in u.key for u in found)
        with_markup += sum(bool(u.sentence.spans) for u in found)
        for key in DEFAULT_TRANSLATED_FIELDS:
            if key in art.meta:
                fields |= {s.text for s in segment_field(art.meta[key]).segments}
    assert multi_line >= 3 and with_markup >= 10  # the fixtures do exercise both
    assert set(sent) == expected | fields
    assert len(sent) == len(set(sent)) == report.engine_segments
    assert report.whole_sentences == len(expected | fields)
    for outcome in report.outcomes:
        assert outcome.twin is not None
        pair = (outcome.source_lang, outcome.target_lang)
        source_body = read_article(outcome.source).body
        # The copy models align on the diagonal: markup lands where it stood.
        assert read_article(outcome.twin).body == copy_layout.expected_body(source_body, *pair)


def test_seed_article_twin_via_cli(site: Path) -> None:
    result = CliRunner().invoke(cli, ["translate", "articles", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_source = {Path(a["source"]).name: a for a in data["articles"]}
    seed = by_source[SEED.name]
    assert seed["action"] == "written"
    assert seed["target_lang"] == "en"
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    assert twin.is_file()
    text = twin.read_text(encoding="utf-8")
    assert "http://www.arenaclusters.no/" in text
    assert read_article(twin).meta["date"] == read_article(SEED).meta["date"]
    assert data["engine_segments"] > 30


def test_second_run_changes_nothing(site: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["translate", "articles"]).exit_code == 0
    before = {p: p.read_bytes() for p in site.glob("*.md")}
    mtimes = {p: p.stat().st_mtime_ns for p in site.glob("*.md")}
    result = runner.invoke(cli, ["translate", "articles", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["engine_segments"] == 0
    assert {a["action"] for a in data["articles"]} == {"unchanged"}
    assert {p: p.read_bytes() for p in site.glob("*.md")} == before
    assert {p: p.stat().st_mtime_ns for p in site.glob("*.md")} == mtimes


def test_hand_edited_twin_survives_a_source_change(site: Path, copy_layout: CopyLayout) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["translate", "articles"]).exit_code == 0
    twin = site / "ett-ar-med-naeringsklyngetillit.en.md"
    machine_heading = copy_layout.expected("Små må samarbeide")
    edited = twin.read_text(encoding="utf-8").replace(machine_heading, "Small firms must cooperate")
    twin.write_text(edited, encoding="utf-8")
    src = site / SEED.name
    src.write_text(src.read_text(encoding="utf-8") + "\nNy linje.\n", encoding="utf-8")
    result = runner.invoke(cli, ["translate", "articles"])
    assert result.exit_code == 0, result.output
    after = read_article(twin).body
    # The person's heading survives; the new source paragraph was translated in.
    assert "## Small firms must cooperate\n" in after
    assert after.endswith(f"\n{copy_layout.expected('Ny linje.')}\n")
    assert after.replace("Small firms must cooperate", machine_heading) == (
        copy_layout.expected_body(read_article(src).body)
    )

    # A reviewed twin follows its source without --force: the new paragraph is translated
    # in, the person's heading kept.
    twin.write_text(twin.read_text(encoding="utf-8").replace("reviewed: false", "reviewed: true"))
    src.write_text(src.read_text(encoding="utf-8") + "\nEnda en linje.\n", encoding="utf-8")
    result = runner.invoke(cli, ["translate", "articles"])
    assert result.exit_code == 0, result.output
    after = read_article(twin).body
    assert "## Small firms must cooperate\n" in after
    assert after.endswith(f"\n{copy_layout.expected('Enda en linje.')}\n")
    # --force keeps the person's text and names it; --discard-edits replaces it.
    result = runner.invoke(cli, ["translate", "articles", "--force", "--dry-run"])
    assert "--discard-edits" in result.output and "Small firms" in read_article(twin).body
    assert runner.invoke(cli, ["translate", "articles", "--discard-edits"]).exit_code == 2
    result = runner.invoke(cli, ["translate", "articles", "--force", "--discard-edits"])
    assert result.exit_code == 0 and "with machine text" in result.output
    assert read_article(twin).body == copy_layout.expected_body(read_article(src).body)


def test_dry_run_writes_nothing(site: Path) -> None:
    before = sorted(p.name for p in site.iterdir())
    result = CliRunner().invoke(cli, ["translate", "articles", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would-write" in result.output
    assert sorted(p.name for p in site.iterdir()) == before


def test_missing_model_exits_2_with_the_command_to_run(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(empty))
    before = sorted(p.name for p in site.iterdir())
    result = CliRunner().invoke(cli, ["translate", "articles"])
    assert result.exit_code == 2
    assert "bilingo models install nb en" in result.output
    assert "Traceback" not in result.output
    assert "bilingo models install en nb" in result.output
    assert sorted(p.name for p in site.iterdir() if p.name != ".bilingo.lock") == before


def test_bad_article_among_good_ones_exits_1_and_the_rest_are_written(site: Path) -> None:
    (site / "broken.nb.md").write_text("---\ntitle: [unclosed\n---\nTekst.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", "articles"])
    assert result.exit_code == 1
    assert "broken.nb.md:2" in result.output
    assert (site / "ett-ar-med-naeringsklyngetillit.en.md").is_file()
    assert not (site / "broken.en.md").exists()


def test_batch_limits_reach_the_engine_and_change_no_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--batch-tokens/--batch-segments trade memory for speed; the twins stay the same."""
    import bilingo.engine

    limits: list[tuple[int, int]] = []
    engine = bilingo.engine.ArgosEngine
    # Whole sentences go through the aligned batches (issue 14), fragments the plain ones
    # (queued ahead); they are where translate and translate_aligned send their segments.
    for name in ("translate_batches", "translate_aligned_batches", "queue_scored_batches"):
        real = getattr(engine, name)

        def observed(
            self: bilingo.engine.ArgosEngine, segments: list[str], real: Any = real
        ) -> Any:
            limits.append((self.max_batch_tokens, self.max_batch_segments))
            return real(self, segments)

        monkeypatch.setattr(engine, name, observed)
    other = tmp_path / "other"
    shutil.copytree(site, other)
    runner = CliRunner()
    small = ["--batch-tokens", "8", "--batch-segments", "2", "--no-memory"]
    assert runner.invoke(cli, ["translate", str(site), *small]).exit_code == 0
    assert set(limits) == {(8, 2)}
    assert runner.invoke(cli, ["translate", str(other), "--no-memory"]).exit_code == 0
    defaults = (bilingo.engine.CPU_BATCH_TOKENS, bilingo.engine.CPU_BATCH_SEGMENTS)
    assert set(limits[-1:]) == {defaults} and defaults != (8, 2)
    for twin in sorted(other.glob("*.md")):
        assert (site / twin.name).read_bytes() == twin.read_bytes()
    bad = runner.invoke(cli, ["translate", str(site), "--batch-tokens", "0"])
    assert bad.exit_code == 2 and "--batch-tokens" in bad.output


def test_underscores_and_numbers_survive_every_layout(
    tmp_path: Path, any_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argostranslate's decoder turns every "_" into a space; bilingo keeps what the model wrote."""
    site = tmp_path / "articles"
    site.mkdir()
    body = (
        "Feltet heter snake_case_name, og rapporten ligger i rapport_2015_final i mappa.\n\n"
        "I 2015 fikk 12 bedrifter status, og 3,5 % av dem het noe_med_understrek.\n"
    )
    (site / "understrek.nb.md").write_text(f"---\ntitle: Om snake_case\n---\n{body}", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["translate", "articles", "--no-memory"])
    assert result.exit_code == 0, result.output
    twin = read_article(site / "understrek.en.md")
    assert twin.body == any_layout.expected_body(body)
    assert twin.meta["title"] == any_layout.expected("Om snake_case")
    assert twin.body.count("_") == body.count("_") == 6
    assert "snake_case_name" in twin.body.lower() and "2015" in twin.body
    assert "\u2581" not in (site / "understrek.en.md").read_text(encoding="utf-8")


def test_whole_sentences_on_every_package_shape(any_site: Path, any_layout: CopyLayout) -> None:
    """--inline whole (the default) on each real package shape. SentencePiece packages
    (shared, upper, prefix with its forced first token) give the alignment head's links; a
    BPE package gives none, so each span is placed by translating it alone and finding it in
    the sentence's translation (the second signal). Either way no sentence falls back and
    the twins are exact."""
    sent: list[str] = []
    report = translate_paths(
        [any_site], glossary=empty_glossary(), engine_factory=recording_factory(sent)
    )
    assert report.exit_code == 0, report.outcomes
    assert report.fallback_sentences == 0 and report.whole_sentences > 0
    for outcome in report.outcomes:
        assert outcome.twin is not None
        pair = (outcome.source_lang, outcome.target_lang)
        twin = read_article(outcome.twin)
        assert twin.body == any_layout.expected_body(read_article(outcome.source).body, *pair)
        assert "\u2581" not in outcome.twin.read_text(encoding="utf-8")


@pytest.mark.usefixtures("argos_packages_dir")
def test_a_model_with_batches_queued_is_released_once_they_are_collected() -> None:
    """Loading the other direction's model while batches are queued on one leaves it
    loaded until they are collected, then frees it: one model at a time, but for a moment."""
    from bilingo.engine import ArgosEngine, find_package

    first = ArgosEngine(find_package("nb", "en"), beam_size=1, max_batch_segments=1)
    second = ArgosEngine(find_package("en", "nb"), beam_size=1)
    texts = ["Dette er en setning.", "Og en til.", "Den tredje setningen."]
    batches = first.queue_scored_batches(texts)
    assert first.queued > 0
    second.load()
    assert first.loaded and second.loaded
    got = {i: r.text for batch, results in batches for i, r in zip(batch, results, strict=True)}
    assert [got[i] for i in range(len(texts))] == texts  # the copy model, case kept
    assert not first.loaded and second.loaded and first.queued == 0
    # Nothing queued: released at once.
    first.load()
    assert first.loaded and not second.loaded


@pytest.mark.usefixtures("argos_packages_dir")
def test_the_next_call_fills_the_queue_while_the_last_batches_of_one_run() -> None:
    """Batches stand queued a fixed number ahead of the one waited for across calls, not
    per call: a call queued behind another (the next chunk of articles) gets nothing
    while the first has batches to queue, and its first batches go in as the first's last
    ones are collected, so no worker waits at a chunk's end (before: each call queued its
    own, up to twice the batches at once, and none once a call's last batch ran)."""
    from bilingo.engine import AHEAD, ArgosEngine, find_package

    engine = ArgosEngine(
        find_package("nb", "en"), beam_size=1, max_batch_segments=1, inter_threads=1
    )
    engine.load()
    real = engine._translator
    submitted: list[str] = []

    class Recording:
        """The model, with each batch's first sentence noted as it is queued."""

        def translate_batch(self, tokens: list[list[str]], **kwargs: Any) -> Any:
            submitted.append("".join(tokens[0]).replace("\u2581", " ").strip())
            return real.translate_batch(tokens, **kwargs)

    engine._translator = Recording()
    alfa = [f"Alfa nummer {n}." for n in range(6)]
    beta = [f"Beta nummer {n}." for n in range(6)]
    first = engine.queue_scored_batches(alfa)
    second = engine.queue_scored_batches(beta)
    budget = 1 + AHEAD  # the batch waited for and AHEAD per worker, one worker
    assert submitted == alfa[:budget]  # none of the second call's yet
    got: dict[str, str] = {}
    for batch, results in first:
        # The batch being collected and those standing behind it: never more.
        assert len(submitted) - len(got) <= budget
        for i, result in zip(batch, results, strict=True):
            got[alfa[i]] = result.text
    # The first call's last batch was waited for with the second's first ones queued.
    assert submitted[: len(alfa) + AHEAD] == alfa + beta[:AHEAD]
    for batch, results in second:
        assert len(submitted) - len(got) <= budget
        for i, result in zip(batch, results, strict=True):
            got[beta[i]] = result.text
    assert submitted == alfa + beta  # each batch once, in order
    assert got == {text: text for text in alfa + beta}  # the copy model: the text back
    assert engine.queued == 0


@pytest.mark.usefixtures("argos_packages_dir")
def test_both_directions_in_chunks_of_one_article_leave_one_model_loaded(site: Path) -> None:
    """One chunk queue across directions (the next direction starts while the last chunk
    of one runs): every twin is written as a run direction by direction writes it, and
    the first direction's model is freed once its batches are collected."""
    from bilingo.engine import ArgosEngine, find_package

    engines: list[ArgosEngine] = []

    def make(source: str, target: str) -> ArgosEngine:
        engines.append(ArgosEngine(find_package(source, target), beam_size=1))
        return engines[-1]

    other = site.parent / "other"
    shutil.copytree(site, other)
    for chunk, folder in ((1, site), (None, other)):
        report = translate_paths(
            [folder], glossary=empty_glossary(), engine_factory=make, chunk_segments=chunk,
            inline="fragments",
        )  # fmt: skip
        assert report.exit_code == 0, report.outcomes
        assert [e.loaded for e in engines[-2:]] == [False, True]
        assert {e.package.from_code for e in engines[-2:]} == {"nb", "en"}
        assert all(e.queued == 0 for e in engines)
    for twin in sorted(other.glob("*.md")):
        assert (site / twin.name).read_bytes() == twin.read_bytes()


@pytest.mark.usefixtures("argos_packages_dir")
def test_a_model_loading_in_the_background_is_waited_for(tmp_path: Path) -> None:
    """load_soon starts the load in a thread; load waits for it and has it, and a package
    that cannot load raises from load, with the fix, as without load_soon."""
    from bilingo.engine import ArgosEngine, find_package
    from bilingo.errors import ModelError

    engine = ArgosEngine(find_package("nb", "en"), beam_size=1)
    engine.load_soon()
    engine.load()
    assert engine.loaded
    assert engine.translate(["Hei."]) == ["Hei."]
    package = find_package("en", "nb")
    broken = tmp_path / "broken"
    shutil.copytree(package.path, broken)
    (broken / "model" / "model.bin").write_bytes(b"not a model")
    bad = ArgosEngine(replace(package, path=broken), beam_size=1)
    bad.load_soon()
    with pytest.raises(ModelError, match=r"cannot be loaded.*reinstall it"):
        bad.load()
    assert not bad.loaded


@pytest.mark.usefixtures("argos_packages_dir")
@pytest.mark.parametrize("inline", ["fragments", "whole"])
def test_the_first_chunk_goes_to_the_engine_while_the_rest_are_planned(
    site: Path, monkeypatch: pytest.MonkeyPatch, inline: Any
) -> None:
    """With the first model in, a chunk's worth of the first direction is queued while
    later articles are still planned (fragments: whole sentences are sent when their chunk
    is collected); the twins are those of a run that plans first."""
    import bilingo.translation as translation

    events: list[str] = []
    plan_one = translation._plan_one

    def planning(article: Any, *args: Any, **kwargs: Any) -> Any:
        events.append(f"plan {article.path.name}")
        return plan_one(article, *args, **kwargs)

    monkeypatch.setattr(translation, "_plan_one", planning)
    sent: list[str] = []
    factory = recording_factory(sent, beam_size=1, loaded=True)

    def make(source: str, target: str) -> Any:
        engine = factory(source, target)
        queue = engine.queue_scored_batches  # type: ignore[attr-defined]

        def queued(segments: Any) -> Any:
            events.append("send")
            return queue(segments)

        engine.queue_scored_batches = queued  # type: ignore[attr-defined]
        return engine

    other = site.parent / "planned-first"
    shutil.copytree(site, other)
    early = translate_paths(
        [site], glossary=empty_glossary(), engine_factory=make, chunk_segments=1, inline=inline
    )
    assert early.exit_code == 0, early.outcomes
    planned = [i for i, e in enumerate(events) if e.startswith("plan")]
    assert len(planned) >= 3
    if inline == "fragments":  # the engine had work before the plan was done
        assert events.index("send") < planned[-1]
    events.clear()
    # A chunk bigger than the site: nothing goes before the whole plan is made.
    late = translate_paths(
        [other], glossary=empty_glossary(), engine_factory=make, chunk_segments=10**6,
        inline=inline,
    )  # fmt: skip
    assert late.exit_code == 0
    if inline == "fragments":
        assert events.index("send") > max(i for i, e in enumerate(events) if e[:4] == "plan")
    assert early.engine_segments == late.engine_segments
    for twin in sorted(other.glob("*.md")):
        assert (site / twin.name).read_bytes() == twin.read_bytes()


class _LateModel:
    """An engine whose model is in only once ``ready`` holds something."""

    def __init__(self, inner: Any, ready: list[bool]) -> None:
        self._inner, self._ready = inner, ready

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def loaded(self) -> bool:
        return bool(self._ready)


def test_the_first_chunk_is_a_chunk_even_when_the_model_came_in_late(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model comes in once three articles are planned: the chunk started then holds
    the first article's worth (chunk_segments), not all three; the rest go in chunks of
    the usual size, and every twin is written."""
    import bilingo.commands.translate as command
    import bilingo.translation as translation

    planned: list[str] = []
    ready: list[bool] = []
    plan_one = translation._plan_one

    def planning(article: Any, *args: Any, **kwargs: Any) -> Any:
        planned.append(article.path.name)
        if len(planned) == 3:
            ready.append(True)
        return plan_one(article, *args, **kwargs)

    monkeypatch.setattr(translation, "_plan_one", planning)
    started: list[tuple[int, int]] = []  # (jobs in the chunk, articles planned by then)
    chunk_start = command._Chunk.start

    def start(chunk: Any, *args: Any) -> Any:
        started.append((len(chunk.jobs), len(planned)))
        return chunk_start(chunk, *args)

    monkeypatch.setattr(command._Chunk, "start", start)
    factory = recording_factory([], beam_size=1)
    report = translate_paths(
        [site],
        glossary=empty_glossary(),
        engine_factory=lambda s, t: _LateModel(factory(s, t), ready),
        chunk_segments=1,
        inline="fragments",
    )
    assert report.exit_code == 0, report.outcomes
    assert len(planned) > 3
    # One article's chunk, started once the model came in (with the next job of the first
    # direction), though more of its articles were planned by then.
    assert started[0][0] == 1 and started[0][1] >= 3
    assert all(jobs == 1 for jobs, _ in started)
    written = [o for o in report.outcomes if o.action == "written"]
    assert len(written) == len(started)


@pytest.mark.usefixtures("argos_packages_dir")
def test_a_job_the_plan_drops_after_its_chunk_started_is_not_written(tmp_path: Path) -> None:
    """foo.md (lang: nb) is planned, and queued as the first chunk, before foo.nb.md shows
    that both would write foo.en.md: neither twin is written, each fails once, and the
    article after them is translated."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "foo.md").write_text(
        "---\ntitle: En\nlang: nb\n---\nFørste avsnitt om klyngen.\n", encoding="utf-8"
    )
    (folder / "foo.nb.md").write_text("---\ntitle: To\n---\nAndre avsnitt.\n", encoding="utf-8")
    (folder / "god.nb.md").write_text(
        "---\ntitle: God\n---\nEt godt avsnitt om bærekraft.\n", encoding="utf-8"
    )
    sent: list[str] = []
    report = translate_paths(
        [folder], glossary=empty_glossary(),
        engine_factory=recording_factory(sent, beam_size=1, loaded=True),
        chunk_segments=1, inline="fragments",
    )  # fmt: skip
    assert "Første avsnitt om klyngen." in sent  # its chunk did go to the engine
    by_source = {}
    for outcome in report.outcomes:
        assert outcome.source.name not in by_source, report.outcomes  # one outcome each
        by_source[outcome.source.name] = outcome
    assert by_source["foo.md"].action == "failed"
    assert by_source["foo.nb.md"].action == "failed"
    assert "would be translated into the same twin" in by_source["foo.md"].reason
    assert by_source["god.nb.md"].action == "written"
    assert not (folder / "foo.en.md").exists()
    assert (folder / "god.en.md").is_file()
