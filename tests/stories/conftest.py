"""Every story runs in its own site folder, from its root (as a person at a terminal)."""

from __future__ import annotations

from pathlib import Path

import pytest
from storykit import Story
from support import CopyLayout


@pytest.fixture
def story(tmp_path: Path, copy_layout: CopyLayout, monkeypatch: pytest.MonkeyPatch) -> Story:
    monkeypatch.chdir(tmp_path)
    return Story.begin(tmp_path, copy_layout)
