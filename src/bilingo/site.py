"""The site a run works on: one frozen :class:`Settings`, built once per run.

Every command takes its settings from here instead of its own defaults: the site's root
(where the glossary and bilingo's state folder are looked for), the two languages, the
file layout, the translated front-matter fields, the glossary, and the engine's options.
The root is the first folder, walking up from the paths given (or the current folder),
that holds ``bilingo.toml``, a Hugo or MkDocs configuration or ``.git``; else the
current folder. Reading languages and layout from those configurations belongs here too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bilingo.article import DEFAULT_TRANSLATED_FIELDS, LANGUAGES
from bilingo.glossary import Glossary, empty_glossary, load_glossary
from bilingo.siteconfig import Dialect

#: Files and folders that mark a site's root.
ROOT_MARKERS = (
    "bilingo.toml",
    "hugo.toml",
    "hugo.yaml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.json",
    "config/_default",
    "mkdocs.yml",
    ".git",
)
#: bilingo's state folder inside the root (translation memory).
STATE_DIR = ".bilingo"
GLOSSARY_NAME = "glossary.yml"

Layout = Literal["filename"]


@dataclass(frozen=True)
class EngineOptions:
    """How the translation engine runs (None: the engine's default for the device)."""

    device: str = "cpu"
    beam_size: int = 4
    batch_tokens: int | None = None
    batch_segments: int | None = None


@dataclass(frozen=True)
class Settings:
    root: Path
    languages: tuple[str, ...] = LANGUAGES
    #: Where twins live: "filename" is Hugo's ``slug.<lang>.md`` beside the source.
    layout: Layout = "filename"
    fields: tuple[str, ...] = DEFAULT_TRANSLATED_FIELDS
    glossary_path: Path | None = None
    glossary: Glossary = field(default_factory=empty_glossary)
    engine: EngineOptions = field(default_factory=EngineOptions)
    #: The site's Markdown dialect, as its configuration says. Bodies are read by one
    #: parser that accepts Hugo's, MkDocs' and CommonMark's syntax alike (bilingo.document,
    #: "Dialects"), so every stage reads a body the same way whatever the site.
    dialect: Dialect = "commonmark"

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def memory_path(self) -> Path:
        return self.state_dir / "memory.sqlite"


def find_root(paths: Sequence[Path] = (), *, cwd: Path | None = None) -> Path:
    """The site's root: the nearest folder above ``paths`` holding a root marker."""
    here = Path.cwd() if cwd is None else cwd
    starts = [(p if p.is_absolute() else here / p) for p in paths] or [here]
    try:
        start = Path(os.path.commonpath([os.path.abspath(p) for p in starts]))
    except ValueError:
        start = here
    if not start.is_dir():
        start = start.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in ROOT_MARKERS):
            return _relative(folder, here)
    return _relative(here, here)


def _relative(folder: Path, cwd: Path) -> Path:
    """``folder`` as the user would write it from ``cwd`` (``.`` for the current folder)."""
    try:
        return Path(os.path.relpath(folder, cwd))
    except ValueError:
        return folder


def build_settings(
    paths: Sequence[Path] = (),
    *,
    glossary_path: Path | None = None,
    use_glossary: bool = True,
    fields: Sequence[str] = (),
    engine: EngineOptions | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The run's settings. ``glossary_path`` None: ``glossary.yml`` in the root, if any.

    Raises :class:`bilingo.errors.GlossaryError` for a malformed glossary and
    :class:`bilingo.errors.BilingoError` for a missing one given explicitly.
    """
    from bilingo.errors import BilingoError

    root = find_root(paths, cwd=cwd)
    glossary = empty_glossary()
    if use_glossary:
        if glossary_path is None:
            default = root / GLOSSARY_NAME
            if default.is_file():
                glossary_path = default
        elif not glossary_path.is_file():
            raise BilingoError(
                f"no glossary at {glossary_path}; give --glossary PATH of an existing glossary.yml"
            )
        if glossary_path is not None:
            glossary = load_glossary(glossary_path)
    return Settings(
        root=root,
        fields=tuple(fields) or DEFAULT_TRANSLATED_FIELDS,
        glossary_path=glossary_path,
        glossary=glossary,
        engine=engine or EngineOptions(),
    )
