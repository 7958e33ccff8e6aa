"""Orchestration of ``bilingo translate``: find -> language -> segment -> translate -> write.

Never prints: it returns a :class:`TranslateReport` and reports progress through a
callback, so the CLI, tests and benchmarks drive it the same way. Segments already in the
translation memory are reused; all others, of all articles, go to the engine in one
batched call per direction. The engine (and its heavy imports) is only created when some
segment actually needs translating, so a re-run over unchanged articles never loads it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Literal

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    PROVENANCE_KEY,
    TEMP_FILE_RE,
    Article,
    fingerprint,
    other_language,
    read_article,
    render_article,
    short_hashes,
    source_hash,
    source_path,
    twin_content_hash,
    twin_path,
    write_atomic_bytes,
)
from bilingo.check import (
    SKIP_DIRS,
    find_markdown,
    provenance_state,
    seal_twin,
    symlink_reason,
)
from bilingo.detect import detect_article, release_profiles, twins_of
from bilingo.engine import ArgosEngine, Engine, find_package, trim_heap
from bilingo.errors import ArticleError, BilingoError, ModelError
from bilingo.glossary import Glossary, PlaceholderLost, empty_glossary
from bilingo.memory import Memory, MemoryKey
from bilingo.merge import MergePlan, block_hash, merge_plan
from bilingo.seal import SEAL_KEY, settle_pairs
from bilingo.segment import Document, segment, segment_text
from bilingo.units import IN_PIECES_KEY, InlineMode, pieces_lines, translate_whole, unit_pairs
from bilingo.units import render as render_units

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
    #: Line of the problem in ``source`` (failures), when known.
    line: int | None = None
    #: Segments translated for this article (from memory or the engine).
    segments: int = 0
    words: int = 0
    #: Paragraphs kept from the existing twin (human edits included).
    kept: int = 0
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranslateReport:
    outcomes: tuple[Outcome, ...]
    #: Segments sent to the engine (after de-duplication).
    engine_segments: int
    #: Segments found in the translation memory.
    memory_segments: int
    words: int
    seconds: float
    engine: str = ""
    model_loaded: bool = False
    warnings: tuple[str, ...] = ()
    #: Temporary files of an interrupted earlier run that were removed (remove_stale_temps).
    removed_temps: tuple[Path, ...] = ()
    #: Sentences translated whole (--inline whole), and those that fell back to fragments.
    whole_sentences: int = 0
    fallback_sentences: int = 0

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


def load_articles(paths: Sequence[Path]) -> Found:
    return read_articles(*find_markdown(paths))


def read_articles(files: Sequence[Path], links: Sequence[Path] = ()) -> Found:
    articles: list[Article] = []
    problems: list[Outcome] = []
    for path in files:
        try:
            articles.append(read_article(path))
        except ArticleError as exc:
            problems.append(Outcome(path, "failed", reason=exc.message, line=exc.line))
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
    merge: MergePlan = field(default_factory=MergePlan)
    #: The twin as planned on (:func:`bilingo.article.fingerprint`; None: no twin yet). If
    #: it differs at write time, someone changed the twin meanwhile and it is not overwritten.
    twin_fingerprint: tuple[int, int, int] | None = None

    def texts(self) -> list[str]:
        """Segment texts that need a translation (kept paragraphs and fields excluded)."""
        out = [s.text for s in self.body.segments if s.block not in self.merge.keep_blocks]
        return out + self.field_texts()

    def field_texts(self) -> list[str]:
        """Segment texts of the front-matter fields that need a translation."""
        out: list[str] = []
        for key, doc in self.fields.items():
            if key not in self.merge.keep_fields:
                out += [s.text for s in doc.segments]
        return out


@dataclass(frozen=True)
class Plan:
    jobs: tuple[Job, ...]
    outcomes: tuple[Outcome, ...]


def _field_docs(article: Article, fields: Sequence[str]) -> dict[str, Document]:
    return {
        key: segment_text(value)
        for key in fields
        if isinstance(value := article.meta.get(key), str) and value.strip()
    }


def plan(
    articles: Sequence[Article],
    *,
    glossary: Glossary,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    force: bool = False,
) -> Plan:
    """Decide, per source article, what its twin needs. Reads no model."""
    by_path = {a.path.resolve(): a for a in articles}
    jobs: list[Job] = []
    outcomes: list[Outcome] = []
    for article in articles:
        if article.is_twin:
            continue
        decided = _plan_one(article, by_path, glossary=glossary, fields=fields, force=force)
        if isinstance(decided, Job):
            jobs.append(decided)
        else:
            outcomes.append(decided)
    # Two sources with one twin (foo.md and foo.nb.md, both nb): writing both would silently
    # replace one translation with the other, so neither is written.
    claims: dict[Path, list[Job]] = {}
    for job in jobs:
        claims.setdefault(job.twin.resolve(), []).append(job)
    kept: list[Job] = []
    for job in jobs:
        rivals = [j.article.path.name for j in claims[job.twin.resolve()] if j is not job]
        if not rivals:
            kept.append(job)
            continue
        outcomes.append(
            Outcome(
                job.article.path,
                "failed",
                job.twin,
                job.source_lang,
                job.target_lang,
                reason=f"{', '.join(rivals)} would be translated into the same twin "
                f"{job.twin.name}; rename one of them, or give one another lang:",
            )
        )
    return Plan(tuple(kept), tuple(outcomes))


def _plan_one(
    article: Article,
    by_path: Mapping[Path, Article],
    *,
    glossary: Glossary,
    fields: Sequence[str],
    force: bool,
) -> Job | Outcome:
    """One source article: the job for its twin, or why there is none."""
    try:
        detection = detect_article(article, twins=twins_of(article, by_path))
    except ArticleError as exc:
        return Outcome(article.path, "failed", reason=exc.message, line=exc.line)
    src, tgt = detection.lang, other_language(detection.lang)
    twin = twin_path(article.path, tgt)

    def outcome(action: Action, reason: str = "") -> Outcome:
        return Outcome(article.path, action, twin, src, tgt, reason=reason)

    if twin.is_symlink():
        return outcome(
            "failed",
            f"its twin {twin.name} is a symbolic link; bilingo neither writes through links "
            "nor replaces them: make it a plain file, or delete it",
        )
    if twin.resolve() == article.path.resolve():
        return outcome(
            "failed",
            f"the file name says {tgt} but the article is {src}; "
            f"rename it to {article.slug}.{src}.md or fix its lang:",
        )
    existing = by_path.get(twin.resolve())
    if existing is None and twin.exists():
        try:
            existing = read_article(twin)
        except ArticleError as exc:
            return outcome(
                "failed", f"its twin cannot be read ({exc.format()}); fix or delete the twin"
            )
    try:
        body = segment(article.body)
    except BilingoError as exc:
        return outcome("failed", exc.message)
    docs = _field_docs(article, fields)
    merge = MergePlan()
    if existing is not None:
        state, detail = provenance_state(
            article, existing, glossary_hash=glossary.hash, fields=fields
        )
        if state == "foreign" and existing.provenance is None:
            return outcome("unchanged")  # both files written by people: never touched
        if state == "current" and not force:
            return outcome("unchanged")
        if state in ("reviewed", "foreign") and not force:
            return outcome(
                "skipped",
                f"not overwriting {twin.name}: {detail}; run with --force to translate it again",
            )
        if state in ("stale", "edited") and not force:
            prov = existing.provenance or {}
            mp = merge_plan(
                body,
                segment(existing.body),
                prov,
                source_fields={k: block_hash(d.body) for k, d in docs.items()},
                twin_fields=existing.meta,
                # Unedited paragraphs of an unchanged source are kept unless the glossary
                # changed since (memory makes re-translating them cheap).
                retranslate_unedited=prov.get("glossary_hash") != glossary.hash,
                body_line=article.body_line,
            )
            if mp is None and state == "edited":
                return outcome(
                    "skipped",
                    f"not overwriting {twin.name}: its paragraphs were rearranged by hand "
                    "since bilingo wrote it, so edits can't be mapped; merge by hand, or run "
                    "with --force",
                )
            merge = mp or MergePlan()
    return Job(
        article,
        src,
        tgt,
        twin,
        body,
        docs,
        merge,
        twin_fingerprint=existing.fingerprint if existing is not None else None,
    )


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
    memory: Memory | None = None,
    progress: ProgressCallback | None = None,
    warnings: list[str] | None = None,
) -> tuple[dict[str, str], int, int]:
    """Translate each distinct text once: memory first, then glossary + engine.

    Returns (text -> translation, segments from memory, segments sent to the engine).
    """
    unique = list(dict.fromkeys(texts))
    key = MemoryKey(source, target, engine.name, glossary.hash)
    found = memory.lookup(unique, key) if memory is not None else {}
    todo = [t for t in unique if t not in found]
    protected = [glossary.protect(t, source=source, target=target) for t in todo]
    total = len(protected)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress("translate", done, total)

    if todo:
        if progress is not None:
            progress("translate", 0, total)
        raw = engine.translate([p.text for p in protected], progress=tick)
        fresh: dict[str, str] = {}
        unprotected: list[str] = []
        for text, prot, out in zip(todo, protected, raw, strict=True):
            try:
                fresh[text] = prot.restore(out)
            except PlaceholderLost as exc:
                # Never write a placeholder or a gap: translate the segment again without
                # protection, and let `glossary check` flag the term.
                unprotected.append(text)
                if warnings is not None:
                    warnings.append(exc.message)
        if unprotected:
            fresh.update(zip(unprotected, engine.translate(unprotected), strict=True))
        if memory is not None:
            memory.store(fresh, key)
        found.update(fresh)
    return found, len(unique) - len(todo), len(todo)


@dataclass(frozen=True)
class Translated:
    """What :func:`translate_jobs` returns: what :func:`build_twin` needs, and counts."""

    translations: dict[str, str]  # segment text -> translation
    whole: dict[str, str] | None  # unit Markdown -> translation (--inline whole)
    memory_segments: int
    engine_segments: int
    whole_sentences: int = 0
    fallback_sentences: int = 0


def translate_jobs(
    jobs: Sequence[Job],
    *,
    engine: Engine,
    glossary: Glossary,
    source: str,
    target: str,
    memory: Memory | None = None,
    progress: ProgressCallback | None = None,
    warnings: list[str] | None = None,
    inline: InlineMode = "whole",
) -> Translated:
    """Translate the jobs of one direction: whole sentences (bilingo.units) with their
    fallbacks and the front-matter fields, or every segment (``inline="fragments"``)."""
    if inline == "fragments":
        translations, from_memory, sent = translate_segments(
            [t for job in jobs for t in job.texts()],
            engine=engine,
            glossary=glossary,
            source=source,
            target=target,
            memory=memory,
            progress=progress,
            warnings=warnings,
        )
        return Translated(translations, None, from_memory, sent)
    docs: list[tuple[Document, frozenset[int]]] = []
    for job in jobs:
        docs.append((job.body, frozenset(job.merge.keep_blocks)))
        docs += [
            (doc, frozenset[int]())
            for key, doc in job.fields.items()
            if key not in job.merge.keep_fields
        ]
    whole, texts, stats = translate_whole(
        docs,
        engine=engine,
        glossary=glossary,
        source=source,
        target=target,
        memory=memory,
        memory_key=MemoryKey(source, target, engine.name, glossary.hash),
        progress=None if progress is None else partial(progress, "translate"),
    )
    if stats.fallback and warnings is not None:
        why = "; ".join(f"{n}x {reason}" for reason, n in sorted(stats.reasons.items()))
        warnings.append(
            f"{stats.fallback} sentence(s) {source}->{target} could not carry their inline "
            f"markup across ({why}) and were translated in pieces; review them "
            "(bilingo diff), or use --inline fragments"
        )
    # A field that is also a sentence of some body (a title repeated as a heading) is
    # translated once.
    texts += [t for job in jobs for t in job.field_texts() if t not in whole]
    translations, from_memory, sent = translate_segments(
        texts,
        engine=engine,
        glossary=glossary,
        source=source,
        target=target,
        memory=memory,
        progress=progress,
        warnings=warnings,
    )
    for job in jobs:
        translations.update((t, whole[t]) for t in job.field_texts() if t in whole)
    return Translated(
        translations,
        whole,
        from_memory + stats.memory,
        sent + stats.engine,
        stats.whole,
        stats.fallback,
    )


def build_twin(
    job: Job,
    translations: Mapping[str, str],
    *,
    engine_name: str,
    glossary: Glossary,
    fields: Sequence[str],
    whole: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """The twin's front matter and body, given translations for every segment text (and,
    with ``--inline whole``, for whole sentences: bilingo.units)."""
    merge = job.merge
    if whole is not None:
        body = render_units(job.body, whole, translations, overrides=merge.keep_blocks)
    else:
        body = job.body.render(
            [translations.get(s.text, s.text) for s in job.body.segments],
            overrides=merge.keep_blocks,
        )
    meta: dict[str, Any] = {}
    field_hashes: dict[str, str] = {}
    for key, value in job.article.meta.items():
        if key == PROVENANCE_KEY:
            continue
        doc = job.fields.get(key)
        if doc is None:
            meta[key] = value
        elif key in merge.keep_fields:
            meta[key] = merge.keep_fields[key]
            field_hashes[key] = merge.field_machine_hashes[key]
        else:
            meta[key] = doc.render([translations[s.text] for s in doc.segments])
            field_hashes[key] = block_hash(meta[key])
    meta["lang"] = job.target_lang
    meta.setdefault("translationKey", job.article.slug)
    if not isinstance(meta["translationKey"], str | int):
        meta["translationKey"] = job.article.slug
    # What the machine wrote for each paragraph; kept human paragraphs carry the machine
    # hash they replaced, so they stay "edited" on every later run.
    twin_blocks = segment(body).blocks
    machine = [merge.machine_hashes.get(i, block_hash(b.text)) for i, b in enumerate(twin_blocks)]
    prov: dict[str, Any] = {
        "source": job.article.path.name,
        "source_lang": job.source_lang,
        "source_hash": source_hash(job.article),
        "engine": engine_name,
        "glossary_hash": glossary.hash,
        "machine": True,
        "reviewed": False,
        "twin_hash": twin_content_hash(meta, body, tuple(fields)),
        "source_blocks": short_hashes(b.text for b in job.body.blocks),
        "twin_blocks": " ".join(machine),
        "source_fields": {k: block_hash(d.body) for k, d in job.fields.items()},
        "twin_fields": field_hashes,
    }
    if merge.conflicts:
        prov["conflicts"] = list(merge.conflicts)
    if whole is not None and (lines := pieces_lines(job.body, whole, merge.keep_blocks)):
        # Sentences translated in pieces (--inline whole fell back): diff and review flag them.
        prov[IN_PIECES_KEY] = [job.article.body_line + line - 1 for line in lines]
    meta[PROVENANCE_KEY] = prov
    return meta, body


def twin_bytes(
    job: Job,
    meta: Mapping[str, Any],
    body: str,
    *,
    glossary_hash: str,
    fields: Sequence[str],
) -> bytes:
    """The twin file :func:`build_twin` made, as written: sealed when it is up to date."""
    prov = {k: v for k, v in meta[PROVENANCE_KEY].items() if k != SEAL_KEY}

    def render(seal: str | None) -> str:
        sealed = prov if seal is None else {**prov, SEAL_KEY: seal}
        return render_article({**meta, PROVENANCE_KEY: sealed}, body, newline=job.article.newline)

    return seal_twin(
        render,
        source=job.article,
        twin=job.twin,
        bom=job.article.bom,
        glossary_hash=glossary_hash,
        fields=fields,
    )


def translate_paths(
    paths: Sequence[Path],
    *,
    glossary: Glossary | None = None,
    engine_factory: EngineFactory | None = None,
    memory: Memory | None = None,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    force: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    inline: InlineMode = "whole",
) -> TranslateReport:
    """Translate every source article under ``paths`` whose twin is missing or stale.

    ``inline="whole"``: each sentence goes to the engine whole, its inline markup carried
    back through the model's alignment (bilingo.units); ``"fragments"``: the sentence is cut
    at every markup boundary and line break, as bilingo did first.
    """
    started = time.perf_counter()
    glossary = glossary or empty_glossary()
    factory = engine_factory or default_engine_factory()
    files, links = find_markdown(paths)
    # Pairs whose seal holds are up to date: settled without parsing (see bilingo.seal).
    settled, files = (
        ([], files) if force else settle_pairs(files, glossary_hash=glossary.hash, fields=fields)
    )
    found = read_articles(files, links)
    the_plan = plan(found.articles, glossary=glossary, fields=fields, force=force)
    if the_plan.jobs and not dry_run:
        # Every language is decided: langdetect's profiles need not sit next to a model.
        release_profiles()
        trim_heap()
    outcomes: list[Outcome] = list(found.problems)
    outcomes += [
        Outcome(
            pair.source,
            "unchanged",
            pair.twin,
            other_language(pair.target_lang),
            pair.target_lang,
        )
        for pair in settled
    ]
    outcomes += [
        Outcome(link, "skipped", reason=symlink_reason(link)) for link in found.skipped_links
    ]
    removed = () if dry_run else remove_stale_temps(paths)
    outcomes += the_plan.outcomes

    # Group the jobs by direction: one engine call per direction with every segment in it.
    by_pair: dict[tuple[str, str], list[Job]] = {}
    for job in the_plan.jobs:
        by_pair.setdefault((job.source_lang, job.target_lang), []).append(job)

    # Find every model needed before translating anything, and name all that are missing.
    engines: dict[tuple[str, str], Engine] = {}
    missing: list[str] = []
    for pair in sorted(by_pair) if not dry_run else ():
        try:
            engines[pair] = factory(*pair)
        except ModelError as exc:
            missing.append(exc.message)
    if missing:
        raise ModelError("\n".join(missing))

    engine_segments = memory_segments = total_words = 0
    whole_sentences = fallback_sentences = 0
    warnings: list[str] = []
    engine_names: list[str] = []
    loaded = False
    for (src, tgt), jobs in sorted(by_pair.items()):
        if dry_run:
            outcomes += [_job_outcome(job, "would-write") for job in jobs]
            continue
        engine = engines[(src, tgt)]
        done = translate_jobs(
            jobs,
            engine=engine,
            glossary=glossary,
            source=src,
            target=tgt,
            memory=memory,
            progress=progress,
            warnings=warnings,
            inline=inline,
        )
        translations, whole = done.translations, done.whole
        whole_sentences += done.whole_sentences
        fallback_sentences += done.fallback_sentences
        memory_segments += done.memory_segments
        engine_segments += done.engine_segments
        loaded = loaded or done.engine_segments > 0
        engine_names.append(engine.name)
        for job in jobs:
            meta, body = build_twin(
                job,
                translations,
                engine_name=engine.name,
                glossary=glossary,
                fields=fields,
                whole=whole,
            )
            outcome = _job_outcome(job, "written")
            if fingerprint(job.twin) != job.twin_fingerprint:
                outcomes.append(
                    replace(
                        outcome,
                        action="skipped",
                        reason=f"not overwriting {job.twin.name}: it changed while bilingo "
                        "was translating; run bilingo translate again",
                    )
                )
                continue
            try:
                write_atomic_bytes(
                    job.twin,
                    twin_bytes(job, meta, body, glossary_hash=glossary.hash, fields=fields),
                )
            except OSError as exc:
                outcome = replace(
                    outcome, action="failed", reason=f"cannot write {job.twin}: {exc.strerror}"
                )
            else:
                total_words += outcome.words
            outcomes.append(outcome)

    outcomes.sort(key=lambda o: str(o.source))
    return TranslateReport(
        outcomes=tuple(outcomes),
        engine_segments=engine_segments,
        memory_segments=memory_segments,
        words=total_words,
        seconds=time.perf_counter() - started,
        engine=", ".join(engine_names),
        model_loaded=loaded,
        warnings=tuple(warnings),
        removed_temps=removed,
        whole_sentences=whole_sentences,
        fallback_sentences=fallback_sentences,
    )


#: A temporary file older than this cannot belong to a write in progress (they take ms).
STALE_TEMP_SECONDS = 600.0


def remove_stale_temps(
    paths: Sequence[Path], *, older_than: float = STALE_TEMP_SECONDS
) -> tuple[Path, ...]:
    """Delete temporary files that a killed run's :func:`write_atomic` left in the tree.

    Only bilingo's own (``.<name>.md.<8 characters>.tmp``, plain files) older than
    ``older_than`` seconds, in the folders bilingo writes twins into. They are dotfiles, so
    Hugo never publishes them meanwhile. Returns what was removed.
    """
    folders: list[Path] = []
    for root in paths:
        if root.is_file():
            folders.append(root.parent)
            continue
        for dirpath, dirnames, _ in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and d[:1] != ".")
            folders.append(Path(dirpath))
    limit = time.time() - older_than
    removed: list[Path] = []
    for folder in dict.fromkeys(folders):
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if TEMP_FILE_RE.match(name) is None:
                continue
            path = folder / name
            try:
                st = os.stat(path, follow_symlinks=False)
                if st.st_mtime < limit and stat.S_ISREG(st.st_mode):
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue
    return tuple(removed)


def _job_outcome(job: Job, action: Action) -> Outcome:
    texts = job.texts()
    reason = "; ".join(job.merge.conflicts)
    if job.merge.dropped_edits:
        reason = "; ".join(
            filter(
                None,
                [
                    reason,
                    f"{job.merge.dropped_edits} edited paragraph(s) dropped with their "
                    "source paragraph",
                ],
            )
        )
    return Outcome(
        job.article.path,
        action,
        job.twin,
        job.source_lang,
        job.target_lang,
        reason=reason,
        segments=len(texts),
        words=sum(_words(t) for t in texts),
        kept=len(job.merge.keep_blocks),
        conflicts=job.merge.conflicts,
    )


@dataclass(frozen=True)
class RebuildReport:
    pairs: int
    articles: int
    skipped_blocks: int


def rebuild_memory(
    paths: Sequence[Path],
    *,
    memory: Memory,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
) -> RebuildReport:
    """Refill the translation memory from the article pairs on disk.

    Only machine output goes back in: paragraphs a person edited are left out, and so
    are paragraphs whose sentence count differs between source and twin (their sentences
    cannot be paired with certainty).
    """
    found = load_articles(paths)
    by_path = {a.path.resolve(): a for a in found.articles}
    pairs = articles = skipped = 0
    for twin in found.articles:
        prov = twin.provenance
        if not twin.is_twin or prov is None:
            continue
        named = source_path(twin)
        src_article = by_path.get(named.resolve()) if named is not None else None
        if src_article is None or prov.get("source_hash") != source_hash(src_article):
            continue
        src_doc, twin_doc = segment(src_article.body), segment(twin.body)
        machine = str(prov.get("twin_blocks", "")).split()
        if len(src_doc.blocks) != len(twin_doc.blocks) or len(machine) != len(twin_doc.blocks):
            skipped += len(src_doc.blocks)
            continue
        found_pairs: list[tuple[str, str]] = []
        machine_blocks: list[int] = []
        for sb, tb, mh in zip(src_doc.blocks, twin_doc.blocks, machine, strict=True):
            if block_hash(tb.text) != mh or len(sb.segments) != len(tb.segments):
                skipped += 1
                continue
            machine_blocks.append(sb.index)
            found_pairs += [
                (src_doc.segments[i].text, twin_doc.segments[j].text)
                for i, j in zip(sb.segments, tb.segments, strict=True)
            ]
        # Whole sentences too (--inline whole), where the block has as many on both sides.
        found_pairs += unit_pairs(src_doc, twin_doc, machine_blocks)
        machine_fields = prov.get("twin_fields")
        if isinstance(machine_fields, Mapping):
            for key, doc in _field_docs(src_article, fields).items():
                value = twin.meta.get(key)
                if not isinstance(value, str) or block_hash(value) != machine_fields.get(key):
                    continue
                tdoc = segment_text(value)
                if len(tdoc.segments) == len(doc.segments):
                    found_pairs += [
                        (a.text, b.text) for a, b in zip(doc.segments, tdoc.segments, strict=True)
                    ]
        mkey = MemoryKey(
            str(prov.get("source_lang", "")),
            str(twin.meta.get("lang", "")),
            str(prov.get("engine", "")),
            str(prov.get("glossary_hash", "")),
        )
        pairs += memory.store(found_pairs, mkey)
        articles += 1
    return RebuildReport(pairs, articles, skipped)
