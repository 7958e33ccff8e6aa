"""From paths to articles to pairs: the one place that says which file is whose twin.

The site's :class:`bilingo.layout.Pairing` decides where a twin lives: beside its source,
named from the source's file name only (``slug.<code>.md``, Hugo's and mkdocs-static-i18n's
by-filename convention, with the site's own language codes), or by folder, at the same path
inside the other language's content folder. A twin names its source in its provenance
(``source:``): a plain file name beside it, or by folder the path inside the source
language's folder. Provenance is text anyone can edit, so ``source: ../a/x.nb.md`` (or any
path reaching out) is invalid for every command: bilingo never reads or writes outside the
site's content because of it.
"""

from __future__ import annotations

import operator
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bilingo import lazy
from bilingo.article import LANGUAGES, fold_language, other_language, read_article
from bilingo.errors import ArticleError, BilingoError
from bilingo.layout import Pairing

if TYPE_CHECKING:
    from bilingo import provenance
    from bilingo.article import Article
    from bilingo.pair_records import Found as Found
    from bilingo.pair_records import Pair as Pair
    from bilingo.pair_records import Rename as Rename
    from bilingo.pair_records import Unreadable as Unreadable

#: Names kept here for importers, defined in :mod:`bilingo.pair_records` (imported on
#: first use: a check builds none of them).
__getattr__ = lazy.attributes(
    __name__, lazy.where(pair_records=("Found", "Pair", "Rename", "Unreadable"))
)


if not TYPE_CHECKING:  # a check its seals settle reads no twin's provenance
    provenance = lazy.module("bilingo.provenance", __name__, "provenance")

#: Folders never searched for articles.
SKIP_DIRS = {".git", ".bilingo", "node_modules", ".hg", ".svn", "__pycache__"}


# --------------------------------------------------------------------------- discovery


def find_markdown(
    paths: Iterable[Path], real_paths: dict[str, str] | None = None
) -> tuple[list[Path], list[Path]]:
    """``*.md`` files under ``paths`` (recursive, sorted, de-duplicated) and skipped symlinks.

    A symlink (to a file or a folder) that leads outside the folder given is skipped and
    returned: bilingo writes twins next to their sources and must never write outside the
    tree it was pointed at. Linked folders are never entered; hidden files and folders and
    :data:`SKIP_DIRS` are left out. ``real_paths``, if given, gets each file's real path
    (its ``resolve()``, which the walk knows without a call) -> ``str(file)``, for
    :meth:`PairIndex.known`.
    """
    files: list[Path] = []
    links: list[Path] = []
    # real paths: one file reached by two roots or a link is read once
    seen: dict[str, str] = real_paths if real_paths is not None else {}
    for root in paths:
        if not root.exists():
            raise BilingoError(f"no such file or folder: {root}")
        if root.is_file():
            key = str(root.resolve())
            if key not in seen:
                seen[key] = str(root)
                files.append(root)
            continue
        real_root = root.resolve()
        _walk(root, str(real_root).rstrip(os.sep), real_root, files, links, seen)
    return files, links


_NAME = operator.attrgetter("name")


def _walk(
    folder: Path,
    real_folder: str,
    real_root: Path,
    files: list[Path],
    links: list[Path],
    seen: dict[str, str],
) -> None:
    # os.scandir gives each entry's type without a stat call per file, and only links need
    # resolving: below a resolved root, real folders and files have known real paths.
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=_NAME)
    except OSError:
        return  # unreadable folder: skipped, as os.walk does
    subfolders: list[os.DirEntry[str]] = []
    # A child of a known path without parsing its name again (what pathlib's own glob
    # uses; ``folder / name`` on a Python without it): a third of the walk's time.
    child: Callable[[str], Path] = getattr(folder, "_make_child_relpath", folder.__truediv__)
    for entry in entries:
        name = entry.name
        if name[:1] == ".":
            continue
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()
        except OSError:
            continue
        path = child(name)
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
            seen[key] = str(path)
            files.append(path)
    for entry in subfolders:
        _walk(
            child(entry.name), f"{real_folder}{os.sep}{entry.name}", real_root, files, links, seen
        )


def symlink_reason(link: Path) -> str:
    """What to tell about a symlink :func:`find_markdown` skipped."""
    return (
        f"symbolic link to {link.resolve()}, outside the tree; not followed (bilingo never "
        "writes outside the folders it is given: pass that folder itself to translate it)"
    )


def load_articles(paths: Sequence[Path]) -> Found:
    return read_articles(*find_markdown(paths))


class Resolver:
    """``Path.resolve`` for the many files of a run's few folders: each folder is resolved
    once (a file that is itself a link is resolved in full). For one run, whose tree does
    not change under it; a new run makes a new one."""

    def __init__(self) -> None:
        self._folders: dict[str, Path] = {}

    def __call__(self, path: Path) -> Path:
        if os.path.islink(path):
            return path.resolve()
        key = os.path.dirname(path)  # a string: cheaper than building path.parent
        folder = self._folders.get(key)
        if folder is None:
            folder = self._folders[key] = path.parent.resolve()
        return folder / path.name


class PairIndex:
    """Where each article's twin is, for one run: built once by each command from the
    site's pairing (``Settings.pairing``) and passed to every helper that names a twin, its
    language or its source, so that each file's twin path is worked out once per language
    and each path resolved once. For one run, whose tree does not change under it; a new
    run makes a new one."""

    def __init__(self, pairing: Pairing) -> None:
        self.pairing = pairing
        self._folders = Resolver()
        self._real: dict[str, Path] = {}
        self._known: dict[str, str] = {}
        self._twins: dict[tuple[str, str], Path] = {}

    def known(self, real_paths: Mapping[str, str]) -> None:
        """Real paths the run's walk found (:func:`find_markdown`'s ``real_paths``): those
        files are resolved without a look at the disk."""
        self._known.update((given, real) for real, given in real_paths.items())

    def resolve(self, path: Path) -> Path:
        """``path.resolve()``, once per path (each folder once, see :class:`Resolver`)."""
        key = str(path)
        real = self._real.get(key)
        if real is None:
            known = self._known.get(key)
            real = Path(known) if known is not None else self._folders(path)
            self._real[key] = real
        return real

    def twin_path(self, source: Path, target_lang: str) -> Path:
        """Where ``source``'s ``target_lang`` twin lives (:meth:`Pairing.twin_path`): beside
        it, ``<slug>.<code>.md``, or at the same path in the other language's folder.

        Only the path is used, never front-matter values, so an article cannot steer the
        output outside the site's content.
        """
        key = (str(source), target_lang)
        twin = self._twins.get(key)
        if twin is None:
            twin = self._twins[key] = self.pairing.twin_path(source, target_lang)
        return twin

    def twin_label(self, twin: Path) -> str:
        """How messages name a twin: its file name beside the source, by folder its path."""
        return str(twin) if self.pairing.by_folder else twin.name

    def make_twin_folder(self, twin: Path) -> None:
        """By folder, create the twin's missing folders, inside its language's content folder
        only (a link on the way that leads out of it is refused: BilingoError)."""
        pairing = self.pairing
        if not pairing.by_folder:
            return  # beside its source, in a folder that exists
        # folder_language resolves the existing part of the path: a link leading out is caught.
        if pairing.folder_language(twin) is None:
            raise BilingoError(
                f"{twin.parent} leads outside the site's language folders; bilingo writes twins "
                "only inside them (replace the symbolic link with a folder)"
            )
        twin.parent.mkdir(parents=True, exist_ok=True)

    def source_ref(self, source: Path) -> str:
        """What a twin's provenance says for ``source`` (see :meth:`Pairing.source_ref`)."""
        return self.pairing.source_ref(source)

    def path_language(self, path: Path) -> str | None:
        """The language ``path`` alone says: its folder, its suffix, or the site's default."""
        return self.pairing.path_language(path)

    def source_name_problem(self, name: str | None) -> str | None:
        """Why a provenance's ``source:`` cannot name a source of this twin, or None."""
        return self.pairing.ref_problem(name)

    def resolve_source(self, twin: Path, name: str) -> Path | None:
        """The source file ``name`` (a provenance's ``source:``) names for ``twin``; None if
        it names no file the site's pairing allows."""
        return self.pairing.resolve_ref(twin, name)

    def source_path(self, twin: Article) -> Path | None:
        """The source a twin's provenance names; None if it names no valid file."""
        prov = provenance.read(twin)
        name = prov.source if prov is not None else None
        if name is None:
            return None
        return self.resolve_source(twin.path, name)

    def source_of(self, twin: Article) -> Article:
        """The source ``twin``'s provenance names, read; a BilingoError saying why not."""
        prov = provenance.read(twin)
        name = prov.source if prov is not None else None
        problem = self.source_name_problem(name)
        if problem is not None:
            raise BilingoError(problem, path=twin.path)
        source_file = self.resolve_source(twin.path, str(name))
        if source_file is None:
            raise BilingoError(
                f"its provenance names {name!r}, outside the source language's folder; fix the "
                "'source:' line of its bilingo block",
                path=twin.path,
            )
        if not source_file.is_file():
            raise BilingoError(
                f"its source {source_file.name} is gone; restore it, or delete the twin",
                path=twin.path,
            )
        return read_article(source_file)

    def with_partners(self, paths: Sequence[Path], files: Sequence[Path]) -> list[Path]:
        """``files`` and, for each file given by name in ``paths``, the files it may pair with
        by the site's pairing (``x.nb.md`` <-> ``x.en.md``, ``x.md``; by folder the same path in
        the other language's folder), so that a source, its twin or their folder give the same
        verdicts for the pair."""
        pairing = self.pairing
        out = list(files)
        given_files = [given for given in paths if given.is_file()]
        if not given_files:
            return out  # folders only: every partner is among the files found
        import glob  # here: only a file given by name has its siblings looked for

        resolve = Resolver()
        seen = {resolve(p) for p in files}
        for given in given_files:
            candidates = [pairing.twin_path(given, lang) for lang in LANGUAGES]
            if not pairing.by_folder:
                slug = pairing.split_name(given)[0]
                siblings = sorted(given.parent.glob(f"{glob.escape(slug)}.*md"))
                candidates += [o for o in siblings if pairing.split_name(o)[0] == slug]
                candidates.append(given.with_name(f"{slug}.md"))
            for other in candidates:
                if other.is_file() and not other.is_symlink() and resolve(other) not in seen:
                    seen.add(resolve(other))
                    out.append(other)
        return out

    def twins_of(self, article: Article, by_path: Mapping[Path, Article]) -> Iterator[Article]:
        """The read articles (``by_path``: keyed by :meth:`resolve`) that may be
        ``article``'s twin, in either language; looked up as they are asked for (an article
        whose language its front matter or name says never asks)."""
        for lang in LANGUAGES:
            twin = by_path.get(self.resolve(self.twin_path(article.path, lang)))
            if twin is not None and twin is not article:
                yield twin


def read_articles(
    files: Sequence[Path],
    links: Sequence[Path] = (),
    held: Mapping[Path, tuple[bytes, os.stat_result]] | None = None,
) -> Found:
    """Read ``files``; those in ``held`` (read already, :func:`bilingo.seal.settle_pairs`)
    from their bytes there."""
    from bilingo.pair_records import Found, Unreadable

    articles: list[Article] = []
    problems: list[Unreadable] = []
    for path in files:
        try:
            articles.append(read_article(path, held=held.get(path) if held else None))
        except ArticleError as exc:
            problems.append(Unreadable(path, exc.message, exc.line))
    return Found(tuple(articles), tuple(problems), tuple(links))


# --------------------------------------------------------------------------- pairs


def find_pair(path: Path, index: PairIndex) -> Pair:
    """The source/twin pair ``path`` belongs to, whichever of the two it is, by the run's
    ``index``."""
    from bilingo.detect import detect_article, twins_beside
    from bilingo.pair_records import Pair

    article = read_article(path)
    prov = provenance.read(article)
    if prov is not None and prov.is_twin:
        source = index.source_of(article)
        lang = fold_language(prov.source_lang) or detect_article(source, pairing=index.pairing).lang
        target = fold_language(str(article.meta.get("lang", ""))) or other_language(lang)
        return Pair(source, article, lang, target)
    lang = detect_article(article, pairing=index.pairing, twins=twins_beside(article, index)).lang
    target = other_language(lang)
    twin_file = index.twin_path(path, target)
    if not twin_file.is_file():
        raise BilingoError(
            f"it has no {target} twin yet ({index.twin_label(twin_file)}); run: bilingo "
            f"translate {path}",
            path=path,
        )
    twin = read_article(twin_file)
    twin_prov = provenance.read(twin)
    ref = index.source_ref(path)
    if twin_prov is not None and twin_prov.is_twin and twin_prov.source != ref:
        # The twin's provenance names another file: the same verdict as from the twin's side.
        problem = index.source_name_problem(twin_prov.source) or (
            f"its provenance names {twin_prov.source!r}, not {ref}; fix the 'source:' "
            "line of its bilingo block"
        )
        raise BilingoError(problem, path=twin_file)
    return Pair(article, twin, lang, target)


# --------------------------------------------------------------------------- renames


#: A source without a twin is an orphaned twin's renamed source when it holds at least this
#: share of the paragraphs the twin was made from (as git finds renames by similarity).
RENAME_SIMILARITY = 0.5


def paragraph_share(made_from: Sequence[str], now: Sequence[str]) -> float:
    """The share of paragraphs two hash lists have in common, of the longer one."""
    old = [h for h in made_from if h != provenance.ORPHAN]
    if not old or not now:
        return 0.0
    common = sum((Counter(old) & Counter(now)).values())
    return common / max(len(old), len(now))


def find_renames(articles: Iterable[Article], index: PairIndex) -> tuple[Rename, ...]:
    """The renamed pairs among ``articles``: each orphaned twin matched to the one source
    without a twin whose text it was made from, or, failing that, the one source sharing
    the most (at least :data:`RENAME_SIMILARITY`) of its paragraphs. Ambiguous matches (two
    orphans for one source, two equally good sources for one orphan) are left out: moving
    one would be a guess."""
    from bilingo.pair_records import Rename

    every = list(articles)
    orphans: list[tuple[Article, provenance.Provenance]] = []
    for article in every:
        prov = provenance.read(article)
        if prov is None or not prov.is_twin or not prov.source_hash:
            continue
        named = index.source_path(article)
        if named is None or named.exists():
            continue
        orphans.append((article, prov))
    if not orphans:
        return ()
    sources = [a for a in every if provenance.read(a) is None]  # twins and people's pages out
    by_hash: dict[str, list[Article]] = {}
    for article in sources:
        by_hash.setdefault(provenance.source_hash(article), []).append(article)
    hashes: dict[Path, tuple[str, ...]] = {}

    def blocks(article: Article) -> tuple[str, ...]:
        if article.path not in hashes:
            from bilingo.document import parse

            try:
                hashes[article.path] = parse(
                    article.body, dialects=index.pairing.dialects
                ).block_hashes
            except BilingoError:
                hashes[article.path] = ()
        return hashes[article.path]

    found: list[Rename] = []
    for twin, prov in orphans:
        target = fold_language(str(twin.meta.get("lang", ""))) or other_language(
            fold_language(prov.source_lang) or "nb"
        )

        def free(s: Article, target: str = target) -> Path | None:
            new = index.twin_path(s.path, target)
            return None if new.exists() or new.is_symlink() else new

        options = [
            Rename(twin.path, s.path, new)
            for s in by_hash.get(prov.source_hash, [])
            if (new := free(s)) is not None
        ]
        if not options and prov.source_blocks:
            scored = [
                (paragraph_share(prov.source_blocks, blocks(s)), s, new)
                for s in sources
                if (new := free(s)) is not None
            ]
            best = max((share for share, _, _ in scored), default=0.0)
            if best >= RENAME_SIMILARITY:
                options = [
                    Rename(twin.path, s.path, new, share)
                    for share, s, new in scored
                    if share == best
                ]
        if len(options) == 1:
            found.append(options[0])
    claims: dict[Path, int] = {}
    for r in found:
        claims[r.new_twin.resolve()] = claims.get(r.new_twin.resolve(), 0) + 1
    return tuple(r for r in found if claims[r.new_twin.resolve()] == 1)
