"""How a site lays out its pairs: by file name (``x.nb.md`` ↔ ``x.en.md``, with the site's own
language codes) or by folder (``content/no/posts/x.md`` ↔ ``content/en/posts/x.md``).

A :class:`Pairing` is a value read from the site's configuration (:mod:`bilingo.site`), built
once per run as ``Settings.pairing``. Each command passes it on explicitly, as a
:class:`bilingo.pairs.PairIndex` built from it (or the pairing itself, or its dialects), to
every helper that names a twin, its language or its source: nothing reads a run-wide global.
For a plain folder it is :data:`PLAIN`, bilingo's own rule: twins beside their sources,
``<slug>.nb.md`` / ``<slug>.en.md``.

Names only ever come from paths, never from front-matter values, and a twin path is always
inside the source's own content tree: an article cannot steer a write elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING

from bilingo.article import SUFFIX_LANGS, other_language

if TYPE_CHECKING:
    from bilingo.jekyll import JekyllSite


@dataclass(frozen=True)
class Pairing:
    """The rule that pairs a site's files."""

    #: bilingo's language ("nb", "en") -> the code the site uses in file names (x.<code>.md)
    codes: tuple[tuple[str, str], ...] = (("nb", "nb"), ("en", "en"))
    #: By folder: each language's content folder (absolute, resolved); empty: by file name.
    folders: tuple[tuple[str, Path], ...] = ()
    #: The language of a file without a language suffix (Hugo's defaultContentLanguage,
    #: mkdocs-static-i18n's default), or None: such a file's language is detected.
    default: str | None = None
    #: The default language's pages never have a suffix (Zola: ``x.md`` and ``x.nb.md``).
    bare_default: bool = False
    #: A Jekyll site's URLs (jekyll-polyglot links twins by ``lang:`` and ``permalink``).
    jekyll: JekyllSite | None = None
    #: The Markdown dialects the site's pages are written in (bilingo.document.dialects);
    #: None: every registered one (a plain folder, whose generator is unknown).
    dialects: tuple[str, ...] | None = None

    @property
    def by_folder(self) -> bool:
        return bool(self.folders)

    def code(self, lang: str) -> str:
        return dict(self.codes).get(lang, lang)

    def folder(self, lang: str) -> Path:
        return dict(self.folders)[lang]

    @cached_property
    def _suffixes(self) -> Mapping[str, str]:
        """File-name suffixes (lower case) -> language: the site's codes, then bilingo's own."""
        found = {code.lower(): lang for lang, code in self.codes}
        return {**SUFFIX_LANGS, **found}

    def split_name(self, path: Path) -> tuple[str, str | None]:
        """(slug, language the suffix says or None): ``x.no.md`` -> ("x", "nb")."""
        return self.split_file_name(path.name)

    def split_file_name(self, name: str) -> tuple[str, str | None]:
        """:meth:`split_name` of a file name (a string: no path built)."""
        stem = name[: -len(".md")] if name.endswith(".md") else PurePath(name).stem
        head, dot, tail = stem.rpartition(".")
        lang = self._suffixes.get(tail.lower()) if dot else None
        return (head, lang) if lang is not None else (stem, None)

    def folder_language(self, path: Path) -> str | None:
        """By folder: the language whose content folder holds ``path``; else None."""
        if not self.folders:
            return None
        real = _real(path)
        for lang, folder in self.folders:
            if real.is_relative_to(folder):
                return lang
        return None

    def path_language(self, path: Path) -> str | None:
        """The language the path alone says (its folder, its suffix, the site's default)."""
        if self.folders:
            return self.folder_language(path)
        lang = self.split_name(path)[1]
        return lang if lang is not None else self.default

    def twin_path(self, source: Path, target: str) -> Path:
        """Where the ``target`` twin of ``source`` lives (relative paths stay relative)."""
        if self.folders:
            src = self.folder_language(source)
            if src is None or src == target:
                # Outside every language folder (or already the target's): beside it, as
                # a plain folder does, so the caller's own checks report it.
                return source.with_name(f"{self.split_name(source)[0]}.{target}.md")
            rel = _real(source).relative_to(self.folder(src))
            return _as_given(self.folder(target) / rel, source)
        slug = self.split_name(source)[0]
        if target == self.default:
            # The default language's page may have no suffix (MkDocs' index.md, Hugo's x.md):
            # an existing one is the twin, so the pair is found from either side.
            bare = source.with_name(f"{slug}.md")
            if bare.name != source.name and (self.bare_default or bare.is_file()):
                return bare
        return source.with_name(f"{slug}.{self.code(target)}.md")

    def source_ref(self, source: Path) -> str:
        """What a twin's provenance says for ``source``: a file name beside it, or by folder
        the path inside its language's content folder (``posts/x.md``)."""
        lang = self.folder_language(source) if self.folders else None
        if lang is None:
            return source.name
        return _real(source).relative_to(self.folder(lang)).as_posix()

    def ref_problem(self, ref: str | None) -> str | None:
        """Why a provenance's ``source:`` cannot name a file of this site, or None."""
        bad = (
            not ref
            or ref in (".", "..")
            or "\\" in ref
            or "\x00" in ref
            or (not self.folders and "/" in ref)
        )
        if not bad and self.folders:
            parts = PurePosixPath(str(ref)).parts
            bad = str(ref).startswith("/") or any(p in ("", ".", "..") for p in parts)
        if bad:
            where = "a file in its source language's folder" if self.folders else "a file beside it"
            return (
                f"its provenance names {ref!r}, not {where}; fix the 'source:' line of its "
                "bilingo block"
            )
        return None

    def resolve_ref(self, twin: Path, ref: str) -> Path | None:
        """The source file a twin's ``source:`` names (None: it names no valid file)."""
        if self.ref_problem(ref) is not None:
            return None
        if not self.folders:
            return twin.with_name(ref)
        twin_lang = self.folder_language(twin)
        if twin_lang is None:
            return None
        folder = self.folder(other_language(twin_lang))
        target = folder / ref
        # A link inside the tree may lead out of it: the resolved path must stay inside.
        if not target.resolve().is_relative_to(folder):
            return None
        return _as_given(target, twin)


def _real(path: Path) -> Path:
    """``path`` with its folder resolved (the file itself may not exist yet)."""
    return path.parent.resolve() / path.name


def _as_given(target: Path, like: Path) -> Path:
    """``target`` relative to the current folder when ``like`` was given relative."""
    if like.is_absolute():
        return target
    try:
        return Path(os.path.relpath(target))
    except ValueError:
        return target


#: bilingo's own rule, for plain folders.
PLAIN = Pairing()
