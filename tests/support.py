"""Test helpers shared by several modules (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from copymodel import Layout, expected_output

import bilingo.translation as translation
from bilingo.document import relabel, segment, structure_problems
from bilingo.engine import Aligned, ArgosEngine, Engine, Progress, find_package
from bilingo.translation import EngineFactory


class RecordingEngine:
    """The real ArgosEngine, recording what reaches it (to count segments, not to fake)."""

    def __init__(self, inner: ArgosEngine, sent: list[str]) -> None:
        self.inner = inner
        self.sent = sent

    @property
    def name(self) -> str:
        return self.inner.name

    # The run's own path: the model loading in its thread before the plan (from the
    # direction a changed source's twin records), the early chunk once it is in.
    def load_soon(self) -> None:
        self.inner.load_soon()

    @property
    def loaded(self) -> bool:
        return self.inner.loaded

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        self.sent.extend(segments)
        return self.inner.translate(segments, progress=progress)

    def translate_aligned(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[Aligned]:
        self.sent.extend(segments)
        return self.inner.translate_aligned(segments, progress=progress)

    def masked_drops(
        self, items: Sequence[tuple[Aligned, Sequence[tuple[int, int]]]]
    ) -> list[list[float]]:
        return self.inner.masked_drops(items)

    # Batch by batch as the inner engine gives them; a subclass that changes translate or
    # translate_aligned (a test's model quirk) answers in one batch through its override.
    def translate_batches(self, segments: Sequence[str]) -> Iterator[tuple[list[int], list[str]]]:
        if type(self).translate is not RecordingEngine.translate:
            yield list(range(len(segments))), self.translate(segments)
            return
        self.sent.extend(segments)
        yield from self.inner.translate_batches(segments)

    def queue_scored_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]] | tuple[list[int], list[str]]]:
        """The inner engine's, queued now (the next chunk's batches while twins are
        written), recorded as it is called: what is sent, not what is collected."""
        if type(self).translate is not RecordingEngine.translate:
            return iter([(list(range(len(segments))), self.translate(segments))])
        self.sent.extend(segments)
        return self.inner.queue_scored_batches(segments)

    def translate_aligned_batches(
        self, segments: Sequence[str]
    ) -> Iterator[tuple[list[int], list[Aligned]]]:
        if type(self).translate_aligned is not RecordingEngine.translate_aligned:
            yield list(range(len(segments))), self.translate_aligned(segments)
            return
        self.sent.extend(segments)
        yield from self.inner.translate_aligned_batches(segments)


def recording_factory(
    sent: list[str],
    *,
    beam_size: int = 4,
    created: list[str] | None = None,
    loaded: bool = False,
) -> EngineFactory:
    """An engine factory for the installed copy model that records every segment sent
    (and, in ``created``, every engine made). ``loaded``: each model is in as its engine is
    made, as load_soon aims for (on a few articles its thread may lose that race, and a
    test of what the run does once the model is in would then test nothing)."""

    def make(source: str, target: str) -> Engine:
        if created is not None:
            created.append(f"{source}-{target}")
        inner = ArgosEngine(find_package(source, target), beam_size=beam_size)
        if loaded:
            inner.load()
        return RecordingEngine(inner, sent)

    return make


#: The layouts the end-to-end suites (translate, glossary, incremental, hostile) run on: the
#: shared vocabulary, and a joint target vocabulary with pieces SentencePiece lacks (as in the
#: OPUS-MT nb<->en packages). The bpe and prefix layouts run in test_translate/test_models.
E2E_LAYOUTS: tuple[Layout, ...] = ("shared", "upper")


@dataclass(frozen=True)
class CopyLayout:
    """Installed copy packages of one layout (tests/copymodel.py ``LAYOUTS``), and what they
    translate text to, worked out from the pieces the model writes, not by bilingo's decoder."""

    layout: Layout
    path: Path

    def expected(self, text: str, source: str = "nb", target: str = "en") -> str:
        """The translation of one engine-safe segment."""
        return expected_output(self.layout, text, source, target)

    def expected_body(self, body: str, source: str = "nb", target: str = "en") -> str:
        """A twin's body: every segment of ``body`` as :meth:`expected` has it, except a block
        whose translation would change the Markdown structure (the Moses normaliser turns a
        leading "–" into "-", a list marker): translate leaves that block as it was."""
        document = segment(body)
        texts = [self.expected(s.text, source, target) for s in document.segments]
        for _ in document.blocks:
            bad = structure_problems(document, texts, segment(document.render(texts)))
            if not bad:
                break
            for i in document.blocks[bad[0]].segments:
                texts[i] = document.segments[i].text
        # A translated shortcut or collapsed reference link keeps its label: [TEXT][text].
        return relabel(document, document.render(texts), dialects=None)


#: Words the ``unsure_packages_dir`` copy models write with almost flat output probabilities.
UNSURE_WORDS = ("kanskje", "muligens", "antakelig", "tilsynelatende")


def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The run's ``load_soon`` calls (with their source language) and its plan, in order."""
    events: list[str] = []
    load_soon, plan = ArgosEngine.load_soon, translation.plan

    def loading(self: ArgosEngine) -> None:
        events.append(f"load_soon {self.package.from_code}")
        load_soon(self)

    def planning(*args: Any, **kwargs: Any) -> Any:
        events.append("plan")
        return plan(*args, **kwargs)

    monkeypatch.setattr(ArgosEngine, "load_soon", loading)
    monkeypatch.setattr(translation, "plan", planning)
    return events
