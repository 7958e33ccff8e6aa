"""One pass per article (issue 24), counted on a small site with the real engine.

An ``open`` audit hook counts every read and write of the site's files; counters around the
front-matter parser and the glossary's matcher count the work done per article and per
segment; a :class:`support.RecordingEngine` records what reaches the copy model. Per
``translate`` run: each source is read once, each twin read at most once and written at most
once, front matter parsed at most twice per article (read, verify), the glossary matched
once per unique segment and each unique sentence sent once (a closing line all the
articles share reaches the engine once). After an interrupt, the rerun sends nothing that
had finished.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import RecordingEngine, recording_factory

from bilingo import article as article_module
from bilingo import frontmatter as frontmatter_module
from bilingo.commands.translate import TranslateReport, translate_paths
from bilingo.engine import ArgosEngine, Engine, find_package
from bilingo.glossary import Glossary, load_glossary
from bilingo.memory import Memory
from bilingo.translation import EngineFactory, RunStatus

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = load_glossary(ROOT / "glossary.yml")
CLOSING = "Takk for at du leste, og ta gjerne kontakt med klyngen om du har spørsmål."
TOPICS = [
    "Klyngen samlet tolv bedrifter i Trondheim i fjor.",
    "Medlemmene delte erfaringer om digital sikkerhet og tillit.",
    "Styret la fram en ny plan for samarbeid mellom bedriftene.",
    "Næringslivet i regionen investerte mer i forskning enn før.",
]


def _write_site(root: Path) -> list[Path]:
    root.mkdir()
    sources = []
    for n, topic in enumerate(TOPICS):
        path = root / f"sak-{n}.nb.md"
        path.write_text(
            f'---\ntitle: "Sak nummer {n} fra klyngen"\n---\n\n# Nyheter {n}\n\n'
            # Sentences under confidence.COPY_WORDS words: the copy model copies, and a long
            # sentence copied beside a translated term would (rightly) be flagged, unsealed.
            f"{topic} Det var et godt år for **alle**.\n\n"
            f"Vi skrev {n + 2} rapporter om arbeidet.\n\n{CLOSING}\n",
            encoding="utf-8",
        )
        sources.append(path)
    return sources


class Counts:
    """What one translate run did to the site's files and its glossary."""

    def __init__(self, root: Path) -> None:
        self.root = str(root)
        self.reads: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        self.front: Counter[str] = Counter()
        self.matched: Counter[str] = Counter()
        self.on = False

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.on:
            return
        if event == "open" and isinstance(args[0], str | Path):
            path = os.fspath(args[0])
            if not path.startswith(self.root) or not path.endswith(".md"):
                return
            mode, flags = args[1], args[2]
            writing = (mode is not None and any(c in mode for c in "wax+")) or (
                mode is None and flags & (os.O_WRONLY | os.O_RDWR)
            )
            if not writing:
                self.reads[Path(path).name] += 1
        elif event == "os.rename" and isinstance(args[1], str | Path):
            path = os.fspath(args[1])
            if path.startswith(self.root):
                self.writes[Path(path).name] += 1


@pytest.fixture
def counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counts]:
    found = Counts(tmp_path / "site")
    sys.addaudithook(found.hook)  # audit hooks cannot be removed: switched off after
    real_split = article_module.split_front_matter
    real_matches = Glossary.matches

    def split(path: Path, text: str) -> Any:
        if found.on:
            found.front[path.name] += 1
        return real_split(path, text)

    def matches(self: Glossary, text: str, *, lang: str) -> Any:
        if found.on:
            found.matched[text] += 1
        return real_matches(self, text, lang=lang)

    monkeypatch.setattr(article_module, "split_front_matter", split)
    monkeypatch.setattr(frontmatter_module, "split_front_matter", split)
    monkeypatch.setattr(Glossary, "matches", matches)
    yield found
    found.on = False


def _run(site: Path, counts: Counts, sent: list[str], memory: Memory, **kw: Any) -> TranslateReport:
    counts.reads.clear(), counts.writes.clear(), counts.front.clear(), counts.matched.clear()
    counts.on = True
    try:
        return translate_paths(
            [site],
            glossary=GLOSSARY,
            engine_factory=recording_factory(sent, beam_size=1),
            memory=memory,
            **kw,
        )
    finally:
        counts.on = False


def _assert_one_pass(counts: Counts, sent: list[str], sources: list[Path]) -> None:
    for source in sources:
        twin = source.with_name(source.name.replace(".nb.md", ".en.md"))
        assert counts.reads[source.name] == 1, (source.name, counts.reads)
        assert counts.reads[twin.name] <= 1, (twin.name, counts.reads)
        assert counts.writes[twin.name] <= 1, (twin.name, counts.writes)
        # Read, and the written twin verified by one parse-back.
        assert counts.front[source.name] <= 1, counts.front
        assert counts.front[twin.name] <= 2, counts.front
    assert "<twin>" not in counts.front, counts.front  # no check of its own besides those
    # The glossary is matched once per unique segment, whoever needs its matches.
    assert counts.matched and max(counts.matched.values()) == 1, counts.matched.most_common(3)
    # Each unique sentence reaches the engine once.
    repeated = [s for s, n in Counter(sent).items() if n > 1]
    assert not repeated, repeated


@pytest.mark.usefixtures("argos_packages_dir")
@pytest.mark.parametrize("inline", ["whole", "fragments"])
def test_a_translate_run_reads_parses_matches_and_sends_once(
    tmp_path: Path, counts: Counts, inline: str
) -> None:
    site = tmp_path / "site"
    sources = _write_site(site)
    sent: list[str] = []
    with Memory(tmp_path / "memory.sqlite") as memory:
        # Chunks of one article: the closing line is in every chunk, and still sent once.
        report = _run(site, counts, sent, memory, inline=inline, chunk_segments=1)
        assert report.exit_code == 0, report.outcomes
        assert report.count("written") == len(sources)
        _assert_one_pass(counts, sent, sources)
        assert sum(s.startswith("Takk for at du leste") for s in sent) == 1, sent

        # A one-paragraph edit: the edited source and its twin are read once, and only the
        # new paragraph is sent.
        edited = sources[1]
        edited.write_text(
            edited.read_text(encoding="utf-8").replace("rapporter", "notater"), encoding="utf-8"
        )
        sent.clear()
        report = _run(site, counts, sent, memory, inline=inline)
        assert report.count("written") == 1, report.outcomes
        _assert_one_pass(counts, sent, sources)
        assert len(sent) == 1 and "notater" in sent[0], sent


def _small_batches(sent: list[str]) -> EngineFactory:
    """The copy model in batches of two segments: a small site makes several batches."""

    def make(source: str, target: str) -> Engine:
        package = find_package(source, target)
        return RecordingEngine(ArgosEngine(package, beam_size=1, max_batch_segments=2), sent)

    return make


@pytest.mark.usefixtures("argos_packages_dir")
@pytest.mark.parametrize("inline", ["whole", "fragments"])
def test_after_an_interrupt_the_rerun_sends_nothing_that_had_finished(
    tmp_path: Path, inline: str
) -> None:
    site = tmp_path / "site"
    _write_site(site)
    sent: list[str] = []

    def translate(memory: Memory, **kw: Any) -> TranslateReport:
        sent.clear()
        return translate_paths(
            [site], glossary=GLOSSARY, engine_factory=_small_batches(sent), memory=memory, **kw
        )

    with Memory(tmp_path / "full.sqlite") as memory:
        full = translate(memory, inline=inline)
    assert full.exit_code == 0 and full.memory_segments == 0
    for twin in site.glob("*.en.md"):
        twin.unlink()
    calls: list[int] = []

    def stop_after_three_batches(status: RunStatus) -> None:
        calls.append(status.segments_done)
        if len(calls) == 4:  # the run's start, then three finished batches
            raise KeyboardInterrupt

    with Memory(tmp_path / "memory.sqlite") as memory:
        stopped = translate(memory, inline=inline, status=stop_after_three_batches)
        assert stopped.interrupted and stopped.count("written") == 0, stopped.outcomes
        kept = len(memory)
        assert kept >= 3, kept  # the finished batches are in the memory
        rerun = translate(memory, inline=inline)
    assert rerun.exit_code == 0, rerun.outcomes
    # Everything the interrupted run finished comes from the memory; only the rest is sent.
    assert rerun.memory_segments == kept
    assert rerun.engine_segments + kept == full.engine_segments


@pytest.mark.usefixtures("argos_packages_dir")
def test_check_opens_each_file_once_and_matches_nothing_while_seals_hold(
    tmp_path: Path, counts: Counts
) -> None:
    from bilingo.commands.check import check_paths

    site = tmp_path / "site"
    sources = _write_site(site)
    sent: list[str] = []
    with Memory(tmp_path / "memory.sqlite") as memory:
        assert _run(site, counts, sent, memory).exit_code == 0

    def check() -> list[str]:
        counts.reads.clear(), counts.front.clear(), counts.matched.clear()
        counts.on = True
        try:
            report = check_paths([site], glossary_hash=GLOSSARY.hash, glossary=GLOSSARY)
        finally:
            counts.on = False
        return sorted({p.kind for p in report.problems})

    # Every seal holds: two files hashed per pair, no front matter read, no term matched.
    assert check() == ["unreviewed"]
    assert set(counts.reads.values()) == {1} and len(counts.reads) == 2 * len(sources)
    assert not counts.front and not counts.matched
    # One source edited: its pair is judged in full, each of its files still opened once.
    edited = sources[2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEn ny setning.\n", "utf-8")
    assert check() == ["stale", "unreviewed"]
    assert set(counts.reads.values()) == {1}, counts.reads
    assert set(counts.front) == {edited.name, "sak-2.en.md"}, counts.front


@pytest.mark.usefixtures("argos_packages_dir")
def test_a_twin_edited_by_hand_is_judged_once_then_sealed_edited(
    tmp_path: Path, counts: Counts
) -> None:
    """check writes nothing (the CI gate); the next translate seals the edited twin with
    the verdict ``edited``, keeping the person's text, and from then on it is settled by
    its seal like any other pair."""
    from bilingo.commands.check import check_paths

    site = tmp_path / "site"
    _write_site(site)
    sent: list[str] = []
    twin = site / "sak-1.en.md"
    with Memory(tmp_path / "memory.sqlite") as memory:
        assert _run(site, counts, sent, memory).exit_code == 0
        text = twin.read_text(encoding="utf-8")
        twin.write_text(text.replace("rapporter", "reports, by hand,"), encoding="utf-8")
        sent.clear()
        again = _run(site, counts, sent, memory)
        assert again.count("unchanged") == 4 and not sent
        assert counts.writes == {twin.name: 1}, counts.writes  # its seal, nothing else
    assert "reports, by hand," in twin.read_text(encoding="utf-8")
    assert b" edited\n" in twin.read_bytes()
    counts.front.clear()
    counts.on = True
    try:
        report = check_paths([site], glossary_hash=GLOSSARY.hash, glossary=GLOSSARY)
    finally:
        counts.on = False
    assert [p.detail for p in report.problems if p.path == twin]
    assert not counts.front  # settled by the seal: nothing parsed


def test_check_works_out_each_twin_path_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check on untranslated sources asks the run's pair index for each source's twin once:
    a source whose name says its language asks for no candidate twins to detect it by, and
    the twin's path is worked out once (it was three times, each resolved)."""
    from bilingo.commands.check import check_paths
    from bilingo.layout import Pairing

    site = tmp_path / "site"
    sources = _write_site(site)
    asked: Counter[tuple[str, str]] = Counter()
    real = Pairing.twin_path

    def twin_path(self: Pairing, source: Path, target: str) -> Path:
        asked[(source.name, target)] += 1
        return real(self, source, target)

    monkeypatch.setattr(Pairing, "twin_path", twin_path)
    report = check_paths([site], glossary_hash=GLOSSARY.hash, glossary=GLOSSARY)
    assert [p.kind for p in report.problems] == ["missing"] * len(sources)
    assert asked == Counter({(s.name, "en"): 1 for s in sources}), asked
