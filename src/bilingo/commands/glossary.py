"""``bilingo glossary``: validate, show, export, and check article pairs against it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from bilingo import provenance
from bilingo.article import Article, other_language, read_article
from bilingo.detect import detect_article, locate_twin
from bilingo.errors import BilingoError
from bilingo.glossary import (
    Glossary,
    GlossaryRow,
    check_articles,
    export_deepl,
    load_glossary,
    show,
)
from bilingo.pairs import PairIndex, load_articles
from bilingo.site import Settings


@dataclass(frozen=True)
class ValidateReport:
    path: Path
    glossary: Glossary

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, object]:
        g = self.glossary
        return {
            "path": str(self.path),
            "terms": len(g.terms),
            "keep": len(g.keep),
            "forms": g.form_count,
            "hash": g.hash,
        }


@dataclass(frozen=True)
class ShowReport:
    rows: tuple[GlossaryRow, ...]

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.rows]


@dataclass(frozen=True)
class ExportReport:
    text: str

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, object]:
        return {"text": self.text}


@dataclass(frozen=True)
class CheckReport:
    """Glossary misses of every pair under the paths, and the files that could not be read."""

    misses: tuple[dict[str, Any], ...]
    pairs: int
    errors: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return 2 if self.errors and not self.misses else 1 if self.misses or self.errors else 0

    def as_dict(self) -> dict[str, object]:
        return {"misses": list(self.misses), "pairs": self.pairs, "errors": list(self.errors)}


def run_validate(settings: Settings, path: Path) -> ValidateReport:
    """Load the glossary at ``path`` (a GlossaryError with file and line if malformed)."""
    if not path.is_file():
        raise BilingoError(
            f"no glossary at {path}; give --glossary PATH of an existing glossary.yml"
        )
    return ValidateReport(path, load_glossary(path))


def run_show(settings: Settings, *, forms: bool = False) -> ShowReport:
    return ShowReport(tuple(show(settings.glossary, forms=forms)))


def run_export(
    settings: Settings, *, source: str, target: str, fmt: Literal["csv", "tsv"]
) -> ExportReport:
    if source == target:
        raise BilingoError("--from and --to must differ")
    return ExportReport(export_deepl(settings.glossary, source=source, target=target, fmt=fmt))


def run_check(settings: Settings, paths: Sequence[Path]) -> CheckReport:
    """For each source and twin: glossary terms whose target form is missing in the twin."""
    found = load_articles(list(paths))
    index = PairIndex(settings.pairing)
    by_path = {index.resolve(a.path): a for a in found.articles}
    rows: list[dict[str, Any]] = []
    errors = [f"{p.path}: {p.reason}" for p in found.problems]
    pairs = 0
    seen: set[Path] = set()
    for article in found.articles:
        is_twin = provenance.is_twin(article)
        try:
            pair = _pair_of(article, index, by_path)
        except (BilingoError, OSError) as exc:
            if not is_twin:
                errors.append(str(exc))
            continue
        if pair is None:
            continue
        source, twin, src_lang = pair
        if twin.path.resolve() in seen:
            continue
        seen.add(twin.path.resolve())
        pairs += 1
        for miss in check_articles(
            settings.glossary,
            source,
            twin,
            source_lang=src_lang,
            target_lang=other_language(src_lang),
            fields=settings.fields,
            dialects=index.pairing.dialects,
        ):
            rows.append(
                {
                    "source": str(source.path),
                    "twin": str(twin.path),
                    "term": miss.term,
                    "expected": miss.expected,
                    "found": miss.found,
                    "line": miss.line,
                    "twin_line": miss.twin_line,
                    "field": miss.field,
                    "message": miss.message(),
                }
            )
    rows.sort(key=lambda r: (r["twin"], r["twin_line"] or 0, r["term"]))
    return CheckReport(tuple(rows), pairs, tuple(errors))


def _pair_of(
    article: Article, index: PairIndex, by_path: dict[Path, Article]
) -> tuple[Article, Article, str] | None:
    """(source, twin, source language) of the pair ``article`` belongs to; None when it has
    no valid pair (a twin whose provenance names no file beside it: check reports it)."""
    if provenance.is_twin(article):
        twin = article
        named = index.source_path(article)
        if named is None:
            return None
        source = read_article(named)
    else:
        path = locate_twin(article, index, by_path)[1]
        if not path.is_file():
            return None
        source, twin = article, read_article(path)
        prov = provenance.read(twin)
        if prov is not None and prov.is_twin and prov.source != index.source_ref(source.path):
            return None  # the twin names another source: invalid, check reports it
    return source, twin, detect_article(source, pairing=index.pairing, twins=[twin]).lang
