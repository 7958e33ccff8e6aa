"""Stories: a long run interrupted, then run again (issue 16, item 5).

Twins are written as their chunk of articles is translated, the memory is committed with
them, and an interrupt (Ctrl-C, SIGTERM, or a KeyboardInterrupt from inside the engine)
ends the run after the writes in progress: the finished twins are complete on disk, the
memory holds their segments, the exit code is 130, and the rerun sends the engine only
what was not finished. On the copy model (output = input), so every twin is known.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from support import RecordingEngine

from bilingo.article import read_article
from bilingo.commands.translate import translate_paths
from bilingo.engine import Aligned, ArgosEngine, Engine, Progress, find_package
from bilingo.glossary import empty_glossary
from bilingo.memory import Memory, MemoryKey
from bilingo.provenance import read as read_provenance
from bilingo.translation import EngineFactory, RunStatus

WORDS = ["klynge", "samarbeid", "bedrift", "tekst", "Norge", "marked", "eksport", "ull", "blå"]


def make_site(folder: Path, articles: int, paragraphs: int) -> dict[str, list[str]]:
    """``articles`` articles of distinct one-sentence paragraphs; their segments by name."""
    folder.mkdir(parents=True, exist_ok=True)
    segments: dict[str, list[str]] = {}
    for a in range(articles):
        paras = [
            " ".join(WORDS[(a + p + i) % len(WORDS)] for i in range(6)).capitalize()
            + f" {a} {p}."
            for p in range(paragraphs)
        ]
        name = f"artikkel-{a:02d}.nb.md"
        title = f"Artikkel nummer {a}"
        (folder / name).write_text(
            f"---\ntitle: {title}\n---\n" + "\n\n".join(paras) + "\n", encoding="utf-8"
        )
        segments[name] = [*paras, title]
    return segments


class InterruptingEngine(RecordingEngine):
    """The real engine, recording what reaches it; its ``calls``-th call raises
    KeyboardInterrupt before sending anything, as Ctrl-C would land there."""

    def __init__(self, inner: ArgosEngine, sent: list[str], calls: int) -> None:
        super().__init__(inner, sent)
        self.left = calls

    def _tick(self) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        self._tick()
        return super().translate(segments, progress=progress)

    def translate_aligned(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[Aligned]:
        self._tick()
        return super().translate_aligned(segments, progress=progress)


def factory(sent: list[str], *, interrupt_at: int = 0) -> EngineFactory:
    def make(source: str, target: str) -> Engine:
        inner = ArgosEngine(find_package(source, target), beam_size=1)
        if interrupt_at:
            return InterruptingEngine(inner, sent, interrupt_at)
        return RecordingEngine(inner, sent)

    return make


def assert_twin_complete(twin: Path, source: Path) -> None:
    """The copy model's twin: the source's body and title, with provenance naming it."""
    got, src = read_article(twin), read_article(source)
    assert got.body == src.body
    assert got.meta["title"] == src.meta["title"]
    prov = read_provenance(got)
    assert prov is not None and prov.source == source.name


def test_interrupt_in_the_engine_keeps_finished_twins_and_the_rerun_sends_the_rest(
    tmp_path: Path, argos_packages_dir: Path
) -> None:
    """Six articles of five segments, chunks of eight segments (two articles): the second
    engine call is interrupted. The first two twins are on disk and complete, the memory
    holds their segments, the rest are reported left; the rerun sends exactly the other
    four articles' segments, never the first two's."""
    site = tmp_path / "articles"
    segments = make_site(site, articles=6, paragraphs=4)
    memory = Memory(tmp_path / "memory.sqlite")
    sent: list[str] = []
    statuses: list[RunStatus] = []
    report = translate_paths(
        [site],
        glossary=empty_glossary(),
        engine_factory=factory(sent, interrupt_at=2),
        memory=memory,
        chunk_segments=8,
        status=statuses.append,
    )
    assert report.interrupted and report.exit_code == 130
    written = sorted(o.source.name for o in report.outcomes if o.action == "written")
    left = sorted(o.source.name for o in report.outcomes if o.action == "interrupted")
    assert written == ["artikkel-00.nb.md", "artikkel-01.nb.md"]
    assert left == [f"artikkel-{a:02d}.nb.md" for a in range(2, 6)]
    for name in written:
        assert_twin_complete(site / name.replace(".nb.", ".en."), site / name)
    assert sorted(p.name for p in site.glob("*.en.md")) == [
        n.replace(".nb.", ".en.") for n in written
    ]
    first = [s for name in written for s in segments[name]]
    assert sorted(sent) == sorted(first)
    key = MemoryKey("nb", "en", report.engine, empty_glossary().hash)
    assert memory.lookup(first, key) == {s: s for s in first}
    # Progress was reported per chunk: the last status counts the two twins written.
    assert statuses[-1].articles_done == 2 and statuses[-1].articles_total == 6
    assert statuses[-1].segments_done == 10 and statuses[-1].segments_total == 30

    again: list[str] = []
    rerun = translate_paths(
        [site], glossary=empty_glossary(), engine_factory=factory(again), memory=memory
    )
    assert rerun.exit_code == 0 and not rerun.interrupted
    assert sorted(o.source.name for o in rerun.outcomes if o.action == "written") == left
    assert sorted(again) == sorted(s for name in left for s in segments[name])
    for name in segments:
        assert_twin_complete(site / name.replace(".nb.", ".en."), site / name)
    memory.close()


def _twins(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("*.en.md")}


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_to_the_real_cli_finishes_the_writes_and_exits_130(
    tmp_path: Path, argos_packages_dir: Path, sig: signal.Signals
) -> None:
    """``bilingo translate`` as a process, one segment a batch (so a chunk is 16 segments and
    the run is long enough to interrupt), progress lines every run of the engine: once the
    first twin appears it gets SIGINT (or SIGTERM). It exits 130 with a summary of what was
    written and what is left; every twin on disk is complete and in the memory; the rerun
    sends only the articles left, and writes nothing else."""
    site = tmp_path / "site" / "articles"
    segments = make_site(site, articles=40, paragraphs=7)
    cwd = tmp_path / "site"
    env = dict(os.environ)
    env.update(
        ARGOS_PACKAGES_DIR=str(argos_packages_dir),
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "home" / "data"),
        XDG_CACHE_HOME=str(tmp_path / "home" / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / "config"),
        PYTHONUNBUFFERED="1",
        BILINGO_PROGRESS_INTERVAL="0",
    )
    args = [sys.executable, "-c", "from bilingo.cli import main; main()", "translate"]
    proc = subprocess.Popen(
        [*args, str(site), "--beam-size", "1", "--batch-segments", "1"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _twins(site) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    done = _twins(site)
    assert 0 < len(done) < len(segments), err
    assert f"interrupted: {len(done)} twin(s) written and complete" in err
    left = {name for name in segments if name.replace(".nb.", ".en.") not in done}
    named = [
        line.removeprefix("left: ")
        for line in err.splitlines()
        if line.startswith("left: ") and "more (--json" not in line
    ]
    # Twenty are named, the others counted.
    assert len(named) == min(len(left), 20)
    assert set(named) <= {str(site / name) for name in left}
    if len(left) > 20:
        assert f"left: … and {len(left) - 20} more (--json lists them all)" in err
    # The progress line a CI log shows (interval 0 here: one per engine batch).
    assert "progress: 0/40 articles, " in err
    assert any(
        line.startswith("progress: ") and " segments, " in line and "words/s, ETA " in line
        for line in err.splitlines()
    )
    memory = Memory(cwd / ".bilingo" / "memory.sqlite")
    for twin in done:
        source = site / twin.replace(".en.", ".nb.")
        assert_twin_complete(site / twin, source)
        texts = segments[source.name]
        prov = read_provenance(read_article(site / twin))
        assert prov is not None
        key = MemoryKey("nb", "en", prov.engine, empty_glossary().hash)
        assert memory.lookup(texts, key) == {t: t for t in texts}
    memory.close()

    rerun = subprocess.run(
        [*args, str(site), "--beam-size", "1", "--json"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    data = json.loads(rerun.stdout)
    by_action: dict[str, set[str]] = {}
    for article in data["articles"]:
        by_action.setdefault(article["action"], set()).add(Path(article["source"]).name)
    assert by_action["written"] == left
    assert by_action["unchanged"] == {t.replace(".en.", ".nb.") for t in done}
    # Only the articles left reach the engine (a chunk whose memory commit beat the signal
    # to its writes comes from the memory instead).
    left_segments = sum(len(segments[name]) for name in left)
    assert data["engine_segments"] + data["memory_segments"] == left_segments
    assert data["engine_segments"] >= left_segments - 16
    for name in segments:
        assert_twin_complete(site / name.replace(".nb.", ".en."), site / name)
