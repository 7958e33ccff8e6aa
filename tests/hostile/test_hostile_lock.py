"""Two runs at once: one ``translate`` per site (flock on ``.bilingo/lock`` at its root),
no interleaving.

The second run exits 2 naming the lock and the holder's pid, or waits with ``--wait``. And a
twin someone saves while bilingo translates is never overwritten with what bilingo planned
before the save.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hostile_support import (
    GOOD_NB,
    assert_tree_sound,
    assert_twin_complete,
    bilingo_env,
    bilingo_process,
    invoke,
    snapshot,
)
from support import CopyLayout

from bilingo.commands.translate import translate_paths
from bilingo.engine import ArgosEngine, Engine, Progress, find_package
from bilingo.glossary import empty_glossary
from bilingo.lock import LOCK_NAME, tree_lock
from bilingo.translation import EngineFactory


def _state() -> Path:
    """The state folder of the site the tests run on: the current folder (no marker above
    ``world/site/articles`` names another root)."""
    return Path.cwd() / ".bilingo"


def _site(articles: Path, n: int = 3) -> None:
    for i in range(n):
        (articles / f"art-{i}.nb.md").write_text(
            GOOD_NB.replace("to avsnitt", f"{i + 2} avsnitt"), encoding="utf-8"
        )


def test_lock_held_by_another_process_exits_2_naming_it(articles: Path) -> None:
    """The lock is held (here by the test itself): exit 2 at once, with lock, pid and --wait."""
    _site(articles)
    before = snapshot(articles)
    with tree_lock(_state()) as lock:
        started = time.monotonic()
        result = invoke("translate", str(articles))
        assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert f"error: another bilingo translate (pid {os.getpid()}) is working on this site" in (
        result.output
    )
    assert f"(lock {lock})" in result.output and "--wait SECONDS" in result.output
    assert snapshot(articles) == before


def test_wait_gives_up_after_the_time_given(articles: Path) -> None:
    """--wait 0.5 with the lock never released: exit 2 after about half a second."""
    _site(articles, 1)
    before = snapshot(articles)
    with tree_lock(_state()):
        started = time.monotonic()
        result = invoke("translate", str(articles), "--wait", "0.5")
        waited = time.monotonic() - started
    assert result.exit_code == 2 and "is working on this site" in result.output
    assert 0.4 < waited < 10
    assert snapshot(articles) == before


def test_wait_runs_once_the_lock_is_released(articles: Path) -> None:
    """--wait 60: the run starts when the holder lets go, and completes."""
    _site(articles)
    before = snapshot(articles)
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with tree_lock(_state()):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    timer = threading.Timer(1.0, release.set)
    timer.start()
    started = time.monotonic()
    result = invoke("translate", str(articles), "--wait", "60")
    waited = time.monotonic() - started
    thread.join()
    assert result.exit_code == 0, result.output
    assert waited >= 0.9
    assert "3 written" in result.output
    assert_tree_sound(before, articles)


def test_dry_run_is_not_blocked_and_writes_nothing(articles: Path) -> None:
    """A dry run only reads: it neither takes nor waits for the lock."""
    _site(articles, 1)
    before = snapshot(articles, ignore=())
    with tree_lock(_state()):
        after_lock = snapshot(articles, ignore=())
        result = invoke("translate", str(articles), "--dry-run")
    assert result.exit_code == 0 and "would-write" in result.output
    assert snapshot(articles, ignore=()) == after_lock == before  # the lock is not here
    assert (_state() / LOCK_NAME).is_file()


def test_two_real_processes(world: Path, articles: Path, copy_layout: CopyLayout) -> None:
    """Process A translates; B (no --wait) exits 2 naming A's pid; C (--wait) runs after A and
    finds nothing left to do: no twin was written by two runs, and the twins are complete."""
    for i in range(24):
        body = "\n\n".join(
            f"Avsnitt {p} i artikkel {i} handler om ull, klær og marked nummer {i * 31 + p}."
            for p in range(12)
        )
        (articles / f"a-{i:02d}.nb.md").write_text(f"---\ntitle: T{i}\n---\n{body}\n", "utf-8")
    sources = snapshot(articles)
    env = bilingo_env(copy_layout.path, world / "home")
    cwd = world / "cwd"
    args = ["translate", str(articles), "--beam-size", "1", "--json"]
    lock = cwd / ".bilingo" / LOCK_NAME

    a = bilingo_process(args, cwd=cwd, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and a.poll() is None:
        if lock.is_file() and lock.read_text(encoding="ascii").strip() == str(a.pid):
            break
        time.sleep(0.01)
    assert a.poll() is None, "A finished before B could meet its lock"

    b = bilingo_process(args, cwd=cwd, env=env)
    b_out, b_err = b.communicate(timeout=60)
    assert b.returncode == 2
    assert f"error: another bilingo translate (pid {a.pid}) is working on this site" in b_err
    assert f"(lock {lock})" in b_err and "--wait" in b_err
    assert b_out == "" and "Traceback" not in b_err

    c = bilingo_process([*args, "--wait", "300"], cwd=cwd, env=env)
    a_out, a_err = a.communicate(timeout=300)
    c_out, c_err = c.communicate(timeout=300)
    assert a.returncode == 0 and c.returncode == 0, a_err + c_err
    assert "Traceback" not in a_err + c_err
    a_actions = {x["action"] for x in json.loads(a_out)["articles"]}
    c_report = json.loads(c_out)
    assert a_actions == {"written"}
    assert {x["action"] for x in c_report["articles"]} == {"unchanged"}
    assert c_report["engine_segments"] == 0
    assert not assert_tree_sound(sources, articles)


class EditDuringTranslation:
    """The real engine; while it runs, a person saves the twin (as an editor would)."""

    def __init__(self, inner: ArgosEngine, twin: Path, text: str) -> None:
        self.inner = inner
        self.twin = twin
        self.text = text

    @property
    def name(self) -> str:
        return self.inner.name

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        out = self.inner.translate(segments, progress=progress)
        self.twin.write_text(self.text, encoding="utf-8")
        return out


@pytest.mark.parametrize("exists", [True, False], ids=["twin-edited", "twin-created"])
def test_twin_saved_during_translation_is_not_overwritten(articles: Path, exists: bool) -> None:
    """Between bilingo's reading of a twin and its write, someone saves the twin (an editor,
    `bilingo approve` on another folder): the save wins and the run says to translate again."""
    src = articles / "art.nb.md"
    src.write_text(GOOD_NB, encoding="utf-8")
    twin = articles / "art.en.md"
    if exists:
        assert invoke("translate", str(articles)).exit_code == 0
        src.write_text(GOOD_NB + "\nEt nytt avsnitt.\n", encoding="utf-8")
    human = "---\ntitle: Mine\nlang: en\n---\nWritten by a person just now.\n"

    def factory(source: str, target: str) -> Engine:
        return EditDuringTranslation(
            ArgosEngine(find_package(source, target), beam_size=1), twin, human
        )

    make: EngineFactory = factory
    report = translate_paths([articles], glossary=empty_glossary(), engine_factory=make)
    (outcome,) = report.outcomes
    assert outcome.action == "skipped"
    assert outcome.reason == (
        "not overwriting art.en.md: it changed while bilingo was translating; "
        "run bilingo translate again"
    )
    assert twin.read_text(encoding="utf-8") == human
    # The next run sees the person's file (no provenance: a human pair) and keeps it.
    again = invoke("translate", str(articles))
    assert again.exit_code == 0 and twin.read_text(encoding="utf-8") == human
    if not exists:
        return
    # And when nobody interferes, the same change is translated.
    twin.unlink()
    assert invoke("translate", str(articles)).exit_code == 0
    assert_twin_complete(twin, src)
