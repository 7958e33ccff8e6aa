"""One exception base for everything bilingo reports to a user.

Every message says what is wrong *and* how to fix it; the CLI prints it without a
traceback and exits with ``exit_code``.
"""

from __future__ import annotations

from pathlib import Path


class BilingoError(Exception):
    """Base of every error meant for the user (exit code 2: usage or bad input)."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ArticleError(BilingoError):
    """An article cannot be read: bad front matter, bad encoding, unknown language."""


class GlossaryError(BilingoError):
    """glossary.yml is malformed."""


class ModelError(BilingoError):
    """A translation model is missing, corrupt or for the wrong pair."""


class LockError(BilingoError):
    """Another bilingo run holds the tree's lock."""
