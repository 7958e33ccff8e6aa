"""Orchestration of ``bilingo translate``: find -> language -> segment -> translate -> write.

Never prints: it returns a :class:`TranslateReport` and reports progress through a
callback, so the CLI, tests and benchmarks drive it the same way. All segments of all
articles go to the engine in one batched call; the engine (and its heavy imports) is only
created when some segment actually needs translating.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    PROVENANCE_KEY,
    Article,
    other_language,
    read_article,
    render_article,
    short_hashes,
    source_hash,
    twin_content_hash,
    twin_path,
    write_atomic,
)
from bilingo.check import find_markdown, provenance_state
from bilingo.detect import detect_article
from bilingo.engine import ArgosEngine, Engine, find_package
from bilingo.errors import ArticleError
from bilingo.glossary import Glossary, empty_glossary
from bilingo.segment import Document, segment

Action = Literal["written", "would-write", "unchanged", "skipped", "failed"]
#: (stage, done, total): stage is "translate" while the engine runs.
ProgressCallback = Callable[[str, int, int], None]
EngineFactory = Callable[[str, str], Engine]


@dataclass(frozen=True)
class Outcome:
    """What happened to one source article."""

    source: Path
    action: Action
    twin: Path | None = None
    source_lang: str = ""
    target_lang: str = ""
    reason: str = ""
    segments: int = 0
    words: int = 0


@dataclass(frozen=True)
class TranslateReport:
    outcomes: tuple[Outcome, ...]
    #: Segments sent to the engine (after de-duplication).
    engine_segments: int
    words: int
    seconds: float
    engine: str = ""

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action == "failed")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action == action)


@dataclass(frozen=True)
class Found:
    """Result of discovery: readable articles and per-file problems."""

    articles: tuple[Article, ...]
    problems: tuple[Outcome, ...]
    skipped_links: tuple[Path, ...] = ()


def load_articles(paths: Iterable[Path]) -> Found:
    files, links = find_markdown(paths)
    articles: list[Article] = []
    problems: list[Outcome] = []
    for path in files:
        try:
            articles.append(read_article(path))
        except ArticleError as exc:
            problems.append(Outcome(source=path, action="failed", reason=exc.format()))
    return Found(tuple(articles), tuple(problems), tuple(links))


@dataclass(frozen=True)
class Job:
    """One source article whose twin must be (re)written."""

    article: Article
    source_lang: str
    target_lang: str
    twin: Path
    body: Document
    fields: Mapping[str, Document]


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    outcomes: tuple[Outcome, ...]
    #: Twins on disk whose source is gone or elsewhere (for check).
    twins: tuple[Article, ...] = field(default=())


def plan(
    articles: Sequence[Article],
    *,
    glossary: Glossary,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    force: bool = False,
) -> Plan:
    """Decide, per source article, whether its twin needs writing. Reads no model."""
    by_path = {a.path.resolve(): a for a in articles}
    jobs: list[Job] = []
    outcomes: list[Outcome] = []
    twins: list[Article] = []
    for article in articles:
        if article.is_twin:
            twins.append(article)
            continue
        try:
            detection = detect_article(article)
        except ArticleError as exc:
            outcomes.append(Outcome(article.path, "failed", reason=exc.format()))
            continue
        src, tgt = detection.lang, other_language(detection.lang)
        twin = twin_path(article.path, tgt)
        if twin.resolve() == article.path.resolve():
            outcomes.append(
                Outcome(
                    article.path,
                    "failed",
                    source_lang=src,
                    reason=f"{article.path}: the file name says {tgt} but the article is {src}; "
                    f"rename it to {article.slug}.{src}.md or fix its lang:",
                )
            )
            continue
        existing = by_path.get(twin.resolve())
        if existing is None and twin.exists():
            try:
                existing = read_article(twin)
            except ArticleError as exc:
                outcomes.append(
                    Outcome(
                        article.path,
                        "failed",
                        twin=twin,
                        source_lang=src,
                        target_lang=tgt,
                        reason=f"its twin cannot be read ({exc.format()}); fix or delete the twin",
                    )
                )
                continue
        if existing is not None and not existing.is_twin and existing.provenance is None:
            # Both files written by people: a human pair, nothing to do.
            outcomes.append(
                Outcome(
                    article.path,
                    "skipped" if force else "unchanged",
                    twin=twin,
                    source_lang=src,
                    target_lang=tgt,
                    reason="its twin was written by a person (no provenance); bilingo never "
                    "overwrites it"
                    if force
                    else "",
                )
            )
            continue
        if existing is not None:
            state, detail = provenance_state(
                article, existing, glossary_hash=glossary.hash, fields=fields
            )
            if state == "current" and not force:
                outcomes.append(Outcome(article.path, "unchanged", twin, src, tgt))
                continue
            if state in ("reviewed", "edited", "foreign") and not force:
                outcomes.append(
                    Outcome(
                        article.path,
                        "skipped",
                        twin,
                        src,
                        tgt,
                        reason=f"not overwriting {twin.name}: {detail}; "
                        "run with --force to translate it again",
                    )
                )
                continue
        docs = {
            key: segment(value)
            for key in fields
            if isinstance(value := article.meta.get(key), str) and value.strip()
        }
        jobs.append(Job(article, src, tgt, twin, segment(article.body), docs))
    return Plan(tuple(jobs), tuple(outcomes), tuple(twins))


def default_engine_factory(
    *, device: str = "cpu", beam_size: int = 4, **engine_options: Any
) -> EngineFactory:
    def make(source: str, target: str) -> Engine:
        return ArgosEngine(
            find_package(source, target), device=device, beam_size=beam_size, **engine_options
        )

    return make


def _words(text: str) -> int:
    return len(text.split())


def translate_segments(
    texts: Sequence[str],
    *,
    engine: Engine,
    glossary: Glossary,
    source: str,
    target: str,
    progress: ProgressCallback | None = None,
) -> tuple[list[str], int]:
    """Translate texts through the glossary and the engine, each distinct text once.

    Returns the translations (aligned with ``texts``) and how many reached the engine.
    """
    unique = list(dict.fromkeys(texts))
    protected = [glossary.protect(t, source=source, target=target) for t in unique]
    total = len(protected)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("translate", done, total)

    if progress is not None:
        progress("translate", 0, total)
    raw = engine.translate([p.text for p in protected], progress=tick)
    restored = {t: p.restore(r) for t, p, r in zip(unique, protected, raw, strict=True)}
    return [restored[t] for t in texts], len(unique)


def build_twin(
    job: Job,
    translations: Mapping[str, str],
    *,
    engine_name: str,
    glossary: Glossary,
    fields: Sequence[str],
) -> tuple[dict[str, Any], str]:
    """The twin's front matter and body, given translations for every segment text."""
    body = job.body.render([translations[s.text] for s in job.body.segments])
    meta: dict[str, Any] = {}
    for key, value in job.article.meta.items():
        if key == PROVENANCE_KEY:
            continue
        doc = job.fields.get(key)
        meta[key] = doc.render([translations[s.text] for s in doc.segments]) if doc else value
    meta["lang"] = job.target_lang
    meta.setdefault("translationKey", job.article.slug)
    if not isinstance(meta["translationKey"], str | int):
        meta["translationKey"] = job.article.slug
    meta[PROVENANCE_KEY] = {
        "source": job.article.path.name,
        "source_lang": job.source_lang,
        "source_hash": source_hash(job.article),
        "engine": engine_name,
        "glossary_hash": glossary.hash,
        "machine": True,
        "reviewed": False,
        "twin_hash": twin_content_hash(meta, body, tuple(fields)),
        # Per-paragraph hashes: which source paragraph each twin paragraph came from, and
        # whether a person changed it since (see bilingo.check and re-translation).
        "source_blocks": short_hashes(b.text for b in job.body.blocks),
        "twin_blocks": short_hashes(b.text for b in segment(body).blocks),
    }
    return meta, body


def translate_paths(
    paths: Sequence[Path],
    *,
    glossary: Glossary | None = None,
    engine_factory: EngineFactory | None = None,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    force: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> TranslateReport:
    """Translate every source article under ``paths`` whose twin is missing or stale."""
    started = time.perf_counter()
    glossary = glossary or empty_glossary()
    factory = engine_factory or default_engine_factory()
    found = load_articles(paths)
    the_plan = plan(found.articles, glossary=glossary, fields=fields, force=force)
    outcomes: list[Outcome] = list(found.problems)
    outcomes += [
        Outcome(link, "skipped", reason="symlink to a file outside the tree; not followed")
        for link in found.skipped_links
    ]
    outcomes += the_plan.outcomes

    # Group the jobs by direction: one engine call per direction with every segment in it.
    by_pair: dict[tuple[str, str], list[Job]] = {}
    for job in the_plan.jobs:
        by_pair.setdefault((job.source_lang, job.target_lang), []).append(job)

    engine_segments = 0
    total_words = 0
    engine_names: list[str] = []
    for (src, tgt), jobs in sorted(by_pair.items()):
        texts = [
            s.text for job in jobs for doc in (job.body, *job.fields.values()) for s in doc.segments
        ]
        if dry_run:
            for job in jobs:
                outcomes.append(_job_outcome(job, "would-write"))
            continue
        engine = factory(src, tgt)
        translated, sent = translate_segments(
            texts, engine=engine, glossary=glossary, source=src, target=tgt, progress=progress
        )
        engine_segments += sent
        engine_names.append(engine.name)
        translations = dict(zip(texts, translated, strict=True))
        for job in jobs:
            meta, body = build_twin(
                job, translations, engine_name=engine.name, glossary=glossary, fields=fields
            )
            try:
                write_atomic(
                    job.twin,
                    render_article(meta, body, newline=job.article.newline),
                    bom=job.article.bom,
                )
            except OSError as exc:
                outcomes.append(
                    replace(
                        _job_outcome(job, "failed"),
                        reason=f"cannot write {job.twin}: {exc.strerror}",
                    )
                )
                continue
            outcome = _job_outcome(job, "written")
            total_words += outcome.words
            outcomes.append(outcome)

    outcomes.sort(key=lambda o: str(o.source))
    return TranslateReport(
        outcomes=tuple(outcomes),
        engine_segments=engine_segments,
        words=total_words,
        seconds=time.perf_counter() - started,
        engine=", ".join(engine_names),
    )


def _job_outcome(job: Job, action: Action) -> Outcome:
    segs = [s for doc in (job.body, *job.fields.values()) for s in doc.segments]
    return Outcome(
        job.article.path,
        action,
        job.twin,
        job.source_lang,
        job.target_lang,
        segments=len(segs),
        words=sum(_words(s.text) for s in segs),
    )
