"""Read and write articles: front matter + Markdown body, Hugo's by-filename languages.

Bodies are kept byte for byte: the front matter (YAML ``---``, TOML ``+++`` or JSON ``{…}``,
see :mod:`bilingo.frontmatter`) is split off with a strict pattern, so the body's exact text is
known. YAML is read with PyYAML's *safe* loader (``!!python/...`` tags are rejected, never
executed). Line endings are normalised to ``\\n`` in memory and restored on write, so a CRLF
source gives a CRLF twin.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilingo import lazy
from bilingo.errors import ArticleError

if TYPE_CHECKING:
    from bilingo import article_record, frontmatter
    from bilingo.article_record import Article as Article
    from bilingo.frontmatter import Format as Format
    from bilingo.frontmatter import FrontMatter
    from bilingo.frontmatter import split_front_matter as split_front_matter
else:
    # The front-matter formats are imported when a file is first parsed or rendered: a
    # check its seals settle reads no front matter. The names stay importable from here.
    frontmatter = lazy.module("bilingo.frontmatter", __name__, "frontmatter")
    # Article, defined in bilingo.article_record, is created when a file is first read.
    article_record = lazy.module("bilingo.article_record", __name__, "article_record")
    __getattr__ = lazy.attributes(
        __name__,
        lazy.where(
            frontmatter=("Format", "FrontMatter", "split_front_matter"),
            article_record=("Article",),
        ),
    )

#: The key of bilingo's own block in the front matter: bilingo.frontmatter's, which writes
#: it (a literal here so that the key is known without importing the formats).
PROVENANCE_KEY = "bilingo"

#: The two sides of the pair bilingo keeps; every other code is folded or rejected.
LANGUAGES = ("nb", "en")
#: File-name suffixes accepted as a language, folded to the pair.
SUFFIX_LANGS = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}
#: Front-matter fields translated by default (the default of :class:`bilingo.site.Settings`).
DEFAULT_TRANSLATED_FIELDS = ("title", "linkTitle", "description", "summary")

#: Larger files are refused (an article is kilobytes; this is a mistake or an attack).
MAX_BYTES = 50 * 1024 * 1024
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


def parse_article(
    path: Path,
    text: str,
    *,
    bom: bool = False,
    fingerprint: tuple[int, int, int] | None = None,
    raw: bytes = b"",
) -> Article:
    """Parse an article's text (any newline style) into an :class:`Article` (``fingerprint``,
    ``raw``: what :func:`read_article` read it from)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    front = frontmatter.split_front_matter(path, text)
    if front is None:
        return article_record.Article(
            path=path,
            meta={},
            body=text,
            has_front_matter=False,
            newline=newline,
            bom=bom,
            fingerprint=fingerprint,
            raw=raw,
        )
    return article_record.Article(
        path=path,
        meta=front.meta,
        body=text[front.body_start :],
        newline=newline,
        bom=bom,
        body_line=text.count("\n", 0, front.body_start) + 1,
        raw_front_matter=front.raw,
        front_format=front.format,
        fingerprint=fingerprint,
        raw=raw,
    )


def read_article(path: Path, *, held: tuple[bytes, os.stat_result] | None = None) -> Article:
    """Read an article; every problem is an :class:`ArticleError` naming the file.

    ``held``: the file's bytes and status, already read from a plain file (a seal that did
    not hold, :func:`bilingo.seal.settle_pairs`): not read again."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleError(
            "the file name is not valid UTF-8, so neither its twin's name nor Hugo's URL can be "
            "written; rename it",
            path=path,
        ) from None
    data, st = held if held is not None else _read_bytes(path)
    text, bom = _decode(path, data)
    # Built once: dataclasses.replace would build every Article twice.
    return parse_article(
        path,
        text,
        bom=bom,
        fingerprint=(st.st_ino, st.st_size, st.st_mtime_ns),
        raw=data,
    )


def _read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    # os.open then os.fstat: one look-up of the path, no buffered reader built per file (a
    # third of the time a short file takes to read). O_NONBLOCK: a named pipe called *.md
    # opens without waiting for a writer, and its status refuses it before any read.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if _not_regular(path):  # a socket cannot be opened at all
            raise _not_regular_error(path) from None
        raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            # A named pipe or device called *.md: reading it could block forever.
            raise _not_regular_error(path)
        size = st.st_size
        if size > MAX_BYTES:
            raise ArticleError(
                f"file is {size // (1024 * 1024)} MB, over bilingo's 50 MB limit; split it",
                path=path,
            )
        # One that changed since its status was taken is read to its end.
        data = os.read(fd, size + 1)
        if len(data) != size:
            chunks = [data]
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        return data, st
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror}", path=path) from None
    finally:
        os.close(fd)


def _not_regular(path: Path) -> bool:
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _not_regular_error(path: Path) -> ArticleError:
    return ArticleError(
        "not a regular file (a pipe, socket or device); remove it or rename it so it does "
        "not end in .md",
        path=path,
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


def front_matter_of(article: Article) -> FrontMatter | None:
    """The article's front matter as a template for :func:`render_article`."""
    if not article.has_front_matter:
        return None
    return frontmatter.FrontMatter(
        dict(article.meta), article.front_format, article.raw_front_matter, 0
    )


def render_article(
    meta: Mapping[str, Any],
    body: str,
    *,
    newline: str = "\n",
    like: Article | None = None,
    verify: bool = True,
) -> str:
    """Front matter + body, in ``newline`` style.

    With ``like`` (the article the result is modelled on), in its front-matter format,
    keeping its comments, quoting and layout for every value ``meta`` leaves unchanged;
    without, YAML with key order kept and Unicode as is. ``verify``: see
    :func:`bilingo.frontmatter.render_front_matter`.
    """
    front = frontmatter.render_front_matter(
        meta, like=None if like is None else front_matter_of(like), verify=verify
    )
    text = front + body
    return text.replace("\n", newline) if newline != "\n" else text


def encode_text(text: str, *, bom: bool = False) -> bytes:
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def write_atomic(path: Path, text: str, *, bom: bool = False, durable: bool = True) -> None:
    """Write ``text`` as UTF-8 (with a BOM if ``bom``) with :func:`write_atomic_bytes`."""
    write_atomic_bytes(path, encode_text(text, bom=bom), durable=durable)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` (UTF-8, not durable) with :func:`write_atomic_bytes` unless ``path``
    already holds exactly those bytes; True if it wrote. For files made again from the
    articles at will (review pages): a page that did not change keeps its file, its
    mtime (a browser's cache) and the cost of creating a file, which is most of writing
    one."""
    data = text.encode("utf-8")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        fd = -1
    if fd >= 0:
        try:
            info = os.fstat(fd)
            same = (
                stat.S_ISREG(info.st_mode)
                and info.st_size == len(data)
                and os.read(fd, len(data) + 1) == data
            )
        finally:
            os.close(fd)
        if same:
            return False
    write_atomic_bytes(path, data, durable=False)
    return True


def write_atomic_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write through a temporary file in the same folder, fsync, then rename.

    A crash leaves either the old file or the new one, never a partial twin.
    ``durable=False`` skips the fsync: for files made again from the articles at will
    (review pages), where a crash may lose the new file but never leaves a partial one.
    """
    from bilingo.interrupt import deferred  # here: only writers pay for its imports

    # Ctrl-C and SIGTERM held until the file is in place: most of a write is the kernel
    # creating the temporary file, and a signal that arrives meanwhile is taken as that
    # call returns, inside mkstemp, before anything could remove the file (a review
    # stopped by Ctrl-C left one in 7 of 19 tries).
    with deferred():
        _write_atomic_bytes(path, data, durable=durable)


def _write_atomic_bytes(path: Path, data: bytes, *, durable: bool) -> None:
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
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
