"""``bilingo translate``: find -> language -> segment -> translate -> write.

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
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    TEMP_FILE_RE,
    fingerprint,
    other_language,
    write_atomic_bytes,
)
from bilingo.detect import release_profiles
from bilingo.engine import Engine, trim_heap
from bilingo.errors import BilingoError, ModelError
from bilingo.glossary import Glossary, empty_glossary
from bilingo.lock import tree_lock
from bilingo.memory import Memory
from bilingo.pairs import SKIP_DIRS, find_markdown, read_articles, symlink_reason
from bilingo.seal import settle_pairs
from bilingo.site import Settings
from bilingo.translation import (
    Action,
    EngineFactory,
    Job,
    Outcome,
    ProgressCallback,
    build_twin,
    default_engine_factory,
    plan,
    translate_jobs,
    twin_bytes,
    word_count,
)
from bilingo.units import InlineMode


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

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.action == "failed")

    @property
    def exit_code(self) -> int:
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
    inline: InlineMode = "whole",
) -> TranslateReport:
    """``bilingo translate``: under the tree's lock, with the translation memory open."""
    for p in paths:
        if not p.exists():
            raise BilingoError(f"no such file or folder: {p}")
    # A dry run writes nothing, not even the lock file or the memory.
    lock: AbstractContextManager[object] = (
        nullcontext() if dry_run else tree_lock(list(paths), wait=wait)
    )
    with lock:
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
                inline=inline,
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
) -> TranslateReport:
    """Translate every source article under ``paths`` whose twin is missing or stale.

    ``inline="whole"``: each sentence goes to the engine whole, its inline markup carried
    back through the model's alignment (bilingo.units); ``"fragments"``: the sentence is cut
    at every markup boundary and line break, as bilingo did first. What :func:`run` calls
    once it holds the lock and the memory; tests and benchmarks call it directly with their
    own engine factory and memory."""
    started = time.perf_counter()
    glossary = glossary or empty_glossary()
    factory = engine_factory or default_engine_factory()
    files, links = find_markdown(paths)
    # Pairs whose seal holds are up to date: settled without parsing (see bilingo.seal).
    settled, files = (
        ([], files) if force else settle_pairs(files, glossary_hash=glossary.hash, fields=fields)
    )
    found = read_articles(files, links)
    the_plan = plan(
        found.articles, glossary=glossary, fields=fields, force=force, discard_edits=discard_edits
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
        translations = done.translations
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
                warnings=warnings,
                whole=done.whole,
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
        whole_sentences=whole_sentences,
        fallback_sentences=fallback_sentences,
        removed_temps=removed,
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
