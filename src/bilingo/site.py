"""The site a run works on: one frozen :class:`Settings`, built once per run.

Every command takes its settings from here instead of its own defaults: the site's root
(where the glossary and bilingo's state folder are), the two languages with the site's own
codes, the pair layout and content folders, the dialect, the translated front-matter fields,
the glossary, and the engine's options. :mod:`bilingo.siteconfig` finds the root (walking up
from the paths given, or the current folder, to ``bilingo.toml``, a Hugo or MkDocs
configuration, or ``.git``) and reads the site's own configuration; command-line options
override what it says.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilingo.article import DEFAULT_TRANSLATED_FIELDS, LANGUAGES
from bilingo.errors import BilingoError
from bilingo.glossary import Glossary, empty_glossary, load_glossary
from bilingo.layout import PLAIN, Pairing
from bilingo.siteconfig import (
    CONFIG_FILE,
    DEFAULT_MIN_CONFIDENCE,
    Dialect,
    Inline,
    Layout,
    SiteConfig,
    SiteError,
    Sourced,
    common_root,
    read_site_config,
)

#: bilingo's state folder inside the root (translation memory, lock).
STATE_DIR = ".bilingo"
GLOSSARY_NAME = "glossary.yml"


@dataclass(frozen=True)
class EngineOptions:
    """How the translation engine runs (None: the engine's default for the device)."""

    device: str = "cpu"
    beam_size: int = 4
    batch_tokens: int | None = None
    batch_segments: int | None = None
    compute_type: str = "auto"


@dataclass(frozen=True)
class EngineFlags:
    """Engine options given on the command line (None: not given, the site's value holds)."""

    device: str | None = None
    beam_size: int | None = None
    batch_tokens: int | None = None
    batch_segments: int | None = None


# A dataclass without a docstring gets one written from its signature (inspect.signature,
# ~0.3 ms at start-up): the classes a check builds have their own.
@dataclass(frozen=True)
class Settings:
    """Everything a run takes from its site, built once (:func:`build_settings`)."""

    root: Path
    languages: tuple[str, ...] = LANGUAGES
    #: Where twins live: "suffix" (``slug.<code>.md`` beside the source) or "folder".
    layout: Layout = "suffix"
    fields: tuple[str, ...] = DEFAULT_TRANSLATED_FIELDS
    glossary_path: Path | None = None
    glossary: Glossary = field(default_factory=empty_glossary)
    engine: EngineOptions = field(default_factory=EngineOptions)
    #: How the site pairs its files (the site's codes, folders, default language).
    pairing: Pairing = PLAIN
    #: The folders ``translate`` and ``check`` take when given no path (empty: a plain
    #: folder, which names none; ``check`` then takes the current folder).
    content_dirs: tuple[Path, ...] = ()
    #: The site's Markdown dialect, as its configuration says. Bodies are read by one
    #: parser that accepts Hugo's, MkDocs' and CommonMark's syntax alike (bilingo.document,
    #: "Dialects"), so every stage reads a body the same way whatever the site.
    dialect: Dialect = "commonmark"
    #: How inline markup is translated ("whole": whole sentences, "fragments").
    inline: Inline = "whole"
    #: Where bilingo keeps its memory and lock (``.bilingo`` in the root).
    state: Path | None = None
    #: The site's glossary file (it may not exist), whatever --glossary says.
    glossary_file: Path | None = None
    #: ``[review] min_confidence``: machine paragraphs below it are flagged low-confidence.
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    #: Every setting with the file it came from (``bilingo site``); None for a bare Settings.
    origins: Mapping[str, Sourced[Any]] = field(default_factory=dict)

    @property
    def site_glossary(self) -> Path:
        """Where the site's glossary is (or would be): bilingo.toml's, else the root's."""
        return self.glossary_file or self.root / GLOSSARY_NAME

    @property
    def state_dir(self) -> Path:
        return self.state if self.state is not None else self.root / STATE_DIR

    @property
    def memory_path(self) -> Path:
        return self.state_dir / "memory.sqlite"

    @property
    def lock_path(self) -> Path:
        return self.state_dir / "lock"


def find_root(paths: Sequence[Path] = (), *, cwd: Path | None = None) -> Path:
    """The site's root for ``paths`` (or the current folder), as the user would write it."""
    here = Path.cwd() if cwd is None else cwd
    return _relative(common_root(list(paths), cwd=here), here)


def _relative(folder: Path, cwd: Path) -> Path:
    """``folder`` as the user would write it from ``cwd`` (``.`` for the current folder)."""
    try:
        return Path(os.path.relpath(folder, cwd.resolve()))
    except ValueError:
        return folder


def _engine_options(config: SiteConfig, given: EngineFlags | None) -> EngineOptions:
    """``[engine]`` of bilingo.toml, each value replaced by the command line's when given."""
    table = dict(config.engine.value)
    for key, value in table.items():
        text = key in ("device", "compute_type")
        if not isinstance(value, str if text else int) or isinstance(value, bool):
            kind = "a string" if text else "a whole number"
            raise SiteError(
                f"[engine] {key} = {value!r} must be {kind}; fix {CONFIG_FILE}",
                path=Path(config.engine.origin),
            )
    base = EngineOptions()
    merged = EngineOptions(
        device=str(table.get("device", base.device)),
        beam_size=int(table.get("beam_size", base.beam_size)),
        batch_tokens=table.get("batch_tokens"),
        batch_segments=table.get("batch_segments"),
        compute_type=str(table.get("compute_type", base.compute_type)),
    )
    if given is None:
        return merged
    return EngineOptions(
        device=given.device if given.device is not None else merged.device,
        beam_size=given.beam_size if given.beam_size is not None else merged.beam_size,
        batch_tokens=given.batch_tokens if given.batch_tokens is not None else merged.batch_tokens,
        batch_segments=(
            given.batch_segments if given.batch_segments is not None else merged.batch_segments
        ),
        compute_type=merged.compute_type,
    )


def pairing_of(config: SiteConfig) -> Pairing:
    """The pairing rule the site's configuration describes."""
    langs = config.languages.value
    codes = tuple((lang, langs[lang].code) for lang in LANGUAGES)
    folders: tuple[tuple[str, Path], ...] = ()
    if config.layout.value == "folder":
        folders = tuple((lang, Path(str(langs[lang].content_dir)).resolve()) for lang in LANGUAGES)
    defaults = [lang for lang in LANGUAGES if langs[lang].default]
    # Only a site that says so has one (Hugo/MkDocs language tables, bilingo.toml).
    default = defaults[0] if len(defaults) == 1 else None
    return Pairing(
        codes=codes,
        folders=folders,
        default=default,
        bare_default=config.kind.value == "zola" and default is not None,
        jekyll=config.jekyll,
        dialects=_dialects_of(config),
    )


def _dialects_of(config: SiteConfig) -> tuple[str, ...] | None:
    """The site's kind chooses the dialects; a ``dialect`` named in bilingo.toml wins. A
    plain folder's pages are read with all of them."""
    if config.dialect.origin.endswith(CONFIG_FILE):
        # Here, not at the top: a plain folder's check never loads markdown-it.
        from bilingo.document.dialects import dialects_for

        return (
            ("commonmark",)
            if config.dialect.value == "commonmark"
            else dialects_for(config.dialect.value)
        )
    if config.kind.value in ("hugo", "mkdocs", "jekyll", "zola"):
        from bilingo.document.dialects import dialects_for

        return dialects_for(config.kind.value)
    return None


def build_settings(
    paths: Sequence[Path] = (),
    *,
    glossary_path: Path | None = None,
    use_glossary: bool = True,
    fields: Sequence[str] = (),
    engine: EngineFlags | None = None,
    cwd: Path | None = None,
) -> Settings:
    """The run's settings: the site's configuration, then the command line's options.

    ``glossary_path`` None: the site's glossary (``glossary.yml`` in the root), if any.
    ``engine``: the options given on the command line (a None field: not given).
    Raises :class:`bilingo.siteconfig.SiteError` for a configuration bilingo cannot use,
    :class:`bilingo.errors.GlossaryError` for a malformed glossary and
    :class:`bilingo.errors.BilingoError` for a missing one given explicitly.
    """
    here = Path.cwd() if cwd is None else cwd
    real_root = common_root(list(paths), cwd=here)
    config = read_site_config(real_root)
    root = _relative(real_root, here)
    glossary = empty_glossary()
    glossary_origin = "--glossary" if glossary_path is not None else config.glossary.origin
    if use_glossary:
        if glossary_path is None:
            default = config.glossary.value
            if default.is_file():
                glossary_path = _relative(default, here)
            elif config.glossary.origin != "default":
                raise BilingoError(
                    f"{CONFIG_FILE} names the glossary {config.glossary.value}, which does not "
                    "exist; create it or fix the 'glossary' key",
                    path=Path(config.glossary.origin),
                )
        elif not glossary_path.is_file():
            raise BilingoError(
                f"no glossary at {glossary_path}; give --glossary PATH of an existing glossary.yml"
            )
        if glossary_path is not None:
            glossary = load_glossary(glossary_path)
    pairing = pairing_of(config)
    if config.layout.value == "folder":
        dirs = [_relative(folder, here) for _, folder in pairing.folders]
    else:
        dirs = [_relative(config.content_dir.value, here)]
    existing = tuple(d for d in dirs if d.is_dir()) or (root,)
    if config.kind.value == "plain" and config.content_dir.origin == "default":
        existing = ()  # a plain folder names no content: the commands say what to give
    options = _engine_options(config, engine)
    chosen_fields = tuple(fields) or config.fields.value
    origins: dict[str, Sourced[Any]] = {
        "root": Sourced(
            real_root, f"found from {', '.join(map(str, paths)) or 'the current folder'}"
        ),
        "kind": config.kind,
        "languages": config.languages,
        "layout": config.layout,
        "content_dir": config.content_dir,
        "dialect": config.dialect,
        "glossary": Sourced(glossary_path, glossary_origin),
        "fields": Sourced(chosen_fields, "--field" if fields else config.fields.origin),
        "state_dir": config.state_dir,
        "inline": config.inline,
        "engine": Sourced(options, _engine_origin(config, engine)),
        "min_confidence": config.min_confidence,
    }
    return Settings(
        root=root,
        layout=config.layout.value,
        fields=chosen_fields,
        glossary_path=glossary_path,
        glossary=glossary,
        engine=options,
        pairing=pairing,
        content_dirs=existing,
        dialect=config.dialect.value,
        inline=config.inline.value,
        state=_relative(config.state_dir.value, here),
        origins=origins,
        min_confidence=config.min_confidence.value,
        glossary_file=_relative(config.glossary.value, here),
    )


def _engine_origin(config: SiteConfig, given: EngineFlags | None) -> str:
    flags = given is not None and any(
        v is not None
        for v in (given.device, given.beam_size, given.batch_tokens, given.batch_segments)
    )
    if flags:
        return f"command line, then {config.engine.origin}"
    return config.engine.origin
