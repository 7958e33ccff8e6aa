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
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from bilingo.errors import ArticleError

#: The two sides of the pair bilingo keeps; every other code is folded or rejected.
LANGUAGES = ("nb", "en")
#: File-name suffixes accepted as a language, folded to the pair.
SUFFIX_LANGS = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}
#: Front-matter fields translated by default (the default of :class:`bilingo.site.Settings`).
DEFAULT_TRANSLATED_FIELDS = ("title", "description", "summary")

_FM_RE = re.compile(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*)(?:\n|\Z)", re.DOTALL)
#: Hugo's other front-matter formats, which bilingo does not read: TOML and JSON.
_TOML_RE = re.compile(r"\A\+\+\+[ \t]*(?:\n|\Z)")
_JSON_RE = re.compile(r'\A\{\s*"[^"\n]*"\s*:')
#: Larger files are refused (an article is kilobytes; this is a mistake or an attack).
MAX_BYTES = 50 * 1024 * 1024
#: Values a front matter may expand to: YAML aliases can make a few lines expand to billions.
_MAX_FRONT_MATTER_VALUES = 100_000
#: ``write_atomic``'s temporary files: ``.<name>.<8 random characters>.tmp`` beside ``<name>``.
#: Dotfiles, so Hugo (and bilingo's discovery) ignore them; a run killed mid-write may leave one.
TEMP_FILE_RE = re.compile(r"\A\.(?P<name>.+\.md)\.[a-z0-9_]{8}\.tmp\Z")


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
    #: (inode, size, mtime) when read from disk: a later difference means someone changed it.
    fingerprint: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)
    #: sha256 of the file's bytes as read (BOM and line endings included); "" if not read.
    raw_digest: str = field(default="", repr=False, compare=False)

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


def _front_matter_problem(value: Any) -> str | None:
    """Why a loaded front matter cannot be used (alias bomb, self-reference), or None.

    Walks the value as JSON or YAML output would expand it, iteratively (YAML nests up to
    1,000 levels, deeper than Python's recursion limit), stopping at the budget.
    """
    count = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(value, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_path.discard(id(node))
            continue
        count += 1
        if count > _MAX_FRONT_MATTER_VALUES:
            return (
                f"front matter expands to more than {_MAX_FRONT_MATTER_VALUES:,} values (YAML "
                "aliases '*name' repeating anchors '&name'?); write the values out instead"
            )
        if isinstance(node, dict | list):
            if id(node) in on_path:
                return (
                    "front matter contains a value that contains itself (a YAML alias '*name' "
                    "inside its own anchor '&name'); remove that alias"
                )
            on_path.add(id(node))
            stack.append((node, True))
            children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
            stack.extend((child, False) for child in children)
    return None


def parse_article(path: Path, text: str, *, bom: bool = False) -> Article:
    """Parse an article's text (any newline style) into an :class:`Article`."""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    if _TOML_RE.match(text) or _JSON_RE.match(text):
        kind = "TOML ('+++')" if text.startswith("+") else "JSON ('{')"
        raise ArticleError(
            f"{kind} front matter is not supported: bilingo reads YAML front matter only; "
            "convert it to YAML between '---' lines",
            path=path,
            line=1,
        )
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
    except (ValueError, OverflowError, RecursionError) as exc:
        # The safe loader's constructors: a date like 2024-13-45, an integer of 5,000 digits.
        raise ArticleError(
            f"bad YAML front matter: a value cannot be read ({exc}); quote it to keep it as text",
            path=path,
            line=2,
        ) from None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        raise ArticleError(
            f"front matter must be a mapping of keys to values, not a {type(loaded).__name__}",
            path=path,
            line=2,
        )
    problem = _front_matter_problem(loaded)
    if problem is not None:
        raise ArticleError(problem, path=path, line=2)
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
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(
            "the file name is not valid UTF-8, so neither its twin's name nor Hugo's URL can be "
            "written; rename it",
            path=path,
        ) from None
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            # A named pipe or device called *.md: reading it could block forever.
            raise ArticleError(
                "not a regular file (a pipe, socket or device); remove it or rename it so it "
                "does not end in .md",
                path=path,
            )
        size = st.st_size
        if size > MAX_BYTES:
            raise ArticleError(
                f"file is {size // (1024 * 1024)} MB, over bilingo's 50 MB limit; split it",
                path=path,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
    text, bom = _decode(path, data)
    article = parse_article(path, text, bom=bom)
    return replace(
        article,
        fingerprint=(st.st_ino, st.st_size, st.st_mtime_ns),
        raw_digest=hashlib.sha256(data).hexdigest(),
    )


def fingerprint(path: Path) -> tuple[int, int, int] | None:
    """What :attr:`Article.fingerprint` would be for ``path`` now (None: no file there)."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _yaml_default(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)


def _text_keys(value: Any) -> Any:
    """``value`` with every mapping key made text (YAML allows ``1:``, ``null:``, dates)."""
    if isinstance(value, Mapping):
        return {
            (k if isinstance(k, str) else f"{type(k).__name__}:{k}"): _text_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_text_keys(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=_yaml_default)
    except TypeError:
        # Keys of mixed or non-JSON types cannot be sorted or written: make them all text.
        # (Only then: the hashes of ordinary front matter stay what they always were.)
        return json.dumps(
            _text_keys(value), sort_keys=True, ensure_ascii=False, default=_yaml_default
        )


def digest(*parts: str) -> str:
    """A short, stable content hash (``sha256:`` + 16 hex digits)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return "sha256:" + h.hexdigest()[:16]


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with strings holding U+0085 (NEL) double-quoted.

    With ``allow_unicode`` PyYAML writes NEL raw inside a plain or single-quoted scalar,
    where YAML reads it as a line break: ``'a\x85b'`` would come back as ``'a b'``. In
    double quotes it is escaped (``\\N``) and survives.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if "\x85" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def render_article(meta: Mapping[str, Any], body: str, *, newline: str = "\n") -> str:
    """Front matter (YAML, key order kept, Unicode as is) + body, in ``newline`` style."""
    fm = yaml.dump(
        dict(meta),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    text = f"---\n{fm}---\n{body}"
    return text.replace("\n", newline) if newline != "\n" else text


def encode_text(text: str, *, bom: bool = False) -> bytes:
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def write_atomic(path: Path, text: str, *, bom: bool = False) -> None:
    """Write ``text`` as UTF-8 (with a BOM if ``bom``) with :func:`write_atomic_bytes`."""
    write_atomic_bytes(path, encode_text(text, bom=bom))


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, fsync, then rename.

    A crash leaves either the old file or the new one, never a partial twin.
    """
    import tempfile  # here: only writers pay for its imports (random, shutil)

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
