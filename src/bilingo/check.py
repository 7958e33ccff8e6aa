"""``bilingo check``: the CI gate. Lists missing, stale, orphaned and invalid translations.

It writes nothing and never loads a model: it reads front matter, hashes bodies and compares
them with the provenance each twin carries. The Markdown parser is only imported to name
the paragraphs of a stale article. Like twine's check, it reports every problem before
deciding the exit code.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    Article,
    encode_text,
    other_language,
    parse_article,
    read_article,
    source_hash,
    twin_content_hash,
    twin_path,
)
from bilingo.errors import ArticleError, BilingoError
from bilingo.seal import (
    SEAL_KEY,
    UNSEALED,
    Verdict,
    find_seal,
    placeholder,
    seal_bytes,
    settle_pairs,
)

Kind = Literal[
    "missing", "stale", "outdated-glossary", "orphaned", "invalid", "unreviewed", "conflict"
]
Severity = Literal["error", "warning"]
TwinState = Literal["current", "stale", "reviewed", "edited", "foreign"]

SKIP_DIRS = {".git", ".bilingo", "node_modules", ".hg", ".svn", "__pycache__"}


@dataclass(frozen=True)
class Problem:
    path: Path
    kind: Kind
    detail: str
    severity: Severity = "error"
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    sources: int
    twins: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.problems:
            out[p.kind] = out.get(p.kind, 0) + 1
        return out


def find_markdown(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """``*.md`` files under ``paths`` (recursive, sorted, de-duplicated) and skipped symlinks.

    A symlink (to a file or a folder) that leads outside the folder given is skipped and
    returned: bilingo writes twins next to their sources and must never write outside the
    tree it was pointed at. Linked folders are never entered; hidden files and folders and
    :data:`SKIP_DIRS` are left out.
    """
    files: list[Path] = []
    links: list[Path] = []
    seen: set[str] = set()  # real paths: one file reached by two roots or a link is read once
    for root in paths:
        if not root.exists():
            raise BilingoError(f"no such file or folder: {root}")
        if root.is_file():
            key = str(root.resolve())
            if key not in seen:
                seen.add(key)
                files.append(root)
            continue
        real_root = root.resolve()
        _walk(root, str(real_root).rstrip(os.sep), real_root, files, links, seen)
    return files, links


def _walk(
    folder: Path,
    real_folder: str,
    real_root: Path,
    files: list[Path],
    links: list[Path],
    seen: set[str],
) -> None:
    # os.scandir gives each entry's type without a stat call per file, and only links need
    # resolving: below a resolved root, real folders and files have known real paths.
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # unreadable folder: skipped, as os.walk does
    subfolders: list[os.DirEntry[str]] = []
    for entry in entries:
        name = entry.name
        if name[:1] == ".":
            continue
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()
        except OSError:
            continue
        path = folder / name
        if is_dir:
            if is_link:
                if not path.resolve().is_relative_to(real_root):
                    links.append(path)
            elif name not in SKIP_DIRS:
                subfolders.append(entry)
            continue
        if not name.endswith(".md"):
            continue
        if is_link:
            real = path.resolve()
            if not real.is_relative_to(real_root):
                links.append(path)
                continue
            key = str(real)
        else:
            key = f"{real_folder}{os.sep}{name}"
        if key not in seen:
            seen.add(key)
            files.append(path)
    for entry in subfolders:
        _walk(
            folder / entry.name, f"{real_folder}{os.sep}{entry.name}", real_root, files, links, seen
        )


def symlink_reason(link: Path) -> str:
    """What to tell about a symlink :func:`find_markdown` skipped."""
    return (
        f"symbolic link to {link.resolve()}, outside the tree; not followed (bilingo never "
        "writes outside the folders it is given: pass that folder itself to translate it)"
    )


def provenance_state(
    source: Article, twin: Article, *, glossary_hash: str, fields: Sequence[str]
) -> tuple[TwinState, str]:
    """Classify an existing twin against its source, from provenance alone."""
    prov = twin.provenance
    if prov is None or "source" not in prov:
        return "foreign", "it exists and was not written by bilingo (no provenance)"
    if prov.get("source") != source.path.name:
        return "foreign", f"its provenance names another source ({prov.get('source')})"
    edited = prov.get("twin_hash") != twin_content_hash(twin.meta, twin.body, tuple(fields))
    current = (
        prov.get("source_hash") == source_hash(source)
        and prov.get("glossary_hash") == glossary_hash
    )
    if current:
        return "current", ""
    if prov.get("reviewed") is True:
        return "reviewed", "it is marked reviewed"
    if edited:
        return "edited", "it was edited by hand since bilingo wrote it"
    return "stale", ""


def changed_paragraphs(source: Article, stored: str) -> list[tuple[str, int]]:
    """(what, line) for each source paragraph added or changed since the twin was made."""
    from bilingo.article import short_hashes
    from bilingo.merge import match_blocks
    from bilingo.segment import segment

    blocks = segment(source.body).blocks
    now = short_hashes(b.text for b in blocks).split()
    before = stored.split()
    out: list[tuple[str, int]] = []
    matches = match_blocks(before, now)
    for j, block in enumerate(blocks):
        if j in matches.changed:
            out.append(("changed", source.body_line + block.line - 1))
        elif j not in matches.same:
            out.append(("added", source.body_line + block.line - 1))
    for i in matches.removed:
        # Where it stood: the new paragraph now at its old position (or the last one).
        at = blocks[min(i, len(blocks) - 1)].line if blocks else 1
        out.append(("removed", source.body_line + at - 1))
    out.sort(key=lambda item: item[1])
    return out


def check_paths(
    paths: Sequence[Path],
    *,
    glossary_hash: str,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    require_reviewed: bool = False,
    use_seals: bool = True,
) -> CheckReport:
    """Check every article under ``paths``; read-only.

    Pairs whose seal holds (:mod:`bilingo.seal`) are settled from their bytes; every other
    file is read, parsed and judged in full. ``use_seals=False`` judges everything in full
    (the tests compare both).
    """
    from bilingo.detect import detect_article, twins_of

    found, links = find_markdown(paths)
    problems: list[Problem] = [Problem(p, "invalid", symlink_reason(p), "warning") for p in links]
    settled, files = (
        settle_pairs(found, glossary_hash=glossary_hash, fields=fields)
        if use_seals
        else ([], found)
    )
    for pair in settled:
        if pair.verdict != "reviewed":
            problems.append(
                unreviewed(
                    pair.twin, edited=pair.verdict == "edited", require_reviewed=require_reviewed
                )
            )
    articles: dict[Path, Article] = {}
    for path in files:
        try:
            articles[path.resolve()] = read_article(path)
        except ArticleError as exc:
            problems.append(Problem(path, "invalid", exc.message, line=exc.line))

    sources = twins = len(settled)
    claimed: set[Path] = set()
    for article in articles.values():
        if article.is_twin:
            twins += 1
            continue
        sources += 1
        try:
            lang = detect_article(article, twins=twins_of(article, articles)).lang
        except ArticleError as exc:
            problems.append(Problem(article.path, "invalid", exc.message, line=exc.line))
            continue
        twin_file = twin_path(article.path, other_language(lang))
        claimed.add(twin_file.resolve())
        twin = articles.get(twin_file.resolve())
        if twin is None:
            if twin_file.exists():
                continue  # unreadable: already reported as invalid
            problems.append(
                Problem(
                    article.path,
                    "missing",
                    f"no {other_language(lang)} twin ({twin_file.name}); run: bilingo translate "
                    f"{article.path}",
                )
            )
            continue
        if twin.provenance is None:
            continue  # a pair written by people: nothing to track
        problems += pair_problems(
            article,
            twin,
            glossary_hash=glossary_hash,
            fields=fields,
            require_reviewed=require_reviewed,
        )

    for key, article in articles.items():
        if article.is_twin and key not in claimed:
            prov = article.provenance or {}
            problems.append(
                Problem(
                    article.path,
                    "orphaned",
                    f"its source {prov.get('source')} is gone; delete the twin or restore "
                    "the source",
                )
            )
    problems.sort(key=lambda p: (str(p.path), p.line or 0, p.kind))
    return CheckReport(tuple(problems), sources, twins)


def unreviewed(twin: Path, *, edited: bool, require_reviewed: bool) -> Problem:
    state = "edited by hand, not yet approved" if edited else "machine translation"
    return Problem(
        twin,
        "unreviewed",
        f"{state}; review it, then run: bilingo approve {twin}",
        "error" if require_reviewed else "warning",
    )


def settle_verdict(
    source: Article, twin: Article, *, glossary_hash: str, fields: Sequence[str]
) -> Verdict | None:
    """What :func:`check_paths` finds for this pair, as a seal can record it; None when it
    finds more than an unreviewed twin (stale, conflicts, ...), which a seal cannot carry."""
    from bilingo.detect import detect_article

    if source.is_twin or twin.provenance is None:
        return None
    try:
        lang = detect_article(source, twins=[twin]).lang
    except ArticleError:
        return None
    if twin_path(source.path, other_language(lang)).name != twin.path.name:
        return None
    found = pair_problems(
        source, twin, glossary_hash=glossary_hash, fields=fields, require_reviewed=False
    )
    if not found:
        return "reviewed"
    if len(found) == 1 and found[0].kind == "unreviewed":
        edited = found[0] == unreviewed(twin.path, edited=True, require_reviewed=False)
        return "edited" if edited else "machine"
    return None


def pair_problems(
    source: Article,
    twin: Article,
    *,
    glossary_hash: str,
    fields: Sequence[str],
    require_reviewed: bool,
) -> list[Problem]:
    prov: Mapping[str, object] = twin.provenance or {}
    out: list[Problem] = []
    if prov.get("source") != source.path.name:
        out.append(
            Problem(
                twin.path,
                "invalid",
                f"its provenance names {prov.get('source')!r}, not {source.path.name}; fix "
                "the 'source:' line of its bilingo block",
            )
        )
        return out
    if prov.get("source_hash") != source_hash(source):
        stored = prov.get("source_blocks")
        changes = changed_paragraphs(source, stored) if isinstance(stored, str) else []
        if changes:
            for what, line in changes:
                out.append(
                    Problem(
                        source.path,
                        "stale",
                        f"paragraph {what} since {twin.path.name} was made; run: bilingo "
                        f"translate {source.path}",
                        line=line,
                    )
                )
        else:
            out.append(
                Problem(
                    source.path,
                    "stale",
                    f"changed since {twin.path.name} was made (front matter or layout); run: "
                    f"bilingo translate {source.path}",
                )
            )
    if prov.get("glossary_hash") != glossary_hash:
        out.append(
            Problem(
                twin.path,
                "outdated-glossary",
                "made with another version of the glossary; run: bilingo translate "
                f"{source.path} (reviewed twins: bilingo glossary check {twin.path})",
            )
        )
    conflicts = prov.get("conflicts")
    if isinstance(conflicts, list) and conflicts:
        for item in conflicts:
            out.append(
                Problem(
                    twin.path,
                    "conflict",
                    f"{item}; resolve it by hand, then run: bilingo approve {twin.path} "
                    "(or translate --force)",
                )
            )
    if prov.get("reviewed") is not True:
        edited = prov.get("machine") is False or prov.get("twin_hash") != twin_content_hash(
            twin.meta, twin.body, tuple(fields)
        )
        out.append(unreviewed(twin.path, edited=edited, require_reviewed=require_reviewed))
    return out


def seal_twin(
    render: Callable[[str | None], str],
    *,
    source: Article,
    twin: Path,
    bom: bool,
    glossary_hash: str,
    fields: Sequence[str],
) -> bytes:
    """The twin's bytes to write, sealed when :func:`check_paths` would settle the pair.

    ``render(value)`` gives the twin's text with ``value`` as its provenance's seal (None:
    without one). The verdict is taken from the text as it will be on disk, parsed back, so
    a seal never records what the full path would not find.
    """

    def unsealed() -> bytes:
        return encode_text(render(None), bom=bom)

    if not source.raw_digest:
        return unsealed()  # not read from disk: nothing to seal
    # One render (PyYAML's emitter is the slow part): the placeholder's verdict word is
    # swapped in the bytes, and only a pair that cannot be sealed is rendered again.
    text = render(placeholder("machine"))
    verdict = settle_verdict(
        source, parse_article(twin, text, bom=bom), glossary_hash=glossary_hash, fields=fields
    )
    data = encode_text(text, bom=bom)
    match = find_seal(data)
    if verdict is None or match is None or match.group(1) != UNSEALED.encode():
        return unsealed()
    data = data[: match.start(2)] + verdict.encode() + data[match.end(2) :]
    sealed = seal_bytes(
        data,
        glossary_hash=glossary_hash,
        fields=fields,
        source_name=source.path.name,
        source_digest=source.raw_digest,
        twin_name=twin.name,
    )
    if sealed is None:
        return unsealed()
    # The first seal line must be the front matter's own (a multi-line value could hold one).
    match = find_seal(sealed)
    prov = parse_article(twin, sealed.decode("utf-8-sig"), bom=bom).provenance or {}
    if match is None or prov.get(SEAL_KEY) != f"{match.group(1).decode()} {verdict}":
        return unsealed()
    return sealed
