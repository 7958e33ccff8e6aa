"""Seals: a twin's proof that nothing its pair's verdict depends on has changed.

``check`` and ``translate`` classify every pair on every run. From scratch that means parsing
every front matter (YAML, TOML, JSON) and, for sources that do not declare a language, running
langdetect: on a thousand pairs, ten times the start-up of the tool itself. A seal is a
digest, kept on one line of the twin's provenance, of everything that classification reads:
the bytes of both files (the seal line excluded), their names, the glossary hash and the
translated fields, together with the verdict it reached (``machine``, ``edited`` or
``reviewed``; ``flagged`` where it found more, which only ``translate`` settles: see
:data:`Verdict`). While the digest still matches, that verdict is what the full path would
find, so the pair is settled by hashing two files. Any difference (a byte, a rename,
another glossary) falls back to the full path: a seal memoises, it is never a second source
of truth. Only bilingo writes seals (``translate`` and ``approve``), and only for pairs whose
verdict the full path confirms on the very bytes written.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, NamedTuple

from bilingo.article import MAX_BYTES
from bilingo.layout import Pairing

#: What a seal records of the pair: check's verdict where it is the twin-wide one, else
#: ``flagged``: the twin holds more (low confidence, conflicts, paragraphs to review), which
#: ``check`` must judge in full to report, while ``translate``, which only needs to know
#: that neither file changed since it wrote them, settles it all the same.
Verdict = Literal["machine", "edited", "reviewed", "flagged"]
VERDICTS: tuple[Verdict, ...] = ("machine", "edited", "reviewed", "flagged")

#: The provenance key holding the seal.
SEAL_KEY = "seal"
#: The value written before the digest is known (same length as a real one).
UNSEALED = "sha256:" + "0" * 16
_VALUE = rb"(sha256:[0-9a-f]{16}) (machine|edited|reviewed|flagged)"
#: The seal line as bilingo writes it in each front-matter format: inside the ``bilingo:``
#: block (YAML), the ``[bilingo]`` table (TOML) or the ``"bilingo"`` object (JSON). The first
#: match in a file is the one in its front matter, which comes before the body.
SEAL_RE = re.compile(rb"^  " + SEAL_KEY.encode() + rb": " + _VALUE + rb"\r?\n", re.M)
TOML_SEAL_RE = re.compile(rb"^" + SEAL_KEY.encode() + rb' = "' + _VALUE + rb'"\r?\n', re.M)
JSON_SEAL_RE = re.compile(rb'^[ \t]*"' + SEAL_KEY.encode() + rb'": "' + _VALUE + rb'",?\r?\n', re.M)
_VERSION = b"bilingo-seal/1"
#: Per format (told by the file's first byte after a BOM): how a seal line starts, how far
#: before that the line itself starts, and the line's pattern.
_SEAL_STARTS: dict[bytes, tuple[bytes, int, re.Pattern[bytes]]] = {
    b"-": (b"\n  " + SEAL_KEY.encode() + b": ", 1, SEAL_RE),
    b"+": (b"\n" + SEAL_KEY.encode() + b' = "', 1, TOML_SEAL_RE),
    b"{": (b'"' + SEAL_KEY.encode() + b'": "', 0, JSON_SEAL_RE),
}


def find_seal(data: bytes) -> re.Match[bytes] | None:
    """The file's seal line: the first line that starts like one, if it is well formed."""
    first = data[3:4] if data.startswith(b"\xef\xbb\xbf") else data[:1]
    start, skip, pattern = _SEAL_STARTS.get(first, _SEAL_STARTS[b"-"])
    at = data.find(start)  # bytes.find: far cheaper than a multi-line regex search
    if at < 0:
        return None
    if not skip:  # JSON's seal line is indented as its object is: back to the line start
        at = data.rfind(b"\n", 0, at)
    return pattern.match(data, at + 1)


def seal_lines(data: bytes, end: int) -> int:
    """How many lines of ``data[:end]`` look like a seal line of the file's format."""
    first = data[3:4] if data.startswith(b"\xef\xbb\xbf") else data[:1]
    pattern = _SEAL_STARTS.get(first, _SEAL_STARTS[b"-"])[2]
    return sum(1 for _ in pattern.finditer(data, 0, end))


def placeholder(verdict: Verdict) -> str:
    """The provenance value to render before :func:`seal_bytes` fills in the digest."""
    return f"{UNSEALED} {verdict}"


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal_digest(
    verdict: str,
    *,
    glossary_hash: str,
    fields: Sequence[str],
    source_name: str,
    source_digest: str,
    twin_name: str,
    twin_rest: bytes,
) -> str:
    """The digest over a pair's inputs; ``twin_rest`` is the twin's bytes minus its seal line
    (:class:`_Prefixes`, which the settle loop uses too, owns the layout)."""
    return _Prefixes(glossary_hash, fields).digest(
        _encoded(verdict), _encoded(source_name), _encoded(source_digest), _encoded(twin_name),
        (twin_rest,),
    )  # fmt: skip


def _encoded(part: str) -> bytes:
    return part.encode("utf-8", "surrogateescape")


def seal_bytes(
    data: bytes,
    *,
    glossary_hash: str,
    fields: Sequence[str],
    source_name: str,
    source_digest: str,
    twin_name: str,
) -> bytes | None:
    """``data`` (a rendered twin holding a :func:`placeholder` line) with its digest filled
    in; None when the first seal line is not the placeholder."""
    match = find_seal(data)
    if match is None or match.group(1) != UNSEALED.encode():
        return None
    verdict = match.group(2).decode()
    rest = data[: match.start()] + data[match.end() :]
    value = seal_digest(
        verdict,
        glossary_hash=glossary_hash,
        fields=fields,
        source_name=source_name,
        source_digest=source_digest,
        twin_name=twin_name,
        twin_rest=rest,
    )
    return data[: match.start(1)] + value.encode() + data[match.end(1) :]


class SettledPair(NamedTuple):
    """A source and its twin whose seal still holds (a named tuple: a check builds one per
    pair, and its class is a fifth of a frozen dataclass's cost to create)."""

    source: Path
    twin: Path
    verdict: Verdict
    #: The twin's language, from its suffix (only suffixed names are taken as twins).
    target_lang: str


#: Bytes and status of files :func:`settle_pairs` read but could not settle, by path: the
#: reader (:func:`bilingo.article.read_article`) takes them instead of opening the file again.
Held = dict[Path, tuple[bytes, os.stat_result]]


#: os.open + O_NOFOLLOW: one call refuses links, no buffered reader is built per file;
#: O_NONBLOCK: a named pipe called *.md must not hang the run (no effect on plain files).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _regular_bytes(path: str | Path) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes and status if it is a plain file (not a link), else None."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None  # the full path reports it
        size = st.st_size
        data = os.read(fd, size + 1)
        if len(data) <= size:
            return data, st  # a regular file reads short only at its end
        chunks = [data]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), st
    except OSError:
        return None
    finally:
        os.close(fd)


#: A file as the settle loop sees it: its path, the path as a string, its name, the language
#: its suffix says (None: no suffix).
_File = tuple[Path, str, str, str | None]


def _settled(
    group: Sequence[_File],
    read: Sequence[tuple[bytes, os.stat_result] | None],
    prefixes: _Prefixes,
) -> SettledPair | None:
    """The pair settled by the seal of one of its two files (:func:`seal_digest`, with the
    run's constant parts hashed once: ``prefixes``)."""
    for i in (0, 1):
        (twin, _, twin_name, lang), twin_read = group[i], read[i]
        (source, _, source_name, _), source_read = group[1 - i], read[1 - i]
        if twin_read is None or source_read is None or lang is None:
            continue
        try:  # strict UTF-8: then the digest's surrogateescape encoding is the same bytes
            twin_key, source_key = twin_name.encode("utf-8"), source_name.encode("utf-8")
        except UnicodeEncodeError:
            return None  # a name that is not UTF-8: the full path reports it
        twin_data = twin_read[0]
        match = find_seal(twin_data)
        if match is None:
            continue
        verdict = match.group(2)
        source_digest = hashlib.sha256(source_read[0]).hexdigest().encode()
        rest = memoryview(twin_data)  # the twin minus its seal line, hashed without a copy
        expected = prefixes.digest(
            verdict,
            source_key,
            source_digest,
            twin_key,
            (rest[: match.start()], rest[match.end() :]),
        )
        if match.group(1).decode() == expected:
            return SettledPair(source, twin, verdict.decode(), lang)  # type: ignore[arg-type]
    return None


class _Prefixes(dict[bytes, "hashlib._Hash"]):
    """The seal digest's one layout: the version, the verdict, the glossary hash and the
    fields (what a run's pairs share: hashed once per verdict and copied for each pair),
    then the source's name and digest, the twin's name and its bytes but the seal line."""

    def __init__(self, glossary_hash: str, fields: Sequence[str]) -> None:
        super().__init__()
        self.common = b"\x00" + _encoded(glossary_hash) + b"\x00" + _encoded("\x1f".join(fields))

    def digest(
        self,
        verdict: bytes,
        source_name: bytes,
        source_digest: bytes,
        twin_name: bytes,
        twin_rest: Sequence[bytes | memoryview],
    ) -> str:
        h = self.get(verdict)
        if h is None:
            h = self[verdict] = hashlib.sha256(_VERSION + b"\x00" + verdict + self.common)
        h = h.copy()
        h.update(b"\x00%s\x00%s\x00%s\x00" % (source_name, source_digest, twin_name))
        for part in twin_rest:
            h.update(part)
        return "sha256:" + h.hexdigest()[:16]


def settle_pairs(
    files: Sequence[Path],
    pairing: Pairing,
    *,
    glossary_hash: str,
    fields: Sequence[str],
    held: Held | None = None,
    flagged: bool = False,
) -> tuple[list[SettledPair], list[Path]]:
    """Split ``files`` into pairs settled by their seal and the files left to examine
    (the bytes read of those go into ``held``, for the reader), by the site's ``pairing``.
    ``flagged``: whether a ``flagged`` seal settles its pair (``translate``: both files are
    as it wrote them) or leaves it to be judged in full (``check``: it must say what).

    Only a folder's two files of one slug (``foo.md`` + ``foo.en.md``) can form a pair: a
    third file of that slug could claim the same twin, which only the full path can judge.
    """
    if pairing.by_folder:
        return [], list(files)  # pairs span two folders: every file is judged in full
    # Keyed by strings and object ids: hashing thousands of Path objects costs more.
    groups: dict[tuple[str, str], list[_File]] = {}
    split = pairing.split_file_name
    # Path.name parses again what str() gave; os.path.basename is a rpartition by os.sep
    # where the system has one separator.
    one_sep = os.altsep is None
    for path in files:
        text = str(path)
        name = text.rpartition(os.sep)[2] if one_sep else os.path.basename(text)
        slug, lang = split(name)
        key = (text[: len(text) - len(name)], slug)
        group = groups.get(key)
        if group is None:
            groups[key] = [(path, text, name, lang)]
        else:
            group.append((path, text, name, lang))
    settled: list[SettledPair] = []
    done: set[int] = set()
    prefixes = _Prefixes(glossary_hash, fields)
    for group in groups.values():
        if len(group) != 2:
            continue
        read = (_regular_bytes(group[0][1]), _regular_bytes(group[1][1]))
        pair = _settled(group, read, prefixes)
        if pair is not None and pair.verdict == "flagged" and not flagged:
            pair = None
        if pair is not None:
            settled.append(pair)
            done.update((id(pair.source), id(pair.twin)))
        elif held is not None:
            held.update((f[0], r) for f, r in zip(group, read, strict=True) if r is not None)
    return settled, [p for p in files if id(p) not in done]
