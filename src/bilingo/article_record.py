"""An article as read: :class:`Article`, importable from :mod:`bilingo.article` as well.

Its own module so that creating the frozen dataclass (~1 ms in Python 3.11) waits for the
first file read: a check its seals settle reads none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilingo.article import PROVENANCE_KEY, canonical_json, digest, slug_of, suffix_language

if TYPE_CHECKING:
    from bilingo.frontmatter import Format
    from bilingo.provenance import Provenance


@dataclass(frozen=True)
class Article:
    """One Markdown file as read from disk (newlines normalised to ``\\n``)."""

    path: Path
    meta: Mapping[str, Any]
    body: str
    has_front_matter: bool = True
    newline: str = "\n"
    bom: bool = False
    #: 1-based line of the body's first line in the file (for messages).
    body_line: int = 1
    raw_front_matter: str = field(default="", repr=False)
    #: The front matter's format: written back in it (``yaml`` also when there is none).
    front_format: Format = "yaml"
    #: (inode, size, mtime) when read from disk: a later difference means someone changed it.
    fingerprint: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)
    #: The file's bytes as read (b"" if not read): a seal is computed on them, never on a
    #: second read.
    raw: bytes = field(default=b"", repr=False, compare=False)

    @cached_property
    def raw_digest(self) -> str:
        """sha256 of the file's bytes as read (BOM and line endings included); "" if not
        read. Computed when asked (a seal that did not hold): most reads never need it."""
        return hashlib.sha256(self.raw).hexdigest() if self.fingerprint is not None else ""

    @property
    def slug(self) -> str:
        return slug_of(self.path)

    @cached_property
    def content_hash(self) -> str:
        """Hash of the body and every front-matter value but provenance (what a twin
        depends on: :func:`bilingo.provenance.source_hash`), computed once per value."""
        meta = {k: v for k, v in self.meta.items() if k != PROVENANCE_KEY}
        return digest(canonical_json(meta), self.body)

    @property
    def suffix_lang(self) -> str | None:
        return suffix_language(self.path)

    @cached_property
    def provenance(self) -> Provenance | None:
        """Its ``bilingo:`` record (None without one), read once: a run asks for a twin's
        several times (pairing, judging, the diff, the page). Use
        :func:`bilingo.provenance.read`, the one reader."""
        from bilingo.provenance import from_mapping  # here: a settled check reads none

        block = self.meta.get(PROVENANCE_KEY)
        return from_mapping(block) if isinstance(block, Mapping) else None
