"""Shared fixtures.  Add new ones at the end, each self-contained with a docstring."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import copymodel
import pytest
from hypothesis import settings
from support import E2E_LAYOUTS, UNSURE_WORDS, CopyLayout

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
def layout_dirs(
    argos_packages_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], Path]:
    """Builds (once a session, on first use) and returns the packages folder of a layout;
    "shared" is ``argos_packages_dir``. Same training text as ``argos_packages_dir``."""
    built: dict[str, Path] = {"shared": argos_packages_dir}

    def get(layout: str) -> Path:
        if layout not in built:
            folder = tmp_path_factory.mktemp(f"argos-packages-{layout}")
            text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
            copymodel.install_copy_models(folder, training_text=text, layout=layout)
            built[layout] = folder
        return built[layout]

    return get


def _use_layout(
    layout: str, layout_dirs: Callable[[str], Path], patch: pytest.MonkeyPatch
) -> CopyLayout:
    import argostranslate.settings

    folder = layout_dirs(layout)
    patch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    patch.setattr(argostranslate.settings, "package_data_dir", folder)
    patch.setattr(argostranslate.settings, "package_dirs", [folder])
    return CopyLayout(layout, folder)


# A MonkeyPatch of their own: a test's ``monkeypatch.undo()`` must not switch the layout back.
@pytest.fixture(params=E2E_LAYOUTS)
def copy_layout(
    request: pytest.FixtureRequest, layout_dirs: Callable[[str], Path]
) -> Iterator[CopyLayout]:
    """For this test, bilingo finds the copy packages of each of :data:`E2E_LAYOUTS` in turn."""
    with pytest.MonkeyPatch.context() as patch:
        yield _use_layout(request.param, layout_dirs, patch)


@pytest.fixture(params=sorted(copymodel.LAYOUTS))
def any_layout(
    request: pytest.FixtureRequest, layout_dirs: Callable[[str], Path]
) -> Iterator[CopyLayout]:
    """Like :func:`copy_layout`, over every layout (bpe and prefix too)."""
    with pytest.MonkeyPatch.context() as patch:
        yield _use_layout(request.param, layout_dirs, patch)


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


@pytest.fixture(scope="session")
def unsure_packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packages folder with copy models unsure of ``support.UNSURE_WORDS`` (one piece each):
    they still copy them, but a sentence holding them scores far below a sure one.

    Same training text as ``argos_packages_dir``; point ARGOS_PACKAGES_DIR at it to use it.
    """
    packages_dir = tmp_path_factory.mktemp("argos-unsure")
    text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
    copymodel.install_copy_models(packages_dir, training_text=text, unsure=UNSURE_WORDS)
    return packages_dir


@pytest.fixture(scope="session")
def shape_dirs(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Builds (once a session, on first use) and returns the packages folder of a copy model
    of the real packages' shape: ``shape_dirs(layout, head="shifted", first_capital=True)``
    (see ``copymodel.Head``). Same training text as ``argos_packages_dir``."""
    built: dict[tuple[str, str, bool], Path] = {}

    def get(layout: str, head: str = "trained", first_capital: bool = False) -> Path:
        key = (layout, head, first_capital)
        if key not in built:
            folder = tmp_path_factory.mktemp(f"argos-{layout}-{head}-{int(first_capital)}")
            text = copymodel.corpus_text(ARTICLES, FIXTURES) + "\n" + copymodel.SAMPLE_TEXT
            copymodel.install_copy_models(
                folder,
                training_text=text,
                layout=layout,  # type: ignore[arg-type]
                head=head,  # type: ignore[arg-type]
                first_capital=first_capital,
            )
            built[key] = folder
        return built[key]

    return get
