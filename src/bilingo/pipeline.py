"""The translation pipeline of one run: memory, glossary, engine batches and progress.

One :class:`Pipeline` per ``translate`` run (or ``diff --fresh``) owns the one chain every
translated text goes through: what this run already translated, then the translation
memory, then the engine, batch by batch. Each finished batch is kept (in the run and in the
memory) as it comes back, so a sentence is sent once per run whichever article or chunk
holds it, and Ctrl-C loses only the batches still in flight. Whole sentences
(:func:`bilingo.units.translate_whole`) and fragments (:meth:`Pipeline.fragments`) are two
strategies over :meth:`Pipeline.submit`: each says how a text is prepared for the engine and
how a result is finished. The glossary is :meth:`~bilingo.glossary.Glossary.memoized`: a
segment's matches serve its memory key and its protection alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from bilingo.engine import Aligned, Engine
from bilingo.errors import ModelError
from bilingo.glossary import Glossary, PlaceholderLost
from bilingo.memory import Memory, MemoryKey
from bilingo.outcome import ProgressCallback as ProgressCallback

C = TypeVar("C")


@dataclass(frozen=True)
class Item(Generic[C]):
    """One text for the engine: its key (memory and run), what the engine sees, and what
    the strategy needs to finish the result."""

    key: str
    text: str
    context: C


@dataclass(frozen=True)
class Failed(Generic[C]):
    """A result the strategy could not finish; its raw engine output."""

    item: Item[C]
    result: Any


def memory_key(glossary: Glossary, source: str, target: str, model: str) -> MemoryKey:
    """The memory key of one direction: per segment, the glossary entries applying to it."""
    return MemoryKey(
        source, target, model, glossary.hash, per_text=partial(glossary.applying_hash, lang=source)
    )


class Pipeline:
    """Memory, glossary and progress of one run; every text translated once per run."""

    def __init__(
        self,
        glossary: Glossary,
        memory: Memory | None = None,
        *,
        progress: ProgressCallback | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        self.glossary = glossary.memoized()
        self.memory = memory
        self.progress = progress
        self.warnings: list[str] = warnings if warnings is not None else []
        # What this run translated, per (direction, model, kind): never sent twice.
        self._done: dict[tuple[str, str, str, str], dict[str, str]] = {}
        #: Per (direction, model): the engine's confidence in what it translated whole.
        self._scores: dict[tuple[str, str, str], dict[str, float]] = {}
        #: Per (direction, model): whole-sentence keys that fell back to pieces.
        self.in_pieces: dict[tuple[str, str, str], set[str]] = {}
        #: Per (direction, model, kind): keys submitted and not yet collected, by sending.
        self._flight: dict[tuple[str, str, str, str], dict[str, Sending[Any]]] = {}

    def key(self, source: str, target: str, model: str) -> MemoryKey:
        return memory_key(self.glossary, source, target, model)

    def known(
        self, keys: Iterable[str], *, source: str, target: str, model: str, kind: str
    ) -> tuple[dict[str, str], int]:
        """Translations of ``keys`` this run made or the memory holds; how many came from
        the memory."""
        done = self._done.setdefault((source, target, model, kind), {})
        found = {k: done[k] for k in keys if k in done}
        rest = [k for k in keys if k not in found]
        stored: dict[str, str] = {}
        if rest and self.memory is not None:
            stored = self.memory.lookup(rest, self.key(source, target, model))
            done.update(stored)
        found.update(stored)
        return found, len(stored)

    def scores(
        self, keys: Iterable[str], *, source: str, target: str, model: str
    ) -> dict[str, float]:
        """The engine's confidence in the translations of ``keys`` it made whole, this run
        or (kept in the memory beside them) an earlier one."""
        done = self._scores.setdefault((source, target, model), {})
        found = {k: done[k] for k in keys if k in done}
        rest = [k for k in keys if k not in found]
        if rest and self.memory is not None:
            stored = self.memory.lookup_scores(rest, self.key(source, target, model))
            done.update(stored)
            found.update(stored)
        return found

    def keep(
        self, found: dict[str, str], *, source: str, target: str, model: str, kind: str
    ) -> None:
        """Keep translations finished outside :meth:`submit` (in the run and the memory)."""
        if not found:
            return
        self._done.setdefault((source, target, model, kind), {}).update(found)
        if self.memory is not None:
            self.memory.store(found, self.key(source, target, model))

    def submit(
        self,
        items: Sequence[Item[C]],
        *,
        engine: Engine,
        source: str,
        target: str,
        kind: str,
        finish: Callable[[Item[C], Any], str | None],
        aligned: bool = False,
    ) -> Sending[C]:
        """The one chain to the engine: ``items``, their batches queued now where the
        engine can (plain translations on an ArgosEngine), collected by
        :meth:`Sending.collect` batch by batch, each result finished by the strategy
        (None: it failed, handed back), each finished batch kept in the run and the memory
        before the next is waited for. What the run does before collecting overlaps the
        model; until then the keys are in flight: a later :meth:`start_fragments` borrows
        them instead of sending them again."""
        sending = Sending(self, items, engine, (source, target, engine.name, kind), finish, aligned)
        flight = self._flight.setdefault(sending.where, {})
        for item in items:
            flight[item.key] = sending
        return sending

    def landed(self, sending: Sending[Any]) -> None:
        """``sending`` is collected (or failed): its keys are no longer in flight."""
        flight = self._flight.get(sending.where, {})
        for item in sending.items:
            if flight.get(item.key) is sending:
                del flight[item.key]

    def fragments(
        self, texts: Sequence[str], *, engine: Engine, source: str, target: str
    ) -> tuple[dict[str, str], int, int]:
        """Each distinct plain text translated once, glossary terms protected: (text ->
        translation, from the memory, sent to the engine)."""
        return self.start_fragments(texts, engine=engine, source=source, target=target).finish()

    def start_fragments(
        self, texts: Sequence[str], *, engine: Engine, source: str, target: str
    ) -> Fragments:
        """:meth:`fragments`, its batches queued now (see :meth:`submit`); texts another
        unfinished start is sending are borrowed from it, not sent twice."""
        unique = list(dict.fromkeys(texts))
        found, from_memory = self.known(
            unique, source=source, target=target, model=engine.name, kind="text"
        )
        flight = self._flight.get((source, target, engine.name, "text"), {})
        borrowed = {t: flight[t] for t in unique if t not in found and t in flight}
        items = [
            Item(t, (p := self.glossary.protect(t, source=source, target=target)).text, p)
            for t in unique
            if t not in found and t not in borrowed
        ]
        sending = self.submit(
            items, engine=engine, source=source, target=target, kind="text", finish=self._restore
        )
        return Fragments(self, engine, source, target, found, from_memory, sending, borrowed)

    def _restore(self, item: Item[Any], out: str) -> str | None:
        try:
            return str(item.context.restore(out))
        except PlaceholderLost as exc:
            self.warnings.append(exc.message)
            return None

    def plain(
        self, keys: Iterable[str], *, engine: Engine, source: str, target: str
    ) -> dict[str, str]:
        """``keys`` translated as they are, without protection: what is sent again when a
        placeholder did not come back (never write a placeholder or a gap; `glossary
        check` flags the term)."""
        again, _ = self.submit(
            [Item(k, k, None) for k in keys],
            engine=engine,
            source=source,
            target=target,
            kind="text",
            finish=lambda _, out: str(out),
        ).collect()
        return again


class Sending(Generic[C]):
    """Items submitted to the engine (:meth:`Pipeline.submit`), collected once."""

    def __init__(
        self,
        pipe: Pipeline,
        items: Sequence[Item[C]],
        engine: Engine,
        where: tuple[str, str, str, str],
        finish: Callable[[Item[C], Any], str | None],
        aligned: bool,
    ) -> None:
        self.pipe = pipe
        self.items = items
        self.where = where
        self._finish = finish
        self._aligned = aligned
        self._batches = _batches(engine, [i.text for i in items], aligned=aligned, now=bool(items))
        self._result: tuple[dict[str, str], list[Failed[C]]] | None = None
        self._error: BaseException | None = None

    def collect(self) -> tuple[dict[str, str], list[Failed[C]]]:
        """(translations finished, results the strategy could not finish), each batch kept
        in the run and the memory as it comes back. Once: later calls give the same, or
        raise what the first raised."""
        if self._error is not None:
            raise self._error
        if self._result is None:
            try:
                self._result = self._run()
            except BaseException as exc:
                self._error = exc
                raise
            finally:
                self.pipe.landed(self)
        return self._result

    def _run(self) -> tuple[dict[str, str], list[Failed[C]]]:
        pipe, items, (source, target, model, _) = self.pipe, self.items, self.where
        fresh: dict[str, str] = {}
        failed: list[Failed[C]] = []
        if not items:
            return fresh, failed
        done = pipe._done.setdefault(self.where, {})
        key = pipe.key(source, target, model)
        total, count = len(items), 0
        if pipe.progress is not None:
            pipe.progress("translate", 0, total)
        scored = pipe._scores.setdefault((source, target, model), {})
        for batch, results in self._batches:
            kept: dict[str, str] = {}
            confidence: dict[str, float] = {}
            for index, result in zip(batch, results, strict=True):
                item = items[index]
                score = getattr(result, "score", None)
                if not self._aligned and isinstance(result, Aligned):
                    result = result.text  # a plain translation with its score
                out = self._finish(item, result)
                if out is None:
                    failed.append(Failed(item, result))
                else:
                    kept[item.key] = out
                    if score is not None:
                        confidence[item.key] = score
            done.update(kept)
            fresh.update(kept)
            scored.update(confidence)
            if pipe.memory is not None and kept:
                pipe.memory.store(kept, key, confidence)
            count += len(batch)
            if pipe.progress is not None:
                pipe.progress("translate", count, total)
        return fresh, failed


@dataclass(frozen=True)
class Fragments:
    """Plain texts started by :meth:`Pipeline.start_fragments`; :meth:`finish` ends them."""

    pipe: Pipeline
    engine: Engine
    source: str
    target: str
    #: What this run or the memory had translated already, and how many of those the memory.
    found: dict[str, str]
    from_memory: int
    sending: Sending[Any]
    #: Texts another start was sending when this one started, by that sending.
    borrowed: dict[str, Sending[Any]]

    def finish(self) -> tuple[dict[str, str], int, int]:
        """(text -> translation, from the memory, sent to the engine), as
        :meth:`Pipeline.fragments` gives them."""
        pipe, engine, where = self.pipe, self.engine, (self.source, self.target)
        fresh, failed = self.sending.collect()
        again = pipe.plain(
            [f.item.key for f in failed], engine=engine, source=where[0], target=where[1]
        )
        found = {**self.found, **fresh, **again}
        sent = len(self.sending.items)
        if self.borrowed:
            for owner in dict.fromkeys(self.borrowed.values()):
                # Collected already, as a rule (the chunk before); if the model failed on
                # it, what it could not translate is sent below instead.
                with suppress(ModelError):
                    owner.collect()
            done = pipe._done.get((*where, engine.name, "text"), {})
            found.update((t, done[t]) for t in self.borrowed if t in done)
            # What the owner could not translate (it failed): sent now, as it would be alone.
            rest = [t for t in self.borrowed if t not in done]
            if rest:
                more, _, more_sent = pipe.fragments(
                    rest, engine=engine, source=where[0], target=where[1]
                )
                found.update(more)
                sent += more_sent
        return found, self.from_memory, sent


#: Plain translations with their scores where the engine gives them (ArgosEngine).
_PLAIN = ("translate_scored_batches", "translate_batches")


def _batches(
    engine: Engine, texts: Sequence[str], *, aligned: bool, now: bool = False
) -> Iterator[tuple[Sequence[int], Sequence[Any]]]:
    """The engine's results batch by batch where it gives them so (ArgosEngine), else in
    one piece; ``now``: queued before the first is asked for, where the engine can."""
    queue = getattr(engine, "queue_scored_batches", None)
    if now and not aligned and queue is not None:
        return iter(queue(texts))
    return _lazy_batches(engine, texts, aligned=aligned)


def _lazy_batches(
    engine: Engine, texts: Sequence[str], *, aligned: bool
) -> Iterator[tuple[Sequence[int], Sequence[Any]]]:
    names = ("translate_aligned_batches",) if aligned else _PLAIN
    for name in names:
        by_batch = getattr(engine, name, None)
        if by_batch is not None:
            yield from by_batch(texts)
            return
    if aligned:
        yield range(len(texts)), engine.translate_aligned(texts)  # type: ignore[attr-defined]
    else:
        yield range(len(texts)), engine.translate(texts)
