"""Helpers shared by the hostile suite: tree snapshots, CLI calls, twin checks, subprocesses.

Not a test module. The suite's promise, checked by every case: the user gets a message
naming the file (and line) and saying what to do, and nothing in the tree is lost, written
half or written outside it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from click.testing import CliRunner, Result
from support import CopyLayout

from bilingo.article import TEMP_FILE_RE, read_article
from bilingo.cli import cli
from bilingo.lock import LOCK_NAME
from bilingo.provenance import is_twin

#: A small, valid Norwegian article (the copy model translates it to itself).
GOOD_NB = """---
title: En god artikkel
---
Dette er en vanlig artikkel om næringsklynger i Norge.

Den har to avsnitt, og begge skal oversettes.
"""

GOOD_EN = """---
title: A good article
---
This is an ordinary article about industry clusters in Norway.

It has two paragraphs, and both are translated.
"""


#: The copy-model layout the current test translates with (set by the ``world`` fixture):
#: a twin's body is the source's as that layout translates it.
LAYOUT: CopyLayout | None = None


def expected_twin_body(source: Path) -> str:
    """The body of ``source``'s twin as the current layout's copy model writes it."""
    art = read_article(source)
    lang = str(art.meta.get("lang") or art.suffix_lang or "nb")
    source_lang = "en" if lang.startswith("en") else "nb"
    target_lang = "nb" if source_lang == "en" else "en"
    if LAYOUT is None:
        return art.body
    return LAYOUT.expected_body(art.body, source_lang, target_lang)


def expected_text(text: str, source: str = "nb", target: str = "en") -> str:
    """One segment (a title, a sentence) as the current layout's copy model translates it."""
    return text if LAYOUT is None else LAYOUT.expected(text, source, target)


def snapshot(root: Path, *, ignore: Sequence[str] = (LOCK_NAME,)) -> dict[str, bytes]:
    """Every file under ``root`` by relative path: bytes, or ``-> target`` for a symlink.

    Dotfiles are included (temporary files must show up); files and folders named in
    ``ignore`` are left out.
    Symlinked folders are listed, not entered.
    """
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = [d for d in dirnames if d not in ignore]
        links = [d for d in dirnames if (Path(dirpath) / d).is_symlink()]
        for name in [*filenames, *links]:
            if name in ignore:
                continue
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = b"-> " + os.readlink(path).encode()
            else:
                out[rel] = path.read_bytes()
    return out


def invoke(*args: str) -> Result:
    """Run the bilingo CLI in-process; a user error must never surface as an exception.

    CliRunner catches exceptions itself (so "Traceback" never reaches its output): an
    exception other than SystemExit is the traceback a user would have seen.
    """
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"bilingo {' '.join(args)} raised {result.exception!r}; output:\n{result.output}"
    )
    assert "Traceback" not in result.output
    return result


def temp_files(root: Path) -> list[Path]:
    """Files under ``root`` that look like a temporary file (bilingo's or anyone's)."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and (TEMP_FILE_RE.match(p.name) or p.suffix in (".tmp", ".temp"))
    )


def assert_twin_complete(twin: Path, source: Path) -> None:
    """``twin`` is a whole twin of ``source`` as the copy model makes it: not half written."""
    art = read_article(twin)
    src = read_article(source)
    assert is_twin(art), f"{twin} has no provenance"
    prov = art.meta.get("bilingo") or {}
    assert prov["source"] == source.name
    for key in ("source_hash", "engine", "twin_hash", "source_blocks", "twin_blocks"):
        assert key in prov, f"{twin}: provenance lacks {key}"
    assert art.body == expected_twin_body(source), f"{twin}: body is not its source's, translated"
    assert "\u2581" not in twin.read_text(encoding="utf-8"), f"{twin}: raw SentencePiece spaces"
    assert art.newline == src.newline and art.bom == src.bom


def assert_tree_sound(before: Mapping[str, bytes], root: Path) -> dict[str, bytes]:
    """Nothing in ``before`` changed or vanished; every new file is a complete twin.

    Temporary files of bilingo's own (dotfiles Hugo ignores) may remain after a kill and are
    returned apart; anything else new must be a twin of a file in ``before``.
    """
    after = snapshot(root)
    for name, data in before.items():
        assert after.get(name) == data, f"{name} was changed or lost"
    leftovers: dict[str, bytes] = {}
    for name in sorted(set(after) - set(before)):
        path = root / name
        if TEMP_FILE_RE.match(path.name):
            leftovers[name] = after[name]
            continue
        assert name.endswith(".md"), f"unexpected file {name}"
        prov = read_article(path).meta.get("bilingo") or {}
        source = path.with_name(str(prov.get("source", "")))
        assert str(source.relative_to(root)) in before, f"{name} is not a twin of a source"
        assert_twin_complete(path, source)
    return leftovers


def memory_is_sound(path: Path) -> bool:
    """SQLite's own integrity check of the translation memory."""
    conn = sqlite3.connect(path)
    try:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        conn.close()


def bilingo_env(packages_dir: Path, home: Path) -> dict[str, str]:
    """Environment for a bilingo subprocess: the test models, a private HOME and XDG dirs."""
    env = dict(os.environ)
    env.update(
        ARGOS_PACKAGES_DIR=str(packages_dir),
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHONUNBUFFERED="1",
    )
    return env


def bilingo_process(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str]
) -> subprocess.Popen[str]:
    """Start ``bilingo ARGS`` as a real process (the console script's entry point)."""
    return subprocess.Popen(
        [sys.executable, "-c", "from bilingo.cli import main; main()", *args],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
