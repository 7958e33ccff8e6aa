"""``bilingo translate``: find -> language -> segment -> translate -> write.

Never prints: it returns a :class:`TranslateReport` and reports progress through a
callback, so the CLI, tests and benchmarks drive it the same way. Segments already in the
translation memory are reused; the others go to the engine a chunk of articles at a time
(batched across them), each chunk's twins written as it comes back, so an interrupted run
keeps what it finished. The engine (and its heavy imports) is only created when some
segment needs translating, or a twin says its source changed: then its model starts
loading before the plan, which (with the planning and translating modules it imports)
runs while it loads. A re-run over unchanged articles never loads one.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from bilingo import lazy, provenance
from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    TEMP_FILE_RE,
    Article,
    fingerprint,
    other_language,
    read_article,
    write_atomic_bytes,
)
from bilingo.detect import language_warning, likely_direction, release_profiles
from bilingo.engine import Engine, EngineFactory, SegmentError, default_engine_factory, trim_heap
from bilingo.errors import BilingoError, ModelError
from bilingo.glossary import Glossary, empty_glossary
from bilingo.interrupt import deferred, interruptible
from bilingo.judge import reseal, seal_twin
from bilingo.layout import PLAIN, Pairing
from bilingo.lock import tree_lock
from bilingo.memory import Memory
from bilingo.outcome import (
    Action,
    InlineMode,
    Outcome,
    ProgressCallback,
    RunStatus,
    StatusCallback,
    word_count,
)
from bilingo.pairs import (
    SKIP_DIRS,
    Found,
    PairIndex,
    Rename,
    find_markdown,
    find_renames,
    read_articles,
    symlink_reason,
)
from bilingo.seal import Held, settle_pairs
from bilingo.site import Settings

if TYPE_CHECKING:
    from bilingo import translation
    from bilingo.pipeline import Pipeline
    from bilingo.translation import Job, Plan, Translated
else:
    # Planning and translating (Markdown units, merge, pipeline, placement): imported once
    # the model has started loading, which they overlap (see translate_paths), or when a
    # run that loads none first plans.
    translation = lazy.module("bilingo.translation", __name__, "translation")


@dataclass(frozen=True)
class TranslateReport:
    """What ``bilingo translate`` did to each article, and what it cost."""

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
    #: Stopped by Ctrl-C or SIGTERM: the twins written so far are complete, the rest left.
    interrupted: bool = False

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action == "failed")

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130  # as a shell reports a process stopped by Ctrl-C
        return 1 if self.failed else 0

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": [o.as_dict() for o in self.outcomes],
            "engine_segments": self.engine_segments,
            "memory_segments": self.memory_segments,
            "whole_sentences": self.whole_sentences,
            "fallback_sentences": self.fallback_sentences,
            "words": self.words,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "warnings": list(self.warnings),
            "removed_temp_files": [str(p) for p in self.removed_temps],
            "interrupted": self.interrupted,
        }


def run(
    settings: Settings,
    paths: Sequence[Path],
    *,
    force: bool = False,
    discard_edits: bool = False,
    dry_run: bool = False,
    use_memory: bool = True,
    memory_path: Path | None = None,
    wait: float = 0.0,
    engine_factory: EngineFactory | None = None,
    progress: ProgressCallback | None = None,
    inline: InlineMode | None = None,
    status: StatusCallback | None = None,
    follow_renames: bool = False,
) -> TranslateReport:
    """``bilingo translate``: under the tree's lock, with the translation memory open
    (``inline``: the site's setting unless given).

    SIGTERM stops it as Ctrl-C does: the twins being written are finished, the lock is
    released and the report says what is left (``interrupted``, exit code 130)."""
    for p in paths:
        if not p.exists():
            raise BilingoError(f"no such file or folder: {p}")
    # A dry run writes nothing, not even the lock file or the memory.
    lock: AbstractContextManager[object] = (
        nullcontext() if dry_run else tree_lock(settings.state_dir, wait=wait)
    )
    with interruptible(), lock:
        memory = None if not use_memory or dry_run else Memory(memory_path or settings.memory_path)
        try:
            return translate_paths(
                list(paths),
                glossary=settings.glossary,
                engine_factory=engine_factory or default_engine_factory(settings.engine),
                memory=memory,
                fields=settings.fields,
                force=force,
                discard_edits=discard_edits,
                dry_run=dry_run,
                progress=progress,
                inline=inline or settings.inline,
                status=status,
                follow_renames=follow_renames,
                index=PairIndex(settings.pairing),
            )
        finally:
            if memory is not None:
                memory.close()


def translate_paths(
    paths: Sequence[Path],
    *,
    glossary: Glossary | None = None,
    engine_factory: EngineFactory | None = None,
    memory: Memory | None = None,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
    force: bool = False,
    discard_edits: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    inline: InlineMode = "whole",
    status: StatusCallback | None = None,
    chunk_segments: int | None = None,
    follow_renames: bool = False,
    index: PairIndex | None = None,
) -> TranslateReport:
    """Translate every source article under ``paths`` whose twin is missing or stale.

    ``inline="whole"``: each sentence goes to the engine whole, its inline markup carried
    back through the model's alignment (bilingo.units); ``"fragments"``: the sentence is cut
    at every markup boundary and line break, as bilingo did first. What :func:`run` calls
    once it holds the lock and the memory; tests and benchmarks call it directly with their
    own engine factory and memory.

    Twins are written as their chunk of articles is translated (``chunk_segments``
    segments, default 16 engine batches); Ctrl-C or SIGTERM (see :func:`run`) ends the run
    after the twins being written, ``interrupted`` set and the articles left reported.
    ``status`` hears where the run stands after every engine batch. A source whose twin
    was left under its old name (:func:`bilingo.pairs.find_renames`) is not translated:
    its outcome gives the ``git mv`` to run, or with ``follow_renames`` the twin is moved.
    ``index``: the run's pairs, from the site's pairing (None: a plain folder's,
    :data:`bilingo.layout.PLAIN`, for a caller outside a site's run).
    """
    index = index if index is not None else PairIndex(PLAIN)
    started = time.perf_counter()
    # One memo of matches for the run: planning, the pipeline and each twin's provenance
    # (its glossary entries per paragraph) all ask for the same segments' terms.
    glossary = (glossary or empty_glossary()).memoized()
    factory = engine_factory or default_engine_factory()
    files, links = find_markdown(paths)
    # Pairs whose seal holds are up to date: settled without parsing (see bilingo.seal).
    held: Held = {}  # what the seals read: each file is read once
    settled, files = (
        ([], files)
        if force
        else settle_pairs(
            files,
            index.pairing,
            glossary_hash=glossary.hash,
            fields=fields,
            held=held,
            flagged=True,  # a twin with warnings is as up to date as any
        )
    )
    found = read_articles(files, links, held)
    renames = {r.source.resolve(): r for r in find_renames(found.articles, index)}
    moved: list[Outcome] = []
    if renames and follow_renames and not dry_run:
        found, moved = _follow_renames(
            found, renames, index.pairing, glossary_hash=glossary.hash, fields=fields
        )
    # The first model starts loading before the plan (in a thread: CTranslate2 reads it
    # without the GIL), of the direction the unsettled twins say a source changed in, or
    # else as the first job is planned; the planning and translating modules are imported
    # and the articles planned meanwhile. Each other direction's engine is made as its
    # first job is planned. A missing model is named only if a job still needs it once
    # the plan is done.
    # Once that model is in and EARLY_BATCHES batches of its direction are planned, they
    # go to the engine as a chunk, and the model works while the rest are planned. It is only
    # queued: twins are written after the plan is done, and a job the plan drops after
    # all (two sources of one twin, a renamed source) has its translations kept in the
    # memory and no twin written.
    engines: dict[tuple[str, str], Engine] = {}
    unavailable: dict[tuple[str, str], str] = {}
    loading: list[tuple[str, str]] = []  # the direction whose model loads first
    warnings: list[str] = []

    def engine_for(pair: tuple[str, str]) -> Engine | None:
        if pair in unavailable:
            return None
        if pair not in engines:
            try:
                engines[pair] = factory(*pair)
            except ModelError as exc:
                unavailable[pair] = exc.message
                return None
            load_soon = getattr(engines[pair], "load_soon", None)
            if not loading and load_soon is not None:
                loading.append(pair)
                load_soon()  # the next model loads as its chunk is queued: one at a time
                translation.warm()  # what translating imports, while the model loads
        return engines[pair]

    if not dry_run and (likely := likely_direction(found.articles, index)) is not None:
        engine_for(likely)

    @cache
    def run_pipeline() -> Pipeline:
        """The run's one pipeline: a sentence is sent once whichever chunk holds it, and
        each finished engine batch is kept in the memory as it comes back. Made when first
        asked for: a run that translates nothing never imports it."""
        from bilingo.pipeline import Pipeline

        return Pipeline(glossary, memory, warnings=warnings)

    planned: list[Job] = []  # the first direction's jobs so far
    early: list[tuple[_Chunk, Callable[[], Translated]]] = []

    def on_job(job: Job) -> None:
        pair = (job.source_lang, job.target_lang)
        if dry_run:
            return
        engine = engine_for(pair)
        if engine is None or early or engine is not next(iter(engines.values())):
            return
        planned.append(job)
        size = chunk_segments or _chunk_size(engine, EARLY_BATCHES)
        if sum(len(j.texts()) for j in planned) >= size and getattr(engine, "loaded", True):
            # Only the first jobs' worth: the model may have come in after most of the
            # direction was planned, and the rest goes in chunks of the usual size.
            chunk = _Chunk(pair, _chunks(planned, size)[0])
            early.append((chunk, chunk.start(engine, inline, run_pipeline())))

    the_plan = translation.plan(
        found.articles,
        glossary=glossary,
        fields=fields,
        force=force,
        discard_edits=discard_edits,
        index=index,
        on_job=on_job,
    )
    if renames:
        the_plan = _renamed_plan(the_plan, renames, moved, follow=follow_renames)
    # Group the jobs by direction: one engine call per direction with every segment in it.
    by_pair: dict[tuple[str, str], list[Job]] = {}
    for job in the_plan.jobs:
        by_pair.setdefault((job.source_lang, job.target_lang), []).append(job)
    # Every model needed is found before translating anything, and all that are missing
    # are named (once what follows is done: twins already settled are sealed all the same).
    missing = [unavailable[pair] for pair in sorted(by_pair) if pair in unavailable]
    # The direction whose model loads first goes first.
    first = next(iter(engines), None)
    directions = sorted(by_pair, key=lambda pair: (pair != first, pair))
    # Prose that reads as another language than the one decided: said, not silently done.
    # Not for a language its twin recorded: its prose was read (and any warning given) when
    # it was detected, and is not read again while half its paragraphs stand, as the
    # language is not (langdetect's profiles would cost a one-paragraph rerun most of it).
    language_notes = [
        f"{job.article.path}: {note}"
        for job in the_plan.jobs
        if not job.recorded and (note := language_warning(job.article, job.source_lang)) is not None
    ]
    if not dry_run:
        _reseal(
            the_plan.outcomes,
            found.articles,
            index.pairing,
            glossary_hash=glossary.hash,
            fields=fields,
        )
    if the_plan.jobs and not dry_run:
        # Every language is decided: langdetect's profiles need not sit next to a model.
        release_profiles()
        trim_heap()
    outcomes: list[Outcome] = [
        Outcome(p.path, "failed", reason=p.reason, line=p.line) for p in found.problems
    ]
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

    if missing:
        raise ModelError("\n".join(missing))

    engine_segments = memory_segments = total_words = 0
    whole_sentences = fallback_sentences = 0
    warnings[:0] = language_notes  # before what the engine has said meanwhile
    engine_names: list[str] = []
    loaded = False
    interrupted = False
    finished: set[int] = set()  # id() of the jobs whose outcome is known
    all_jobs = [job for pair in directions for job in by_pair[pair]]
    sizes = {id(job): (len(t := job.texts()), sum(word_count(x) for x in t)) for job in all_jobs}
    segments_total = sum(n for n, _ in sizes.values())
    words_total = sum(w for _, w in sizes.values())
    articles_done = segments_done = words_done = 0

    def report_status(seg: int, words: int) -> None:
        if status is not None:
            status(
                RunStatus(
                    articles_done,
                    len(all_jobs),
                    seg,
                    segments_total,
                    words,
                    words_total,
                    time.perf_counter() - started,
                )
            )
        if progress is not None:
            progress("translate", seg, segments_total)

    # Articles go to the engine a chunk at a time: each chunk still fills whole batches
    # across articles, and its twins are written (its translations already in the memory)
    # before the next starts, so an interrupt loses one chunk at most. A chunk the model
    # fails on goes again article by article: only the article it cannot translate fails,
    # every other twin is written. One queue across directions: the next chunk is started
    # (its batches queued) before this one is collected, so the model runs on while this
    # chunk's twins are written, the next direction's model loading while the last chunk
    # of this one runs; a sentence they share is borrowed, not sent twice (bilingo.pipeline).
    queue: list[_Chunk] = []
    ahead: dict[int, Callable[[], Translated]] = {}  # by id() of a queued chunk
    for first_chunk, first_begun in early:
        queue.append(first_chunk)
        ahead[id(first_chunk)] = first_begun
    # What the plan kept of the jobs planned: an early chunk's others are not written.
    kept = {id(job) for job in all_jobs}
    queued_early = {id(job) for chunk, _ in early for job in chunk.jobs}
    for pair in directions:
        jobs = [job for job in by_pair[pair] if id(job) not in queued_early]
        if dry_run:
            outcomes += [_job_outcome(job, "would-write") for job in jobs]
            continue
        size = chunk_segments or _chunk_size(engines[pair])
        queue += [_Chunk(pair, chunk) for chunk in _chunks(jobs, size)]
    try:
        while queue:
            chunk = queue.pop(0)
            engine = engines[chunk.pair]
            if engine.name not in engine_names:
                engine_names.append(engine.name)
            chunk_segs = sum(sizes.get(id(j), (0, 0))[0] for j in chunk.jobs)
            chunk_words = sum(sizes.get(id(j), (0, 0))[1] for j in chunk.jobs)
            tick = _ChunkTicker(report_status, segments_done, words_done, chunk_segs, chunk_words)
            pipeline = run_pipeline()
            pipeline.progress = tick if progress is not None or status is not None else None
            try:
                begun = ahead.pop(id(chunk), None) or chunk.start(engine, inline, pipeline)
                if queue and id(queue[0]) not in ahead:
                    after = queue[0]
                    ahead[id(after)] = after.start(engines[after.pair], inline, pipeline)
                done = begun()
            except SegmentError as exc:
                if len(chunk.jobs) > 1:
                    queue[:0] = [_Chunk(chunk.pair, [j]) for j in chunk.jobs if id(j) in kept]
                    continue
                if id(chunk.jobs[0]) not in kept:
                    continue  # the plan dropped it: its outcome says why
                outcomes.append(
                    replace(
                        _job_outcome(chunk.jobs[0], "failed"),
                        reason=f"{exc.message}; shorten its longest paragraph, or translate "
                        "it by hand",
                    )
                )
                finished.add(id(chunk.jobs[0]))
                articles_done += 1
                continue
            whole_sentences += done.whole_sentences
            fallback_sentences += done.fallback_sentences
            memory_segments += done.memory_segments
            engine_segments += done.engine_segments
            loaded = loaded or done.engine_segments > 0
            # Ctrl-C or SIGTERM now waits until these twins are on disk.
            with deferred():
                for job in chunk.jobs:
                    if id(job) not in kept:
                        continue  # dropped by the plan once it had all the articles
                    outcome = _write_twin(
                        job,
                        done,
                        index,
                        engine_name=engine.name,
                        # The pipeline's: each paragraph's terms were matched already.
                        glossary=pipeline.glossary,
                        fields=fields,
                        warnings=warnings,
                    )
                    finished.add(id(job))
                    outcomes.append(outcome)
                    if outcome.action == "written":
                        total_words += outcome.words
                    articles_done += 1
            segments_done += chunk_segs
            words_done += chunk_words
            report_status(segments_done, words_done)
    except KeyboardInterrupt:
        interrupted = True
        outcomes += [
            replace(
                _job_outcome(job, "interrupted"),
                reason="interrupted before it was translated; run bilingo translate again "
                "to finish (what was written is kept)",
            )
            for job in all_jobs
            if id(job) not in finished
        ]

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
        whole_sentences=whole_sentences,
        fallback_sentences=fallback_sentences,
        removed_temps=removed,
        interrupted=interrupted,
    )


def _reseal(
    outcomes: Sequence[Outcome],
    articles: Sequence[Article],
    pairing: Pairing,
    *,
    glossary_hash: str,
    fields: Sequence[str],
) -> None:
    """Seal again the up-to-date twins whose seal a person's edit broke (judge.reseal), so
    that later runs and ``check`` settle them from their bytes instead of judging them."""
    by_path = {a.path.resolve(): a for a in articles}
    for outcome in outcomes:
        if outcome.action != "unchanged" or outcome.twin is None:
            continue
        source, twin = by_path.get(outcome.source.resolve()), by_path.get(outcome.twin.resolve())
        if source is None or twin is None:
            continue
        data = reseal(source, twin, pairing=pairing, glossary_hash=glossary_hash, fields=fields)
        if not data or fingerprint(twin.path) != twin.fingerprint:
            continue
        try:
            with deferred():
                write_atomic_bytes(twin.path, data)
        except OSError:
            continue  # a read-only twin stays unsealed: judged in full, as before


class _ChunkTicker:
    """The engine's progress within one chunk, as the run's segments and words done (the
    chunk's share of them, never going back: translate_jobs reports two stages)."""

    def __init__(
        self, report: Callable[[int, int], None], segments: int, words: int, size: int, n: int
    ) -> None:
        self.report = report
        self.base = segments
        self.words = words
        self.size = size
        self.n = n
        self.shown = segments

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total > 0:
            self.shown = max(self.shown, self.base + self.size * min(done, total) // total)
        part = self.n * (self.shown - self.base) // self.size if self.size else 0
        self.report(self.shown, self.words + part)


class _Chunk(NamedTuple):
    """Articles of one direction that go to the engine together."""

    pair: tuple[str, str]
    jobs: list[Job]

    def start(self, engine: Engine, inline: InlineMode, pipe: Pipeline) -> Callable[[], Translated]:
        source, target = self.pair
        return translation.start_jobs(
            self.jobs, engine=engine, source=source, target=target, inline=inline, pipe=pipe
        )


def _chunks(jobs: Sequence[Job], size: int) -> list[list[Job]]:
    """``jobs`` in order, cut into runs of about ``size`` segments (an article is never
    split: its twin needs all of them)."""
    out: list[list[Job]] = []
    count = 0
    for job in jobs:
        if not out or count >= size:
            out.append([])
            count = 0
        out[-1].append(job)
        count += len(job.texts())
    return out


#: Segments per chunk, in engine batches: enough that the batches stay full and length-
#: sorted (what makes the engine fast), few enough that twins appear as the run goes.
CHUNK_BATCHES = 16
#: The chunk started while the rest is planned: what the engine keeps queued (two batches
#: a worker, two workers on a CPU), so it starts as soon as its model is in, and works on
#: until the plan is done.
EARLY_BATCHES = 4


def _chunk_size(engine: Engine, batches: int = CHUNK_BATCHES) -> int:
    batch = getattr(engine, "max_batch_segments", None)
    return min(4096, batches * (batch if isinstance(batch, int) and batch > 0 else 16))


def _write_twin(
    job: Job,
    done: Translated,
    index: PairIndex,
    *,
    engine_name: str,
    glossary: Glossary,
    fields: Sequence[str],
    warnings: list[str],
) -> Outcome:
    """Build and write one job's twin; its outcome."""
    meta, body = translation.build_twin(
        job,
        done.translations,
        engine_name=engine_name,
        glossary=glossary,
        fields=fields,
        warnings=warnings,
        whole=done.whole,
        scores=done.scores,
    )
    outcome = _job_outcome(job, "written")
    if fingerprint(job.twin) != job.twin_fingerprint:
        return replace(
            outcome,
            action="skipped",
            reason=f"not overwriting {job.twin.name}: it changed while bilingo "
            "was translating; run bilingo translate again",
        )
    data = translation.twin_bytes(job, meta, body, glossary_hash=glossary.hash, fields=fields)
    if job.twin_fingerprint is not None and _same_bytes(job.twin, data):
        # --force that changed nothing: the file is left alone, and not called written.
        return replace(outcome, action="unchanged", reason=outcome.reason)
    try:
        index.make_twin_folder(job.twin)  # by folder: the twin's folders, inside its content only
        write_atomic_bytes(job.twin, data)
    except OSError as exc:
        return replace(outcome, action="failed", reason=f"cannot write {job.twin}: {exc.strerror}")
    except BilingoError as exc:
        return replace(outcome, action="failed", reason=exc.message)
    return outcome


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


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
    conflicts = tuple(c.message() for c in job.merge.conflicts)
    reason = job.notes()
    return Outcome(
        job.article.path,
        action,
        job.twin,
        job.source_lang,
        job.target_lang,
        reason=reason,
        segments=len(texts),
        words=sum(word_count(t) for t in texts),
        kept=len(job.merge.keep_blocks),
        conflicts=conflicts,
    )


def move_twin(
    rename: Rename,
    pairing: Pairing,
    *,
    glossary_hash: str,
    fields: Sequence[str] = DEFAULT_TRANSLATED_FIELDS,
) -> None:
    """Move a renamed source's twin beside it, its provenance's ``source:`` updated.

    The new twin is written to a temporary file and hard-linked into place, which fails
    rather than replace a file that appeared meanwhile; only then is the old name removed.
    A crash in between leaves both names, never neither."""
    import tempfile

    twin = read_article(rename.twin)
    source = read_article(rename.source)
    prov = provenance.read(twin)
    if prov is None:
        raise BilingoError("it has no bilingo provenance; nothing to move", path=rename.twin)
    data = rename.twin.read_bytes()
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    moved = replace(prov, source=rename.source.name, seal=None)

    def render(seal: str | None) -> str:
        new_text = provenance.rewrite(twin, text, replace(moved, seal=seal))
        return new_text.replace("\n", twin.newline) if twin.newline != "\n" else new_text

    out = seal_twin(
        render,
        source=source,
        twin=rename.new_twin,
        bom=twin.bom,
        pairing=pairing,
        glossary_hash=glossary_hash,
        fields=fields,
    )
    fd, tmp = tempfile.mkstemp(
        prefix=f".{rename.new_twin.name}.", suffix=".tmp", dir=rename.new_twin.parent
    )
    try:
        os.fchmod(fd, rename.twin.stat().st_mode & 0o777)
        with os.fdopen(fd, "wb") as fh:
            fh.write(out)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, rename.new_twin)
        except FileExistsError:
            raise BilingoError(
                f"{rename.new_twin.name} appeared meanwhile; not overwriting it", path=rename.twin
            ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    rename.twin.unlink()


def _follow_renames(
    found: Found,
    renames: dict[Path, Rename],
    pairing: Pairing,
    *,
    glossary_hash: str,
    fields: Sequence[str],
) -> tuple[Found, list[Outcome]]:
    """Move each renamed source's twin beside it; the articles as they are afterwards."""
    articles = {a.path.resolve(): a for a in found.articles}
    outcomes: list[Outcome] = []
    for rename in renames.values():
        outcome = Outcome(rename.source, "moved", rename.new_twin)
        try:
            move_twin(rename, pairing, glossary_hash=glossary_hash, fields=fields)
            articles.pop(rename.twin.resolve(), None)
            articles[rename.new_twin.resolve()] = read_article(rename.new_twin)
        except BilingoError as exc:
            outcome = replace(outcome, action="failed", reason=exc.format())
        except OSError as exc:
            outcome = replace(
                outcome, action="failed", reason=f"cannot move {rename.twin}: {exc.strerror}"
            )
        else:
            outcome = replace(
                outcome,
                reason=f"moved {rename.twin} to {rename.new_twin.name} (its source was renamed)",
            )
        outcomes.append(outcome)
    return replace(found, articles=tuple(articles.values())), outcomes


def _renamed_plan(
    the_plan: Plan, renames: dict[Path, Rename], moved: Sequence[Outcome], *, follow: bool
) -> Plan:
    """The plan with renamed sources accounted for: moved ones report the move, the others
    are not translated afresh (that would bury the old twin) but told how to move it."""
    done = {o.source.resolve(): o for o in moved}
    # After a move the plan calls the pair up to date: the move is what happened to it.
    outcomes = [o for o in the_plan.outcomes if o.source.resolve() not in done]
    outcomes += moved
    jobs: list[Job] = []
    for job in the_plan.jobs:
        key = job.article.path.resolve()
        rename = renames.get(key)
        if key in done:
            if done[key].action == "moved":
                jobs.append(job)  # moved, and stale all the same (a new glossary)
            continue
        if rename is None:
            jobs.append(job)
            continue
        reason = (
            f"would move {rename.twin} to {rename.new_twin.name} (its source was renamed)"
            if follow
            else f"its twin is {rename.twin}, left under the old name when the source was "
            f"renamed; move it: {rename.command()} (or run: bilingo translate "
            f"--follow-renames {rename.source})"
        )
        outcomes.append(
            Outcome(
                job.article.path,
                "would-write" if follow else "skipped",
                rename.new_twin,
                job.source_lang,
                job.target_lang,
                reason=reason,
            )
        )
    return translation.Plan(tuple(jobs), tuple(outcomes))
