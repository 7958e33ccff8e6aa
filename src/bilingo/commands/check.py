"""``bilingo check``: the CI gate. Lists missing, stale, orphaned and invalid translations.

It writes nothing and never loads a model: it reads front matter, hashes bodies and compares
them with the provenance each twin carries (:mod:`bilingo.judge`). Like twine's check, it
reports every problem before deciding the exit code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bilingo import lazy
from bilingo.article import DEFAULT_TRANSLATED_FIELDS, other_language, read_article
from bilingo.errors import ArticleError
from bilingo.judge import Problem, orphaned_twins, pair_problems, unreviewed
from bilingo.layout import PLAIN
from bilingo.pairs import PairIndex, find_markdown, symlink_reason
from bilingo.seal import Held, settle_pairs
from bilingo.site import Settings
from bilingo.siteconfig import DEFAULT_MIN_CONFIDENCE

if TYPE_CHECKING:
    from bilingo import provenance
    from bilingo.article import Article
    from bilingo.glossary import Glossary
else:  # a check its seals settle reads no twin's provenance
    provenance = lazy.module("bilingo.provenance", __name__, "provenance")


@dataclass(frozen=True)
class CheckReport:
    """Every problem a check found, and how many sources and twins it read."""

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

    def as_dict(self) -> dict[str, object]:
        return {
            "problems": [p.as_dict() for p in self.problems],
            "sources": self.sources,
            "twins": self.twins,
            "counts": self.counts(),
            "ok": self.exit_code == 0,
        }


def run(
    settings: Settings, paths: Sequence[Path], *, require_reviewed: bool = False
) -> CheckReport:
    """``bilingo check`` over ``paths`` (default: the current folder)."""
    return check_paths(
        list(paths) or [Path(".")],
        index=PairIndex(settings.pairing),
        glossary_hash=settings.glossary.hash,
        glossary=settings.glossary,
        fields=settings.fields,
        require_reviewed=require_reviewed,
        min_confidence=settings.min_confidence,
    )


def check_paths(
    paths: Sequence[Path],
    *,
    glossary_hash: str,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    require_reviewed: bool = False,
    use_seals: bool = True,
    glossary: Glossary | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    index: PairIndex | None = None,
) -> CheckReport:
    """Check every article under ``paths``; read-only.

    Pairs whose seal holds (:mod:`bilingo.seal`) are settled from their bytes; every other
    file is read, parsed and judged in full. ``use_seals=False`` judges everything in full
    (the tests compare both). ``index``: the run's pairs, from the site's pairing (None: a
    plain folder's, :data:`bilingo.layout.PLAIN`, for a caller outside a site's run).
    """
    index = index if index is not None else PairIndex(PLAIN)
    real_paths: dict[str, str] = {}
    found, links = find_markdown(paths, real_paths)
    index.known(real_paths)
    found = index.with_partners(paths, found)
    problems: list[Problem] = [Problem(p, "invalid", symlink_reason(p), "warning") for p in links]
    held: Held = {}  # what the seals read: each file is opened once
    settled, files = (
        settle_pairs(found, index.pairing, glossary_hash=glossary_hash, fields=fields, held=held)
        if use_seals
        else ([], found)
    )
    if min_confidence != DEFAULT_MIN_CONFIDENCE:
        # A seal records the verdict under the default threshold: with the site's own, a
        # pair not reviewed may hold low-confidence paragraphs the seal cannot tell.
        files += [f for p in settled if p.verdict != "reviewed" for f in (p.source, p.twin)]
        settled = [p for p in settled if p.verdict == "reviewed"]
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
            articles[index.resolve(path)] = read_article(path, held=held.get(path))
        except ArticleError as exc:
            problems.append(Problem(path, "invalid", exc.message, line=exc.line))

    sources = twins = len(settled)
    claimed: set[Path] = set()
    if articles:  # here: a tree its seals settle decides no language
        from bilingo.detect import language_warning, locate_twin
    for article in articles.values():
        if provenance.is_twin(article):
            twins += 1
            continue
        sources += 1
        try:
            detection, twin_file = locate_twin(article, index, articles)
        except ArticleError as exc:
            problems.append(Problem(article.path, "invalid", exc.message, line=exc.line))
            continue
        lang = detection.lang
        # Taken from the path alone: say when the prose disagrees. A language recorded in a
        # twin's provenance was warned about when it was translated.
        if detection.method in ("filename", "folder") and (
            warning := language_warning(article, lang)
        ):
            problems.append(Problem(article.path, "language", warning, "warning"))
        twin = None
        if os.path.lexists(twin_file):  # nothing there, not even a link: nothing to resolve
            real_twin = index.resolve(twin_file)
            claimed.add(real_twin)
            twin = articles.get(real_twin)
            if twin is None and twin_file.exists():
                continue  # unreadable: already reported as invalid
        if twin is None:
            problems.append(
                Problem(
                    article.path,
                    "missing",
                    f"no {other_language(lang)} twin ({index.twin_label(twin_file)}); run: "
                    f"bilingo translate {article.path}",
                )
            )
            continue
        if provenance.read(twin) is None:
            continue  # a pair written by people: nothing to track
        problems += pair_problems(
            article,
            twin,
            pairing=index.pairing,
            glossary_hash=glossary_hash,
            fields=fields,
            require_reviewed=require_reviewed,
            glossary=glossary,
            min_confidence=min_confidence,
        )

    orphaned, moved_to = orphaned_twins(articles.values(), claimed, fields, index)
    problems += orphaned
    if moved_to:
        problems = [
            replace(
                p,
                detail=f"its twin is {r.twin}, left under the old name; move it: {r.command()}",
            )
            if p.kind == "missing" and (r := moved_to.get(p.path.resolve())) is not None
            else p
            for p in problems
        ]
    problems.sort(key=lambda p: (str(p.path), p.line or 0, p.kind))
    return CheckReport(tuple(problems), sources, twins)
