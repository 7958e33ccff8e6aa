"""From paths to articles to pairs: the one place that says which file is whose twin.

A source's twin lives beside it, named from the source's file name only
(``slug.<target>.md``, Hugo's by-filename convention); a twin names its source in its
provenance (``source:``), which must be a plain file name beside it. Provenance is text
anyone can edit, so ``source: ../a/x.nb.md`` (or any path) is invalid for every command:
bilingo never reads or writes outside the twin's folder because of it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bilingo import provenance
from bilingo.article import Article, fold_language, other_language, read_article, slug_of
from bilingo.errors import ArticleError, BilingoError

#: Folders never searched for articles.
SKIP_DIRS = {".git", ".bilingo", "node_modules", ".hg", ".svn", "__pycache__"}


# --------------------------------------------------------------------------- names


def twin_path(source: Path, target_lang: str) -> Path:
    """Where the twin of ``source`` lives: beside it, ``<slug>.<target>.md``.

    Only the file name is used, never front-matter values, so an article cannot steer
    the output outside its own folder.
    """
    return source.with_name(f"{slug_of(source)}.{target_lang}.md")


def source_name_problem(name: str | None) -> str | None:
    """Why a provenance's ``source:`` cannot name a file beside the twin, or None."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        return (
            f"its provenance names {name!r}, not a file beside it; fix the 'source:' line of "
            "its bilingo block"
        )
    return None


def source_path(twin: Article) -> Path | None:
    """The source a twin's provenance names, beside the twin; None if it names no plain file."""
    prov = provenance.read(twin)
    name = prov.source if prov is not None else None
    if name is None or source_name_problem(name) is not None:
        return None
    return twin.path.with_name(name)


# --------------------------------------------------------------------------- discovery


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


def with_partners(paths: Sequence[Path], files: Sequence[Path]) -> list[Path]:
    """``files`` and, for each file given by name in ``paths``, the files it may pair with
    (same slug beside it: ``x.nb.md`` <-> ``x.en.md``, ``x.md``), so that a source, its
    twin or their folder give the same verdicts for the pair."""
    out = list(files)
    seen = {p.resolve() for p in files}
    for given in paths:
        if not given.is_file():
            continue
        slug = slug_of(given)
        for other in sorted(given.parent.glob(f"{slug}.*md")):
            if other.name != f"{slug}.md" and slug_of(other) != slug:
                continue
            if other.is_file() and not other.is_symlink() and other.resolve() not in seen:
                seen.add(other.resolve())
                out.append(other)
    return out


def symlink_reason(link: Path) -> str:
    """What to tell about a symlink :func:`find_markdown` skipped."""
    return (
        f"symbolic link to {link.resolve()}, outside the tree; not followed (bilingo never "
        "writes outside the folders it is given: pass that folder itself to translate it)"
    )


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


def load_articles(paths: Sequence[Path]) -> Found:
    return read_articles(*find_markdown(paths))


def read_articles(files: Sequence[Path], links: Sequence[Path] = ()) -> Found:
    articles: list[Article] = []
    problems: list[Unreadable] = []
    for path in files:
        try:
            articles.append(read_article(path))
        except ArticleError as exc:
            problems.append(Unreadable(path, exc.message, exc.line))
    return Found(tuple(articles), tuple(problems), tuple(links))


# --------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class Pair:
    """A source article and its twin, with the direction of translation."""

    source: Article
    twin: Article
    source_lang: str
    target_lang: str


def source_of(twin: Article) -> Article:
    """The source ``twin``'s provenance names, read; a BilingoError saying why not."""
    prov = provenance.read(twin)
    name = prov.source if prov is not None else None
    problem = source_name_problem(name)
    if problem is not None:
        raise BilingoError(problem, path=twin.path)
    source_file = twin.path.with_name(str(name))
    if not source_file.is_file():
        raise BilingoError(
            f"its source {source_file.name} is gone; restore it, or delete the twin",
            path=twin.path,
        )
    return read_article(source_file)


def find_pair(path: Path) -> Pair:
    """The source/twin pair ``path`` belongs to, whichever of the two it is."""
    from bilingo.detect import detect_article, twins_beside

    article = read_article(path)
    prov = provenance.read(article)
    if prov is not None and prov.is_twin:
        source = source_of(article)
        lang = fold_language(prov.source_lang) or detect_article(source).lang
        target = fold_language(str(article.meta.get("lang", ""))) or other_language(lang)
        return Pair(source, article, lang, target)
    lang = detect_article(article, twins=twins_beside(article)).lang
    target = other_language(lang)
    twin_file = twin_path(path, target)
    if not twin_file.is_file():
        raise BilingoError(
            f"it has no {target} twin yet ({twin_file.name}); run: bilingo translate {path}",
            path=path,
        )
    twin = read_article(twin_file)
    twin_prov = provenance.read(twin)
    if twin_prov is not None and twin_prov.is_twin and twin_prov.source != path.name:
        # The twin's provenance names another file: the same verdict as from the twin's side.
        problem = source_name_problem(twin_prov.source) or (
            f"its provenance names {twin_prov.source!r}, not {path.name}; fix the 'source:' "
            "line of its bilingo block"
        )
        raise BilingoError(problem, path=twin_file)
    return Pair(article, twin, lang, target)
