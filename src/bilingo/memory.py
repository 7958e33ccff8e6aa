"""Translation memory: text already translated never reaches the engine again.

One SQLite file inside the site (default ``.bilingo/memory.sqlite``), keyed by source
segment, language pair, model and the hash of the glossary entries applying to the segment
(table ``tm``: *machine* output only, what :meth:`Memory.lookup` hands back). A person's
translation that ``translate --force --discard-edits`` replaced is kept in a table of its
own (``person``: source paragraph -> the person's text, and where it came from), so it is
never lost and never passed off as the model's. Writes happen in one transaction, so a crash
leaves the memory as it was. Because every twin carries its provenance, the memory can be
rebuilt from the article pairs: deleting it loses nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from bilingo.errors import BilingoError

DEFAULT_PATH = Path(".bilingo") / "memory.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tm (
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    model TEXT NOT NULL,
    glossary TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    PRIMARY KEY (source_lang, target_lang, model, glossary, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS person (
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (source_lang, target_lang, source, target)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS set_aside (
    twin TEXT NOT NULL,
    place TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    why TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS score (
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    model TEXT NOT NULL,
    glossary TEXT NOT NULL,
    source TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (source_lang, target_lang, model, glossary, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paragraph (
    hash TEXT PRIMARY KEY,
    text TEXT NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500


@dataclass(frozen=True)
class SetAside:
    """A person's text that a run took out of a twin (``--discard-edits``): where it stood,
    what it said, when and why. ``bilingo memory people`` lists them."""

    #: The twin's path relative to the site's root (the memory's folder's parent).
    twin: str
    #: "paragraph at source line 9", "front matter 'tags'", "orphaned paragraph".
    place: str
    #: The source paragraph it stood for ("" when that paragraph is gone).
    source: str
    text: str
    why: str
    at: str = ""
    source_lang: str = ""
    target_lang: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "twin": self.twin,
            "place": self.place,
            "source": self.source,
            "text": self.text,
            "at": self.at,
            "why": self.why,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
        }


@dataclass(frozen=True)
class MemoryKey:
    """Everything a stored translation depends on besides its source text."""

    source_lang: str
    target_lang: str
    model: str
    #: The glossary hash (of the whole glossary, or of what ``per_text`` does not cover).
    glossary: str
    #: Per source text, the hash of the glossary entries applying to it
    #: (:meth:`bilingo.glossary.Glossary.applying_hash`): one changed term then misses only
    #: the segments holding it. None: ``glossary`` for every text.
    per_text: Callable[[str], str] | None = field(default=None, compare=False)

    def glossary_for(self, text: str) -> str:
        return self.glossary if self.per_text is None else self.per_text(text)


class Memory:
    """A translation memory in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise BilingoError(
                f"the translation memory {path} cannot be opened ({exc}); delete it and run: "
                "bilingo memory rebuild ARTICLES_FOLDER (it is rebuilt from the article pairs)"
            ) from None
        except OSError as exc:
            raise BilingoError(f"cannot create {path.parent}: {exc.strerror}") from None

    def __enter__(self) -> Memory:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def lookup(self, texts: Sequence[str], key: MemoryKey) -> dict[str, str]:
        """Stored translations for those of ``texts`` the memory has."""
        return self._select("tm", "target", texts, key)

    def _select(
        self, table: str, column: str, texts: Sequence[str], key: MemoryKey
    ) -> dict[str, Any]:
        """``column`` of ``table`` for those of ``texts`` stored under ``key`` (the glossary
        entries that apply to each text included)."""
        found: dict[str, Any] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            wanted = {t: key.glossary_for(t) for t in chunk}
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT source, glossary, {column} FROM {table} WHERE source_lang=? AND "
                f"target_lang=? AND model=? AND source IN ({marks})",
                (key.source_lang, key.target_lang, key.model, *chunk),
            )
            found.update((s, v) for s, g, v in rows.fetchall() if wanted[s] == g)
        return found

    def store(
        self,
        pairs: Mapping[str, str] | Iterable[tuple[str, str]],
        key: MemoryKey,
        scores: Mapping[str, float] | None = None,
    ) -> int:
        """Store translations (and the engine's confidence in those it scored, so a twin
        made from the memory carries the same ``confidence:`` as one made by the engine) in
        one transaction; returns how many were given."""
        items = list(pairs.items() if isinstance(pairs, Mapping) else pairs)
        head = (key.source_lang, key.target_lang, key.model)
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO tm VALUES (?, ?, ?, ?, ?, ?)",
                [(*head, key.glossary_for(s), s, t) for s, t in items],
            )
            if scores:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO score VALUES (?, ?, ?, ?, ?, ?)",
                    [(*head, key.glossary_for(s), s, v) for s, v in scores.items()],
                )
        return len(items)

    def lookup_scores(self, texts: Sequence[str], key: MemoryKey) -> dict[str, float]:
        """The engine's confidence in the stored translations of those of ``texts`` it
        scored (:meth:`store`)."""
        return self._select("score", "score", texts, key)

    def store_paragraphs(self, texts: Mapping[str, str]) -> None:
        """Keep source paragraphs by their provenance hash (table ``paragraph``): when one
        changes after review, the review pages show what changed (:func:`paragraph_texts`)."""
        with self._conn:
            self._conn.executemany(
                "INSERT OR IGNORE INTO paragraph VALUES (?, ?)", list(texts.items())
            )

    def store_person(
        self, pairs: Iterable[tuple[str, str]], *, source_lang: str, target_lang: str, origin: str
    ) -> int:
        """Keep a person's translations (source paragraph, text) that a run replaced;
        ``origin`` says where they came from (the twin's file name)."""
        items = list(pairs)
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO person VALUES (?, ?, ?, ?, ?)",
                [(source_lang, target_lang, s, t, origin) for s, t in items],
            )
        return len(items)

    def site_path(self, path: Path) -> str:
        """``path`` relative to the site's root (where the memory's state folder lies)."""
        import os

        root = self.path.resolve().parent.parent
        return Path(os.path.relpath(path.resolve(), root)).as_posix()

    def set_aside(self, items: Iterable[SetAside]) -> int:
        """Record a person's texts a run takes out of their twins, in one transaction (each
        stamped with the time now, UTC, unless it has one)."""
        import datetime as _dt

        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        rows = [
            (i.twin, i.place, i.source, i.text, i.at or now, i.why, i.source_lang, i.target_lang)
            for i in items
        ]
        with self._conn:
            self._conn.executemany("INSERT INTO set_aside VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def people(self, under: Sequence[str] = ()) -> list[SetAside]:
        """Every person text set aside, oldest first; ``under``: only twins at or under
        those site-relative paths."""
        rows = self._conn.execute(
            "SELECT twin, place, source, text, at, why, source_lang, target_lang "
            "FROM set_aside ORDER BY at, rowid"
        ).fetchall()
        out = [
            SetAside(twin, place, source, text, why, at, s_lang, t_lang)
            for twin, place, source, text, at, why, s_lang, t_lang in rows
        ]
        prefixes = [u.rstrip("/") for u in under]
        if not prefixes or any(p in (".", "") for p in prefixes):
            return out
        return [i for i in out if any(i.twin == p or i.twin.startswith(p + "/") for p in prefixes)]

    def person_translations(self, source: str, *, source_lang: str, target_lang: str) -> list[str]:
        """A person's translations of ``source`` kept by :meth:`store_person`."""
        rows = self._conn.execute(
            "SELECT target FROM person WHERE source_lang=? AND target_lang=? AND source=?",
            (source_lang, target_lang, source),
        )
        return [str(r[0]) for r in rows.fetchall()]

    def __len__(self) -> int:
        row = self._conn.execute("SELECT count(*) FROM tm").fetchone()
        return int(row[0])


def paragraph_texts(path: Path, hashes: Iterable[str]) -> dict[str, str]:
    """The source paragraphs :meth:`Memory.store_paragraphs` kept, by hash; read-only (no
    memory, or an older one without them: nothing)."""
    wanted = list(dict.fromkeys(hashes))
    if not wanted or not path.is_file():
        return {}
    found: dict[str, str] = {}
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT hash, text FROM paragraph WHERE hash IN ({marks})", chunk
                )
                found.update((str(h), str(t)) for h, t in rows.fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return found
