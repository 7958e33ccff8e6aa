"""The translation pipeline of one run: memory, glossary, engine batches and progress.

One :class:`Pipeline` per ``translate`` run (or ``diff --fresh``) owns the one chain every
translated text goes through: what this run already translated, then the translation
memory, then the engine, batch by batch. Each finished batch is kept (in the run and in the
memory) as it comes back, so a sentence is sent once per run whichever article or chunk
holds it, and Ctrl-C loses only the batches still in flight. Whole sentences
(:func:`bilingo.units.translate_whole`) and fragments (:meth:`Pipeline.fragments`) are two
strategies over :meth:`Pipeline.send`: each says how a text is prepared for the engine and
how a result is finished. The glossary is :meth:`~bilingo.glossary.Glossary.memoized`: a
segment's matches serve its memory key and its protection alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from bilingo.engine import Aligned, Engine
from bilingo.glossary import Glossary, PlaceholderLost
from bilingo.memory import Memory, MemoryKey

#: (stage, done, total): stage is "translate" while the engine runs.
ProgressCallback = Callable[[str, int, int], None]
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
        """Keep translations finished outside :meth:`send` (in the run and the memory)."""
        if not found:
            return
        self._done.setdefault((source, target, model, kind), {}).update(found)
        if self.memory is not None:
            self.memory.store(found, self.key(source, target, model))

    def send(
        self,
        items: Sequence[Item[C]],
        *,
        engine: Engine,
        source: str,
        target: str,
        kind: str,
        finish: Callable[[Item[C], Any], str | None],
        aligned: bool = False,
    ) -> tuple[dict[str, str], list[Failed[C]]]:
        """The one chain to the engine: ``items`` batch by batch, each result finished by
        the strategy (None: it failed, handed back), each finished batch kept in the run
        and the memory before the next is waited for."""
        fresh: dict[str, str] = {}
        failed: list[Failed[C]] = []
        if not items:
            return fresh, failed
        done = self._done.setdefault((source, target, engine.name, kind), {})
        key = self.key(source, target, engine.name)
        total, count = len(items), 0
        if self.progress is not None:
            self.progress("translate", 0, total)
        scored = self._scores.setdefault((source, target, engine.name), {})
        for batch, results in _batches(engine, [i.text for i in items], aligned=aligned):
            kept: dict[str, str] = {}
            confidence: dict[str, float] = {}
            for index, result in zip(batch, results, strict=True):
                item = items[index]
                score = getattr(result, "score", None)
                if not aligned and isinstance(result, Aligned):
                    result = result.text  # a plain translation with its score
                out = finish(item, result)
                if out is None:
                    failed.append(Failed(item, result))
                else:
                    kept[item.key] = out
                    if score is not None:
                        confidence[item.key] = score
            done.update(kept)
            fresh.update(kept)
            scored.update(confidence)
            if self.memory is not None and kept:
                self.memory.store(kept, key, confidence)
            count += len(batch)
            if self.progress is not None:
                self.progress("translate", count, total)
        return fresh, failed

    def fragments(
        self, texts: Sequence[str], *, engine: Engine, source: str, target: str
    ) -> tuple[dict[str, str], int, int]:
        """Each distinct plain text translated once, glossary terms protected: (text ->
        translation, from the memory, sent to the engine)."""
        unique = list(dict.fromkeys(texts))
        found, from_memory = self.known(
            unique, source=source, target=target, model=engine.name, kind="text"
        )
        items = [
            Item(t, (p := self.glossary.protect(t, source=source, target=target)).text, p)
            for t in unique
            if t not in found
        ]

        def restore(item: Item[Any], out: str) -> str | None:
            try:
                return str(item.context.restore(out))
            except PlaceholderLost as exc:
                self.warnings.append(exc.message)
                return None

        fresh, failed = self.send(
            items, engine=engine, source=source, target=target, kind="text", finish=restore
        )
        # Never write a placeholder or a gap: translate those again without protection,
        # and let `glossary check` flag the term.
        again, _ = self.send(
            [Item(f.item.key, f.item.key, None) for f in failed],
            engine=engine,
            source=source,
            target=target,
            kind="text",
            finish=lambda _, out: str(out),
        )
        found.update(fresh)
        found.update(again)
        return found, from_memory, len(items)


#: Plain translations with their scores where the engine gives them (ArgosEngine).
_PLAIN = ("translate_scored_batches", "translate_batches")


def _batches(
    engine: Engine, texts: Sequence[str], *, aligned: bool
) -> Iterator[tuple[Sequence[int], Sequence[Any]]]:
    """The engine's results batch by batch where it gives them so (ArgosEngine), else in
    one piece."""
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
