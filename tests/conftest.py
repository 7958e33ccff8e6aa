"""Shared fixtures.  Add new ones at the end, each self-contained with a docstring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import copymodel
import pytest
from hypothesis import settings

# CI gates a merge: there, hypothesis explores the same examples every run (a new random failure
# would block an unrelated change); locally it keeps searching at random.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
FIXTURES = ROOT / "tests" / "fixtures"

# Import argostranslate before any test module does, with its data, config and cache folders in
# a private temporary directory: a plain import creates them (and onnxruntime's) in $HOME.
copymodel.import_argos()


@pytest.fixture(scope="session")
def argos_packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A packages folder with small nb→en and en→nb copy models (output = input) installed.

    Trained on every Markdown file under articles/ and tests/fixtures/, found now.  For the
    session ARGOS_PACKAGES_DIR and argostranslate's settings point at it; both are restored.
    """
    packages_dir = tmp_path_factory.mktemp("argos-packages")
    text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
    copymodel.install_copy_models(packages_dir, training_text=text)
    with pytest.MonkeyPatch.context() as patch, copymodel.argos_packages_dir(packages_dir):
        patch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
        yield packages_dir


@pytest.fixture(scope="session")
def dropping_packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packages folder with copy models that never copy what they cannot read: a token
    outside the vocabulary (a private-use placeholder) comes back as a plain space.

    Same training text as ``argos_packages_dir``; point ARGOS_PACKAGES_DIR at it to use it.
    """
    packages_dir = tmp_path_factory.mktemp("argos-dropping")
    text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
    copymodel.install_copy_models(packages_dir, training_text=text, unknowns="space")
    return packages_dir
