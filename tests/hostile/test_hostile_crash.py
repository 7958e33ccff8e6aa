"""kill -9 in the middle of ``bilingo translate``, and a disk that fills up mid-write.

Promise: a twin on disk is either the old one or a complete new one, never half; the
translation memory stays a sound SQLite file; running again finishes the job with exactly
the twins a clean run makes.

Temporary files: ``write_atomic`` writes ``.<twin>.<8 chars>.tmp`` beside the twin, fsyncs and
renames. SIGKILL between creating and renaming leaves that file behind. It is a dotfile, which
Hugo never publishes and bilingo's discovery never reads; ``translate`` deletes such files of
its own once they are ten minutes old (a write in progress takes milliseconds) and says so.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_support import (
    assert_tree_sound,
    assert_twin_complete,
    bilingo_env,
    bilingo_process,
    expected_text,
    invoke,
    memory_is_sound,
    snapshot,
)
from support import CopyLayout

from bilingo.article import TEMP_FILE_RE, read_article
from bilingo.commands.translate import translate_paths
from bilingo.glossary import empty_glossary

WORDS = ["klynge", "samarbeid", "bedrift", "øya", "ærlig", "åpen", "tekst", "Norge", "marked"]
WORDS += ["eksport", "ull", "klær", "blå"]


def _make_site(articles: Path) -> None:
    """16 small articles (distinct sentences: engine time) and 4 of ~400 kB (few distinct
    sentences, so little engine time, but each takes a while to render and write): a run
    spends ~2 s before writing and ~1.5 s writing, so kills land in every phase."""
    rng = random.Random(9)

    def sentence(tag: str) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(10)).capitalize() + f" {tag}."

    for a in range(16):
        body = "\n\n".join(sentence(f"{a}-{p}") for p in range(8))
        (articles / f"liten-{a:02d}.nb.md").write_text(
            f"---\ntitle: Artikkel {a}\n---\n{body}\n", encoding="utf-8"
        )
    for a in range(4):
        paras = [sentence(f"{a}-{p}") for p in range(40)]
        body = "\n\n".join(paras[i % 40] for i in range(4000))
        (articles / f"stor-{a:02d}.nb.md").write_text(
            f"---\ntitle: Stor {a}\n---\n{body}\n", encoding="utf-8"
        )


def _twins(articles: Path) -> set[str]:
    return {p.name for p in articles.glob("*.en.md")}


def _kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL: no atexit, no finally, no flush; exactly what a crash or the OOM killer does."""
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


def _assert_after_kill(articles: Path, sources: dict[str, bytes], memory: Path) -> list[str]:
    """Sources intact, every twin complete, only bilingo's dotfile temps left over."""
    leftovers = assert_tree_sound(sources, articles)
    for name in leftovers:
        assert Path(name).name.startswith("."), f"a temporary file Hugo would publish: {name}"
    if memory.exists():
        assert memory_is_sound(memory)
    return sorted(leftovers)


def test_kill_9_at_several_points_then_a_rerun_completes(
    world: Path, articles: Path, copy_layout: CopyLayout
) -> None:
    """Kill during start-up, while reading, and twice in the middle of the writes; after each
    kill the tree and the memory are sound; a final run completes the job, byte-identical to
    a clean run."""
    _make_site(articles)
    sources = snapshot(articles)
    cwd = world / "cwd"
    memory = cwd / ".bilingo" / "memory.sqlite"
    env = bilingo_env(copy_layout.path, world / "home")
    args = ["translate", str(articles), "--beam-size", "1"]

    # 1: during start-up; 2: while reading and segmenting (the engine starts at ~2 s here).
    for delay in (0.3, 0.9):
        proc = bilingo_process(args, cwd=cwd, env=env)
        time.sleep(delay)
        assert proc.poll() is None, "the run finished before it could be killed"
        _kill(proc)
        assert proc.returncode == -signal.SIGKILL
        _assert_after_kill(articles, sources, memory)

    # 3 and 4: as soon as a new twin appears, i.e. in the middle of the writes.
    for _ in range(2):
        had = _twins(articles)
        proc = bilingo_process(args, cwd=cwd, env=env)
        deadline = time.monotonic() + 120
        while _twins(articles) == had and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the run finished before it could be killed"
        _kill(proc)
        _assert_after_kill(articles, sources, memory)
        assert had < _twins(articles) < {p.replace(".nb.", ".en.") for p in sources}

    # The rerun finishes the job.
    proc = bilingo_process(args, cwd=cwd, env=env)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err
    leftovers = _assert_after_kill(articles, sources, memory)
    assert _twins(articles) == {p.replace(".nb.", ".en.") for p in sources}

    # Identical to a clean, uninterrupted run on a copy of the sources.
    clean = world / "clean"
    clean.mkdir()
    for name, data in sources.items():
        (clean / name).write_bytes(data)
    report = translate_paths([clean], glossary=empty_glossary())
    assert report.exit_code == 0
    for twin in sorted(_twins(articles)):
        assert (articles / twin).read_bytes() == (clean / twin).read_bytes(), twin
    # Whatever temp files the kills left are bilingo's, and go once they are stale.
    for name in leftovers:
        os.utime(articles / name, (time.time() - 3600, time.time() - 3600))
    again = invoke("translate", str(articles))
    assert again.exit_code == 0
    assert all(f"removed: {articles / n}" in again.output for n in leftovers)
    assert not [p for p in articles.iterdir() if TEMP_FILE_RE.match(p.name)]


def test_kill_9_between_fsync_and_rename_keeps_the_old_twin(
    world: Path, articles: Path, copy_layout: CopyLayout
) -> None:
    """The one moment a temp file can be left: the new twin is fully written but not yet
    renamed. The old twin must be untouched, the temp a dotfile holding a whole twin; a fresh
    temp is left alone (it could be another writer's), a stale one is removed and reported."""
    src = articles / "art.nb.md"
    src.write_text("---\ntitle: Hei\n---\nFørste versjon av teksten.\n", encoding="utf-8")
    assert invoke("translate", str(articles)).exit_code == 0
    twin = articles / "art.en.md"
    old_twin = twin.read_bytes()
    src.write_text("---\ntitle: Hei\n---\nAndre versjon av teksten.\n", encoding="utf-8")
    sources = snapshot(articles)

    # The real CLI in a real process, whose rename kills it (os.replace is only the trigger).
    code = (
        "import os, signal\n"
        "os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from bilingo.cli import main\n"
        f"main(['translate', {str(articles)!r}])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=world / "cwd",
        env=bilingo_env(copy_layout.path, world / "home"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert twin.read_bytes() == old_twin
    temps = [p for p in articles.iterdir() if TEMP_FILE_RE.match(p.name)]
    assert len(temps) == 1 and temps[0].name.startswith(".art.en.md.")
    assert expected_text("Andre versjon av teksten.").encode() in temps[0].read_bytes()
    assert memory_is_sound(world / "cwd" / ".bilingo" / "memory.sqlite")
    assert {k: v for k, v in snapshot(articles).items() if k != temps[0].name} == sources

    # Discovery never reads it: check sees one stale twin and nothing else.
    check = invoke("check", str(articles))
    assert temps[0].name not in check.output and "stale" in check.output

    fresh = invoke("translate", str(articles), "--json")
    assert fresh.exit_code == 0
    assert json.loads(fresh.stdout)["removed_temp_files"] == []
    assert temps[0].exists(), "a fresh temp file may be another writer's: keep it"
    assert_twin_complete(twin, src)

    stale = time.time() - 3600
    os.utime(temps[0], (stale, stale))
    result = invoke("translate", str(articles), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["removed_temp_files"] == [str(temps[0])]
    assert not temps[0].exists()
    assert_twin_complete(twin, src)


def test_disk_full_while_writing_fails_that_twin_only(
    articles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC in the middle of writing a twin: that article fails with the reason, its old
    twin stays, no temp file is left, and the other twins are written."""
    for name in ("a.nb.md", "b.nb.md"):
        (articles / name).write_text(f"---\ntitle: {name}\n---\nFørste tekst.\n", "utf-8")
    assert invoke("translate", str(articles)).exit_code == 0
    old = (articles / "a.en.md").read_bytes()
    for name in ("a.nb.md", "b.nb.md"):
        (articles / name).write_text(f"---\ntitle: {name}\n---\nNy tekst.\n", "utf-8")
    sources = {k: v for k, v in snapshot(articles).items() if k.endswith(".nb.md")}

    real_fsync = os.fsync
    calls: list[int] = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    # Its own context: monkeypatch.undo() would also undo the world fixture's chdir, and the
    # rerun below would then keep its translation memory in the folder pytest started in.
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", fsync)
        result = invoke("translate", str(articles))
    assert result.exit_code == 1
    assert f"failed: {articles / 'a.nb.md'}: cannot write" in result.output
    assert "No space left on device" in result.output
    assert (articles / "a.en.md").read_bytes() == old
    assert_twin_complete(articles / "b.en.md", articles / "b.nb.md")
    assert not [p for p in articles.iterdir() if TEMP_FILE_RE.match(p.name)]
    assert {k: v for k, v in snapshot(articles).items() if k.endswith(".nb.md")} == sources
    assert read_article(articles / "a.en.md").body == expected_text("Første tekst.") + "\n"
    # With room on the disk again, a rerun writes it.
    assert invoke("translate", str(articles)).exit_code == 0
    assert_twin_complete(articles / "a.en.md", articles / "a.nb.md")


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_damaged_memory_is_a_message_with_the_fix(world: Path, articles: Path, damage: str) -> None:
    """A memory file that is not (or no longer) a database: exit 2, says delete and rebuild;
    no article or twin is touched. After following the advice, everything works again."""
    (articles / "art.nb.md").write_text("---\ntitle: Hei\n---\nTekst her.\n", "utf-8")
    assert invoke("translate", str(articles)).exit_code == 0
    (articles / "art.nb.md").write_text("---\ntitle: Hei\n---\nNy tekst her.\n", "utf-8")
    memory = world / "cwd" / ".bilingo" / "memory.sqlite"
    data = memory.read_bytes()
    memory.write_bytes(b"garbage\n" if damage == "garbage" else data[: len(data) // 2])
    for extra in memory.parent.glob("memory.sqlite-*"):
        extra.unlink()
    before = snapshot(articles)
    result = invoke("translate", str(articles))
    assert result.exit_code == 2
    assert (
        f"error: the translation memory {Path('.bilingo') / 'memory.sqlite'} cannot be opened"
        in (result.output)
    )
    assert "delete it and run: bilingo memory rebuild ARTICLES_FOLDER" in result.output
    assert snapshot(articles) == before
    memory.unlink()
    rebuilt = invoke("memory", "rebuild", str(articles))
    assert rebuilt.exit_code == 0 and memory_is_sound(memory)
    assert invoke("translate", str(articles)).exit_code == 0
    assert_twin_complete(articles / "art.en.md", articles / "art.nb.md")
