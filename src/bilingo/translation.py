"""Translating articles, the pieces every command that translates stands on.

:func:`plan` decides per source what its twin needs (reads no model),
:func:`translate_jobs` translates the distinct texts once through the run's
:class:`bilingo.pipeline.Pipeline` (the run, the memory, then glossary + engine),
:func:`build_twin` renders the twin and its provenance, :func:`twin_bytes` gives the bytes
to write, sealed. ``bilingo translate`` and ``bilingo diff --fresh`` drive them.
Never prints: progress goes through a callback.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilingo import lazy, provenance
from bilingo.article import (
    DEFAULT_TRANSLATED_FIELDS,
    Article,
    other_language,
    read_article,
    render_article,
)
from bilingo.detect import locate_twin, recorded_language
from bilingo.document import (
    Block,
    Document,
    parse,
    relabel,
    segment_field,
    structure_problems,
)
from bilingo.engine import Engine
from bilingo.engine import EngineFactory as EngineFactory
from bilingo.engine import default_engine_factory as default_engine_factory
from bilingo.errors import ArticleError, BilingoError
from bilingo.glossary import Glossary
from bilingo.judge import seal_twin
from bilingo.layout import Pairing
from bilingo.memory import Memory, SetAside
from bilingo.merge import MergePlan, Orphan, merge_plan
from bilingo.outcome import Action as Action
from bilingo.outcome import InlineMode as InlineMode
from bilingo.outcome import Outcome as Outcome
from bilingo.outcome import ProgressCallback as ProgressCallback
from bilingo.outcome import RunStatus as RunStatus
from bilingo.outcome import StatusCallback as StatusCallback
from bilingo.outcome import word_count as word_count
from bilingo.pairs import PairIndex
from bilingo.provenance import (
    PROVENANCE_KEY,
    Provenance,
    block_hash,
    source_hash,
    twin_content_hash,
)
from bilingo.seal import SEAL_KEY

if TYPE_CHECKING:
    from bilingo import confidence, units
    from bilingo.confidence import Sentence
    from bilingo.pipeline import Pipeline
else:
    # What only translating needs (the sentence units, the pipeline, placement and the
    # inline parser under them, confidence): imported once the model is loading
    # (:func:`warm`), which they overlap, or on first use; a plan never needs them.
    confidence = lazy.module("bilingo.confidence", __name__, "confidence")
    units = lazy.module("bilingo.units", __name__, "units")

#: The modules :func:`warm` imports.
TRANSLATING_MODULES = ("bilingo.units", "bilingo.pipeline", "bilingo.confidence")


def warm() -> None:
    """Import what translating needs now, while a model loads in its thread (those
    imports are Python, the load is not): a one-paragraph re-run waits for that load
    anyway, and would wait for these imports after it."""
    for name in TRANSLATING_MODULES:
        importlib.import_module(name)


@dataclass(frozen=True)
class Job:
    """One source article whose twin must be (re)written."""

    article: Article
    source_lang: str
    target_lang: str
    twin: Path
    body: Document
    fields: Mapping[str, Document]
    #: The site's pairing (what the twin names as its source, its links, its dialects).
    pairing: Pairing
    merge: MergePlan = field(default_factory=MergePlan)
    #: The twin as planned on (:func:`bilingo.article.fingerprint`; None: no twin yet). If
    #: it differs at write time, someone changed the twin meanwhile and it is not overwritten.
    twin_fingerprint: tuple[int, int, int] | None = None
    #: Planned under --force: the outcome names the person's paragraphs it kept.
    forced: bool = False
    #: The article whose front-matter layout the twin is written in (None: the source's).
    like: Article | None = None
    #: Its twin recorded its language and that still holds (:func:`bilingo.detect.
    #: recorded_language`: half its paragraphs stand): its prose was read for the language
    #: warning when it was first translated, and is not read again.
    recorded: bool = False

    def notes(self) -> str:
        """What the outcome says about people's text: conflicts, what was kept under
        --force, what --discard-edits replaces, what was dropped with its source."""
        merge = self.merge
        out = [c.message() for c in merge.conflicts]
        person = merge.person_blocks()
        if self.forced and person and not merge.discarded:
            lines = ", ".join(
                str(self.article.body_line + self.body.blocks[j].line - 1) for j in person
            )
            out.append(
                f"kept {len(person)} reviewed or edited paragraph(s) (source lines {lines}); "
                f"to replace them: bilingo translate --force --discard-edits {self.article.path}"
            )
        if merge.discarded:
            where = ", ".join(
                f"line {d.line}" if d.line is not None else f"'{d.field}'" for d in merge.discarded
            )
            out.append(
                f"replaces {len(merge.discarded)} reviewed or edited paragraph(s) or field(s) "
                f"({where}) with machine text; the person's text is set aside: bilingo "
                f"memory people {self.twin}"
            )
        orphans = sum(len(v) for v in merge.orphans.values())
        if orphans:
            out.append(
                f"kept {orphans} orphaned paragraph(s): a person's text whose source "
                f"paragraph is gone; delete it from {self.twin.name} if it is no longer "
                f"wanted, then run: bilingo approve {self.twin}"
            )
        if merge.dropped_texts:
            out.append(
                f"removes {len(merge.dropped_texts)} orphaned paragraph(s) a person wrote "
                "(--discard-edits); their text is set aside: bilingo memory people "
                f"{self.twin}"
            )
        return "; ".join(out)

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


def field_docs(
    article: Article, fields: Sequence[str], dialects: Sequence[str] | None
) -> dict[str, Document]:
    """The translated front-matter fields of ``article`` that hold text, segmented (inline
    Markdown read with the site's ``dialects``)."""
    return {
        key: segment_field(value, dialects=dialects)
        for key in fields
        if isinstance(value := article.meta.get(key), str) and value.strip()
    }


def plan(
    articles: Sequence[Article],
    *,
    glossary: Glossary,
    fields: Sequence[str],
    force: bool = False,
    discard_edits: bool = False,
    index: PairIndex,
    on_job: Callable[[Job], None] | None = None,
) -> Plan:
    """Decide, per source article, what its twin needs. Reads no model. ``index``: the
    run's pairs. ``on_job`` hears each job as it is planned (before the check of two
    sources claiming one twin, which needs them all): translate starts loading the model
    of the first one's direction while the rest are planned."""
    by_path = {index.resolve(a.path): a for a in articles}
    jobs: list[Job] = []
    outcomes: list[Outcome] = []
    for article in articles:
        if provenance.is_twin(article):
            continue
        decided = _plan_one(
            article,
            by_path,
            index,
            glossary=glossary,
            fields=fields,
            force=force,
            discard_edits=discard_edits,
        )
        if isinstance(decided, Job):
            jobs.append(decided)
            if on_job is not None:
                on_job(decided)
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
    index: PairIndex,
    *,
    glossary: Glossary,
    fields: Sequence[str],
    force: bool,
    discard_edits: bool = False,
) -> Job | Outcome:
    """One source article: the job for its twin, or why there is none."""
    try:
        detection, twin = locate_twin(article, index, by_path)
    except ArticleError as exc:
        return Outcome(article.path, "failed", reason=exc.message, line=exc.line)
    src, tgt = detection.lang, other_language(detection.lang)
    pairing = index.pairing
    if pairing.by_folder and pairing.folder_language(article.path) != src:
        where = pairing.folder_language(article.path)
        return Outcome(
            article.path,
            "skipped",
            reason=(
                f"it is {src}, but it lies in the {where} folder; move it to "
                f"{pairing.folder(src)} or fix its lang:"
                if where
                else "it is outside the site's language folders "
                f"({', '.join(str(f) for _, f in pairing.folders)}); bilingo pairs only "
                "the pages inside them"
            ),
        )
    if pairing.jekyll is not None and not pairing.jekyll.localized(article.path):
        return Outcome(
            article.path,
            "skipped",
            reason="_config.yml lists it in exclude_from_localization: Polyglot shows it as it "
            "is in every language",
        )

    def outcome(action: Action, reason: str = "") -> Outcome:
        return Outcome(article.path, action, twin, src, tgt, reason=reason)

    if twin.is_symlink():
        return outcome(
            "failed",
            f"its twin {twin.name} is a symbolic link; bilingo neither writes through links "
            "nor replaces them: make it a plain file, or delete it",
        )
    if index.resolve(twin) == index.resolve(article.path):
        return outcome(
            "failed",
            f"the file name says {tgt} but the article is {src}; "
            f"rename it to {article.slug}.{src}.md or fix its lang:",
        )
    existing = by_path.get(index.resolve(twin))
    if existing is None and twin.exists():
        try:
            existing = read_article(twin)
        except ArticleError as exc:
            return outcome(
                "failed", f"its twin cannot be read ({exc.format()}); fix or delete the twin"
            )
    dialects = pairing.dialects
    try:
        body = parse(article.body, dialects=dialects)
    except BilingoError as exc:
        return outcome("failed", exc.message)
    docs = field_docs(article, fields, dialects)
    merge = MergePlan()
    if existing is not None:
        state, detail = provenance.twin_state(
            article, existing, pairing=pairing, glossary_hash=glossary.hash, fields=fields
        )
        prov = provenance.read(existing)
        if state == "foreign" and prov is None:
            return outcome("unchanged")  # both files written by people: never touched
        if state == "current" and not force:
            return outcome("unchanged")
        if state == "foreign" and not force:
            return outcome(
                "skipped",
                f"not overwriting {twin.name}: {detail}; run with --force to translate it again",
            )
        if state != "foreign" and prov is not None:
            # Reviewed and edited paragraphs are kept (unless --discard-edits); --force
            # translates the machine ones again, else only those whose source changed (and
            # all machine ones after a glossary change: memory makes that cheap).
            mp = merge_plan(
                body,
                parse(existing.body, dialects=dialects),
                prov,
                source_fields={k: block_hash(d.body) for k, d in docs.items()},
                twin_fields=existing.meta,
                retranslate_unedited=force or prov.glossary_hash != glossary.hash,
                body_line=article.body_line,
                discard_edits=discard_edits,
                glossary_moved=_glossary_moved(prov, body, glossary, src, tgt, dialects),
                source_meta=article.meta,
                translated=fields,
            )
            person = not prov.machine or prov.any_reviewed or state == "edited"
            if mp is None and person and not discard_edits:
                return outcome(
                    "skipped",
                    f"not overwriting {twin.name}: its paragraphs were rearranged by hand "
                    "since bilingo wrote it, so its reviewed or edited paragraphs can't be "
                    "mapped; merge by hand, or replace them: bilingo translate --force "
                    f"--discard-edits {article.path}",
                )
            merge = mp or MergePlan()
            if prov.glossary_hash != glossary.hash:
                merge = replace(merge, glossary_changed=True)
    return Job(
        article,
        src,
        tgt,
        twin,
        body,
        docs,
        pairing,
        merge,
        twin_fingerprint=existing.fingerprint if existing is not None else None,
        forced=force,
        # A person's own fields keep their lines (comments included): the twin's layout.
        like=existing if merge.own_fields and existing is not None else None,
        # Its language also stands by its path, unread: what its twin recorded holds too.
        recorded=detection.method == "recorded"
        or (
            existing is not None
            and detection.method in ("filename", "folder")
            and recorded_language(article, [existing], pairing) == src
        ),
    )


def _glossary_moved(
    prov: Provenance,
    body: Document,
    glossary: Glossary,
    src: str,
    tgt: str,
    dialects: Sequence[str] | None,
) -> Callable[[int, int, str], bool]:
    """Whether a kept paragraph must be looked at again after a glossary change: the
    entries applying to its source paragraph are not those it was written or approved
    with, and its text does not follow them (an unrelated change moves nothing; Markdown
    of the site's ``dialects``)."""
    recorded = prov.glossary_blocks
    none = glossary.applying_hash("", lang=src)

    def moved(j: int, i: int, text: str) -> bool:
        if prov.glossary_hash == glossary.hash:
            return False
        source = body.blocks[j].text
        if recorded is not None and recorded.get(i, none) == glossary.applying_hash(
            source, lang=src
        ):
            return False
        return bool(glossary.check(source, text, source=src, target=tgt, dialects=dialects))

    return moved


@dataclass(frozen=True)
class Translated:
    """What :func:`translate_jobs` returns: what :func:`build_twin` needs, and counts."""

    translations: dict[str, str]  # segment text -> translation
    whole: dict[str, str] | None  # unit Markdown -> translation (--inline whole)
    memory_segments: int
    engine_segments: int
    whole_sentences: int = 0
    fallback_sentences: int = 0
    #: Unit key or segment text -> the engine's confidence in its translation
    #: (bilingo.confidence).
    scores: Mapping[str, float] = field(default_factory=dict)


def set_aside(memory: Memory, job: Job) -> None:
    """Keep the person's texts ``job`` takes out of its twin (--discard-edits): listed by
    ``bilingo memory people``; those with a source paragraph also in the person table."""
    twin = memory.site_path(job.twin)
    langs = {"source_lang": job.source_lang, "target_lang": job.target_lang}
    for older in (False, True):
        kept = [(d.source, d.text) for d in job.merge.discarded if d.source and d.older == older]
        if kept:
            origin = twin + (" (for an older source paragraph)" if older else "")
            memory.store_person(kept, origin=origin, **langs)
    items = [
        SetAside(
            twin,
            f"paragraph at source line {d.line}"
            if d.line is not None
            else f"front matter '{d.field}'",
            d.source,
            d.text,
            "--discard-edits" + (" (it was made for an older source paragraph)" if d.older else ""),
            **langs,
        )
        for d in job.merge.discarded
    ]
    items += [
        SetAside(
            twin,
            "orphaned paragraph",
            "",
            text,
            "--discard-edits: its source paragraph was removed",
            **langs,
        )
        for text in job.merge.dropped_texts
    ]
    if items:
        memory.set_aside(items)


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
    pipeline: Pipeline | None = None,
) -> Translated:
    """Translate the jobs of one direction: whole sentences (bilingo.units) with their
    fallbacks and the front-matter fields, or every segment (``inline="fragments"``),
    through the run's ``pipeline`` (one made of ``glossary``, ``memory``, ``progress`` and
    ``warnings`` if None).

    A person's text that a job replaces (--discard-edits) goes into the memory first."""
    if pipeline is None:
        from bilingo.pipeline import Pipeline

        pipeline = Pipeline(glossary, memory, progress=progress, warnings=warnings)
    return start_jobs(
        jobs, engine=engine, source=source, target=target, inline=inline, pipe=pipeline
    )()


def start_jobs(
    jobs: Sequence[Job],
    *,
    engine: Engine,
    source: str,
    target: str,
    inline: InlineMode,
    pipe: Pipeline,
) -> Callable[[], Translated]:
    """:func:`translate_jobs`, started: fragments have their engine batches queued now, so
    the model runs while the caller writes the twins of the jobs before; calling the result
    collects them. Whole sentences start when it is called: their placement scores the
    model's output (``masked_drops``), which would wait behind batches queued ahead."""
    memory = pipe.memory
    for job in jobs if memory is not None else ():
        if memory is not None:
            set_aside(memory, job)
    if memory is not None:  # what a reviewed paragraph was made from (the review pages' diff)
        memory.store_paragraphs(
            {
                h: b.text
                for job in jobs
                for b, h in zip(job.body.blocks, job.body.block_hashes, strict=True)
            }
        )
    if inline == "fragments":
        texts = [t for job in jobs for t in job.texts()]
        started = pipe.start_fragments(texts, engine=engine, source=source, target=target)

        def fragments() -> Translated:
            translations, from_memory, sent = started.finish()
            scores = pipe.scores(
                dict.fromkeys(texts), source=source, target=target, model=engine.name
            )
            return Translated(translations, None, from_memory, sent, scores=scores)

        return fragments
    return partial(
        _translate_whole_jobs, jobs, engine=engine, source=source, target=target, pipe=pipe
    )


def _translate_whole_jobs(
    jobs: Sequence[Job], *, engine: Engine, source: str, target: str, pipe: Pipeline
) -> Translated:
    docs: list[tuple[Document, frozenset[int]]] = []
    for job in jobs:
        docs.append((job.body, frozenset(job.merge.keep_blocks)))
        docs += [
            (doc, frozenset[int]())
            for key, doc in job.fields.items()
            if key not in job.merge.keep_fields
        ]
    whole, texts, stats = units.translate_whole(
        docs, engine=engine, glossary=pipe.glossary, source=source, target=target, pipeline=pipe
    )
    if stats.fallback and stats.reasons:
        why = "; ".join(f"{n}x {reason}" for reason, n in sorted(stats.reasons.items()))
        pipe.warnings.append(
            f"{stats.fallback} sentence(s) {source}->{target} could not carry their inline "
            f"markup across ({why}) and were translated in pieces; review them "
            "(bilingo diff), or use --inline fragments"
        )
    # A field that is also a sentence of some body (a title repeated as a heading) is
    # translated once.
    texts += [t for job in jobs for t in job.field_texts() if t not in whole]
    translations, from_memory, sent = pipe.fragments(
        texts, engine=engine, source=source, target=target
    )
    for job in jobs:
        translations.update((t, whole[t]) for t in job.field_texts() if t in whole)
    # The pieces' scores too: the fields, and sentences that fell back to pieces.
    pieces = pipe.scores(
        dict.fromkeys(t for job in jobs for t in job.texts()),
        source=source,
        target=target,
        model=engine.name,
    )
    return Translated(
        translations,
        whole,
        from_memory + stats.memory,
        sent + stats.engine,
        stats.whole,
        stats.fallback,
        {**pieces, **stats.scores},
    )


def _changed_block(source: Document, twin: Document, overrides: Mapping[int, str]) -> Block | None:
    """The first source block whose twin block has another kind or other containers (a
    translation starting with "- " makes a list item), or None when all line up."""
    for block in source.blocks:
        if block.index >= len(twin.blocks):
            return block
        other = twin.blocks[block.index]
        if block.index in overrides:
            continue
        if (other.kind, other.containers) != (block.kind, block.containers):
            return block
    if len(twin.blocks) != len(source.blocks) and source.blocks:
        return source.blocks[-1]
    return None


def _structure_warning(job: Job, block: Block, warnings: list[str] | None) -> None:
    if warnings is not None:
        line = job.article.body_line + block.line - 1
        warnings.append(
            f"{job.article.path}:{line}: the translation of this "
            f"{block.kind.replace('_', ' ')} would change its Markdown structure; it was "
            f"left untranslated in {job.twin.name}: translate it there by hand"
        )


def build_twin(
    job: Job,
    translations: Mapping[str, str],
    *,
    engine_name: str,
    glossary: Glossary,
    fields: Sequence[str],
    warnings: list[str] | None = None,
    whole: Mapping[str, str] | None = None,
    scores: Mapping[str, float] | None = None,
) -> tuple[dict[str, Any], str]:
    """The twin's front matter and body, given translations for every segment text (and,
    with ``--inline whole``, for whole sentences: bilingo.units)."""
    merge = job.merge
    dialects = job.pairing.dialects
    texts = [translations.get(s.text, s.text) for s in job.body.segments]
    if whole is not None:
        # Whole sentences: each projected through the alignment and checked on its own
        # (bilingo.units); a block whose kind or containers changed stays in the source
        # language, as with fragments below.
        overrides = dict(merge.keep_blocks)
        body = units.render(job.body, whole, translations, overrides=overrides)
        for _ in job.body.blocks:
            bad = _changed_block(job.body, parse(body, dialects=dialects), overrides)
            if bad is None:
                break
            overrides[bad.index] = job.body.body[bad.start : bad.end]
            body = units.render(job.body, whole, translations, overrides=overrides)
            _structure_warning(job, bad, warnings)
    else:
        body = job.body.render(texts, overrides=merge.keep_blocks)
    # A translation that changes the Markdown structure is not written: its block stays in
    # the source language, with a warning, as a lost placeholder falls back to a plain run.
    for _ in job.body.blocks if whole is None else ():
        bad_blocks = structure_problems(
            job.body, texts, parse(body, dialects=dialects), overrides=merge.keep_blocks
        )
        if not bad_blocks:
            break
        block = job.body.blocks[bad_blocks[0]]
        if all(texts[i] == job.body.segments[i].text for i in block.segments):
            break  # already in the source language: nothing left to undo
        for i in block.segments:
            texts[i] = job.body.segments[i].text
        body = job.body.render(texts, overrides=merge.keep_blocks)
        _structure_warning(job, block, warnings)
    # [text] and [text][] whose text was translated: [translated][text], the label kept.
    body = relabel(job.body, body, dialects=dialects)
    if (jekyll := job.pairing.jekyll) is not None:
        body = jekyll.localize_links(body, lambda page: _twin_in(job, page))
    meta: dict[str, Any] = {}
    field_hashes: dict[str, str] = {}
    copied: dict[str, str] = {}
    for key, value in job.article.meta.items():
        if key == PROVENANCE_KEY:
            continue
        doc = job.fields.get(key)
        if key in merge.own_fields:
            meta[key] = merge.own_fields[key]
            copied[key] = merge.own_tokens[key]
        elif doc is None:
            meta[key] = value
            if provenance.tracked(key) and key not in fields:
                copied[key] = provenance.value_hash(value)
        elif key in merge.keep_fields:
            meta[key] = merge.keep_fields[key]
            field_hashes[key] = merge.field_machine_hashes[key]
        else:
            meta[key] = doc.render([translations[s.text] for s in doc.segments])
            field_hashes[key] = block_hash(meta[key])
    for key, value in merge.own_fields.items():
        if key not in meta:  # a field a person added to the twin
            meta[key] = value
            copied[key] = merge.own_tokens[key]
    meta["lang"] = job.target_lang
    if jekyll is not None:  # Polyglot links twins by URL
        code = job.pairing.code(job.target_lang)
        meta.update(jekyll.twin_keys(job.article.path, job.article.meta, code))
    # Hugo pairs x.nb.md with x.en.md (and folder twins) by path: a key bilingo made up
    # would link pages that share a name (index, _index) across sections. The source's own
    # key is copied above; one Hugo could not read is left out rather than guessed.
    if not isinstance(meta.get("translationKey", ""), str | int):
        del meta["translationKey"]
    # A person's paragraphs whose source paragraph is gone stay where they stood.
    body, order = place_orphans(body, merge.orphans, len(job.body.blocks), dialects=dialects)
    # What the machine wrote for each paragraph; kept human paragraphs carry the machine
    # hash they replaced, so they stay "edited" on every later run, and what bilingo itself
    # last wrote there, so they stay a person's whatever their state.
    hashes = parse(body, dialects=dialects).block_hashes
    source_blocks: list[str] = []
    machine_list: list[str] = []
    written_list: list[str] = []
    state_list: list[str] = []
    glossary_blocks: dict[int, str] = {}
    no_terms = glossary.applying_hash("", lang=job.source_lang)
    for k, (item, h) in enumerate(zip(order, hashes, strict=True)):
        if isinstance(item, Orphan):
            source_blocks.append(provenance.ORPHAN)
            machine_list.append(item.machine)
            written_list.append(item.written)
            state_list.append(item.state)
            continue
        source_blocks.append(job.body.block_hashes[item])
        machine_list.append(merge.machine_hashes.get(item, h))
        written_list.append(merge.written_hashes.get(item, h))
        state_list.append(merge.states.get(item, merge.redone_state))
        terms = glossary.applying_hash(job.body.blocks[item].text, lang=job.source_lang)
        if terms != no_terms:
            glossary_blocks[k] = terms
    machine, written = tuple(machine_list), tuple(written_list)
    states = tuple(state_list)
    # A kept paragraph or field whose text is not what the machine wrote is a person's: the
    # twin then is no plain machine translation (check and review say "edited by hand").
    person = machine != tuple(hashes) or any(
        block_hash(str(meta[k])) != h for k, h in field_hashes.items()
    )
    field_written = {k: merge.field_written_hashes.get(k, h) for k, h in field_hashes.items()}
    field_states = {k: merge.field_states.get(k, merge.redone_state) for k in field_hashes}
    reviewed = (
        all(st == "r" for st in (*states, *field_states.values()))
        and not merge.conflicts
        and not merge.orphans
    )
    still_reviewed = "r" in states or "r" in field_states.values()
    default = "r" if reviewed else "m"
    prov = Provenance(
        source=job.pairing.source_ref(job.article.path),
        source_lang=job.source_lang,
        source_hash=source_hash(job.article),
        engine=engine_name,
        glossary_hash=glossary.hash,
        fields=None if tuple(fields) == DEFAULT_TRANSLATED_FIELDS else tuple(fields),
        machine=not person,
        reviewed=reviewed,
        reviewed_by=merge.reviewed_by if still_reviewed else None,
        reviewed_at=merge.reviewed_at if still_reviewed else None,
        twin_hash=twin_content_hash(meta, body, fields),
        source_blocks=tuple(source_blocks),
        twin_blocks=machine,
        source_fields={k: block_hash(d.body) for k, d in job.fields.items()},
        twin_fields=field_hashes,
        written_blocks=written if written != machine else None,
        written_fields=field_written if field_written != field_hashes else None,
        glossary_blocks=glossary_blocks or None,
        copied_fields=copied,
        # Written only where they say more than ``reviewed:`` does (all one state): compact.
        states=None if set(states) <= {default} else states,
        field_states=None if set(field_states.values()) <= {default} else field_states,
        conflicts=merge.conflicts,
        # Sentences translated in pieces (--inline whole fell back): diff and review flag them.
        in_pieces=tuple(
            job.article.body_line + line - 1
            for line in (units.pieces_lines(job.body, whole, merge.keep_blocks) if whole else ())
        ),
        confidence=_confidence(job, body, scores or {}, whole=whole),
        field_confidence=_field_confidence(job, meta, scores or {}),
    )
    meta[PROVENANCE_KEY] = prov.as_dict()
    return meta, body


def _twin_in(job: Job, page: Path) -> Path | None:
    """The twin ``job``'s language gives ``page`` (None: ``page`` is not in the source's)."""
    pairing = job.pairing
    if pairing.path_language(page) != job.source_lang:
        return None
    return pairing.twin_path(page, job.target_lang)


def _confidence(
    job: Job, body: str, scores: Mapping[str, float], *, whole: Mapping[str, str] | None
) -> tuple[str, ...] | None:
    """The twin's ``confidence:`` tokens: its machine paragraphs' lowest sentence scores
    and cheap quality signals (bilingo.confidence)."""
    return confidence.paragraph_tokens(
        job.body,
        parse(body, dialects=job.pairing.dialects),
        scores,
        units=_sentences(job.body, whole),
        kept=job.merge.keep_blocks,
    )


def _field_confidence(
    job: Job, meta: Mapping[str, Any], scores: Mapping[str, float]
) -> dict[str, str] | None:
    """The ``field_confidence:`` tokens of the fields the machine wrote this time (from
    their segments' translations, whole sentences or not: see :func:`build_twin`)."""
    out: dict[str, str] = {}
    for key, doc in job.fields.items():
        value = meta.get(key)
        if (
            key in job.merge.keep_fields
            or key in job.merge.own_fields
            or not isinstance(value, str)
        ):
            continue
        sentences = [s for found in _sentences(doc, None).values() for s in found]
        out[key] = confidence.token(doc.body, value, sentences, scores)
    return out if any(t != "-" for t in out.values()) else None


def _sentences(doc: Document, whole: Mapping[str, str] | None) -> dict[int, list[Sentence]]:
    """Per block of ``doc``, its sentences (bilingo.units) with the keys the engine scored
    for each: the sentence's own where it was translated whole (in ``whole``), else its
    segments' texts; a block with no readable sentence (translated in pieces) is one of all
    its segments."""
    out: dict[int, list[Sentence]] = {}
    for unit in units.units(doc):
        keys = (unit.key,) if whole is not None and unit.key in whole else unit.texts
        out.setdefault(unit.block, []).append((unit.key, keys))
    for block in doc.blocks:
        if block.index not in out and block.segments:
            out[block.index] = [("", tuple(doc.segments[i].text for i in block.segments))]
    return out


def place_orphans(
    body: str,
    orphans: Mapping[int, Sequence[Orphan]],
    count: int,
    *,
    dialects: Sequence[str] | None,
) -> tuple[str, list[int | Orphan]]:
    """``body`` with each orphaned paragraph put back after the paragraph it followed (at
    the next blank line: between top-level blocks), and what each twin paragraph then is: a
    source block index or an orphan. Where that does not parse back paragraph for
    paragraph, the orphans go to the end of the body (parsed with the site's ``dialects``)."""
    if not orphans:
        return body, list(range(count))
    order: list[int | Orphan] = [*orphans.get(-1, ())]
    for j in range(count):
        order += [j, *orphans.get(j, ())]
    texts = [o.text for o in order if isinstance(o, Orphan)]

    def fits(candidate: str, items: Sequence[int | Orphan]) -> bool:
        blocks = parse(candidate, dialects=dialects).blocks
        return len(blocks) == len(items) and all(
            b.text == o.text for b, o in zip(blocks, items, strict=True) if isinstance(o, Orphan)
        )

    doc = parse(body, dialects=dialects)
    pos = 0
    if len(doc.blocks) != count:
        orphans = {}
    pieces: list[str] = ["".join(f"{t}\n\n" for t in (o.text for o in orphans.get(-1, ())))]
    for j in range(count):
        extra = orphans.get(j, ())
        if not extra:
            continue
        cut = body.find("\n\n", doc.blocks[j].end)
        cut = len(body.rstrip("\n")) if cut < 0 else cut
        pieces.append(body[pos:cut] + "".join(f"\n\n{o.text}" for o in extra))
        pos = cut
    out = pieces[0] + "".join(pieces[1:]) + body[pos:]
    if not out.endswith("\n"):
        out += "\n"
    if fits(out, order):
        return out, order
    end: list[int | Orphan] = [*range(count), *(o for o in order if isinstance(o, Orphan))]
    return body.rstrip("\n") + "".join(f"\n\n{t}" for t in texts) + "\n", end


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

    def values(seal: str | None) -> dict[str, Any]:
        return {**meta, PROVENANCE_KEY: prov if seal is None else {**prov, SEAL_KEY: seal}}

    def render(seal: str | None, verify: bool = True) -> str:
        return render_article(
            values(seal),
            body,
            newline=job.article.newline,
            like=job.like or job.article,
            verify=verify,
        )

    return seal_twin(
        render,
        draft=lambda seal: (render(seal, verify=False), values(seal)),
        source=job.article,
        twin=job.twin,
        bom=job.article.bom,
        pairing=job.pairing,
        glossary_hash=glossary_hash,
        fields=fields,
    )
