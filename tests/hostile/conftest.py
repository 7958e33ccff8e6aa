"""Fixtures of the hostile suite (helpers live in hostile_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def world(tmp_path: Path, argos_packages_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder standing for the whole disk around a site, with the copy models installed.

    ``world/site/articles`` is the articles tree; ``world/outside`` holds files bilingo must
    never write; the current folder is ``world/cwd`` (the translation memory goes there).
    """
    (tmp_path / "site" / "articles").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


@pytest.fixture
def articles(world: Path) -> Path:
    """The (empty) articles tree inside :func:`world`."""
    return world / "site" / "articles"
