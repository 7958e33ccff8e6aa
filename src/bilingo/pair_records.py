"""The values :mod:`bilingo.pairs` returns besides its index: a file that could not be
read, what discovery found, a pair, a rename.

Apart from :mod:`bilingo.pairs` because a check builds none of them, and each frozen
dataclass costs its start-up ~1 ms to create; :mod:`bilingo.pairs` imports this module on
first use and still exports its names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bilingo.article import Article


@dataclass(frozen=True)
class Unreadable:
    """A file that could not be read as an article."""

    path: Path
    reason: str
    line: int | None = None

    def format(self) -> str:
        """``file:line: message``, as a BilingoError formats."""
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Found:
    """Result of discovery: readable articles and per-file problems."""

    articles: tuple[Article, ...]
    problems: tuple[Unreadable, ...]
    skipped_links: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Pair:
    """A source article and its twin, with the direction of translation."""

    source: Article
    twin: Article
    source_lang: str
    target_lang: str


@dataclass(frozen=True)
class Rename:
    """A twin whose source was renamed or moved (``git mv a.nb.md b.nb.md``): the source its
    provenance names is gone, and another source without a twin holds the text it was made
    from, or most of it (edited as well as renamed)."""

    twin: Path
    source: Path
    #: Where the twin belongs now: beside ``source``, named from it.
    new_twin: Path
    #: The share of the paragraphs the twin was made from that ``source`` still holds
    #: (1.0: the same text).
    shared: float = 1.0

    def command(self) -> str:
        return f"git mv {self.twin} {self.new_twin}"

    def describe(self) -> str:
        if self.shared >= 1.0:
            return "same text"
        return f"{round(self.shared * 100)} % of its paragraphs"
