"""Read and write articles: YAML front matter + Markdown body, Hugo's by-filename languages.

Bodies are kept byte for byte: the front matter is split off with a strict regex (so the
body's exact text is known) and parsed with python-frontmatter's YAML handler, which uses
PyYAML's *safe* loader (``!!python/...`` tags are rejected, never executed). Line endings
are normalised to ``\\n`` in memory and restored on write, so a CRLF source gives a CRLF twin.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from bilingo.errors import ArticleError

#: The two sides of the pair bilingo keeps; every other code is folded or rejected.
LANGUAGES = ("nb", "en")
#: File-name suffixes accepted as a language, folded to the pair.
SUFFIX_LANGS = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}
#: Front-matter key holding bilingo's provenance in a twin.
PROVENANCE_KEY = "bilingo"
#: Front-matter fields translated by default.
DEFAULT_TRANSLATED_FIELDS = ("title", "description", "summary")

_FM_RE = re.compile(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*)(?:\n|\Z)", re.DOTALL)
_MAX_BYTES = 50 * 1024 * 1024


def other_language(lang: str) -> str:
    return "en" if lang == "nb" else "nb"


def fold_language(code: str) -> str | None:
    """Map a language code onto the nb/en pair (None when it is neither side)."""
    code = code.strip().lower().replace("_", "-")
    base = code.split("-", 1)[0]
    if base in ("nb", "no", "nn", "da", "sv"):
        return "nb"
    if base == "en":
        return "en"
    return None


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

    @property
    def provenance(self) -> Mapping[str, Any] | None:
        value = self.meta.get(PROVENANCE_KEY)
        return value if isinstance(value, Mapping) else None

    @property
    def is_twin(self) -> bool:
        """A file bilingo wrote (its provenance names a source)."""
        prov = self.provenance
        return prov is not None and "source" in prov

    @property
    def slug(self) -> str:
        return slug_of(self.path)

    @property
    def suffix_lang(self) -> str | None:
        return suffix_language(self.path)


def slug_of(path: Path) -> str:
    """``news/foo.nb.md`` -> ``foo``; ``foo.md`` -> ``foo``."""
    stem = path.name[: -len(".md")] if path.name.endswith(".md") else path.stem
    head, dot, tail = stem.rpartition(".")
    if dot and tail.lower() in SUFFIX_LANGS:
        return head
    return stem


def suffix_language(path: Path) -> str | None:
    stem = path.name[: -len(".md")] if path.name.endswith(".md") else path.stem
    _, dot, tail = stem.rpartition(".")
    return SUFFIX_LANGS.get(tail.lower()) if dot else None


def twin_path(source: Path, target_lang: str) -> Path:
    """Where the twin of ``source`` lives: beside it, ``<slug>.<target>.md``.

    Only the file name is used, never front-matter values, so an article cannot steer
    the output outside its own folder.
    """
    return source.with_name(f"{slug_of(source)}.{target_lang}.md")


def _decode(path: Path, data: bytes) -> tuple[str, bool]:
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if b"\x00" in data:
        raise ArticleError(
            "this is a binary file, not a Markdown article; rename it or move it out of the tree",
            path=path,
        )
    try:
        return data.decode("utf-8"), bom
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            path=path,
            line=line,
        ) from None


def parse_article(path: Path, text: str, *, bom: bool = False) -> Article:
    """Parse an article's text (any newline style) into an :class:`Article`."""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    match = _FM_RE.match(text)
    if match is None:
        if text.startswith("---") and text[3:4] in ("", "\n", " ", "\t"):
            raise ArticleError(
                "front matter opened with '---' is never closed; add a closing '---' line",
                path=path,
                line=1,
            )
        return Article(
            path=path, meta={}, body=text, has_front_matter=False, newline=newline, bom=bom
        )
    raw = match.group(2) or ""
    try:
        loaded = YAMLHandler().load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # Front matter starts on line 2; an error noticed at its end belongs to its last line.
        last = 1 + max(raw.count("\n"), 1)
        line = min(mark.line + 2, last) if mark is not None else 2
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArticleError(
            f"bad YAML front matter: {problem}; fix the YAML between the '---' lines",
            path=path,
            line=line,
        ) from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ArticleError(
            f"front matter must be a mapping of keys to values, not a {type(loaded).__name__}",
            path=path,
            line=2,
        )
    body = text[match.end() :]
    body_line = text[: match.end()].count("\n") + 1
    return Article(
        path=path,
        meta=loaded,
        body=body,
        newline=newline,
        bom=bom,
        body_line=body_line,
        raw_front_matter=raw,
    )


def read_article(path: Path) -> Article:
    """Read an article; every problem is an :class:`ArticleError` naming the file."""
    try:
        size = path.stat().st_size
        if size > _MAX_BYTES:
            raise ArticleError(
                f"file is {size // (1024 * 1024)} MB, over bilingo's 50 MB limit; split it",
                path=path,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
    text, bom = _decode(path, data)
    return parse_article(path, text, bom=bom)


def _yaml_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=_yaml_default)


def digest(*parts: str) -> str:
    """A short, stable content hash (``sha256:`` + 16 hex digits)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return "sha256:" + h.hexdigest()[:16]


def source_hash(article: Article) -> str:
    """Hash of what a twin depends on: the body and every front-matter value but provenance."""
    meta = {k: v for k, v in article.meta.items() if k != PROVENANCE_KEY}
    return digest(canonical_json(meta), article.body)


def twin_content_hash(meta: Mapping[str, Any], body: str, fields: tuple[str, ...]) -> str:
    """Hash of a twin's human-editable content: the body and its translated fields."""
    translated = {k: meta[k] for k in fields if k in meta}
    return digest(canonical_json(translated), body)


def render_article(meta: Mapping[str, Any], body: str, *, newline: str = "\n") -> str:
    """Front matter (YAML, key order kept, Unicode as is) + body, in ``newline`` style."""
    fm = yaml.safe_dump(
        dict(meta), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    text = f"---\n{fm}---\n{body}"
    return text.replace("\n", newline) if newline != "\n" else text


def write_atomic(path: Path, text: str, *, bom: bool = False) -> None:
    """Write through a temporary file in the same folder, fsync, then rename.

    A crash leaves either the old file or the new one, never a partial twin.
    """
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes 0600 files; give the twin the mode an ordinary write would.
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def short_hashes(texts: Iterable[str]) -> str:
    """Compact per-paragraph hashes for provenance: 8 hex digits each, space-separated."""
    return " ".join(hashlib.sha256(t.encode("utf-8")).hexdigest()[:8] for t in texts)
