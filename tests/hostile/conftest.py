"""Fixtures of the hostile suite (helpers live in hostile_support.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hostile_support
import pytest
from support import CopyLayout


@pytest.fixture
def world(
    tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """A folder standing for the whole disk around a site, with the copy models installed
    (each test runs on every layout of ``copy_layout``).

    ``world/site/articles`` is the articles tree; ``world/outside`` holds files bilingo must
    never write; the current folder is ``world/cwd`` (the translation memory goes there).
    """
    (tmp_path / "site" / "articles").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    # Not through monkeypatch: a test's monkeypatch.undo() must not drop the layout.
    hostile_support.LAYOUT = copy_layout
    yield tmp_path
    hostile_support.LAYOUT = None


@pytest.fixture
def articles(world: Path) -> Path:
    """The (empty) articles tree inside :func:`world`."""
    return world / "site" / "articles"
