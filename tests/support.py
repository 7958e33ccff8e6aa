"""Test helpers shared by several modules (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bilingo.engine import Aligned, ArgosEngine, Engine, Progress, find_package
from bilingo.pipeline import EngineFactory


class RecordingEngine:
    """The real ArgosEngine, recording what reaches it (to count segments, not to fake)."""

    def __init__(self, inner: ArgosEngine, sent: list[str]) -> None:
        self.inner = inner
        self.sent = sent

    @property
    def name(self) -> str:
        return self.inner.name

    def translate(self, segments: Sequence[str], *, progress: Progress | None = None) -> list[str]:
        self.sent.extend(segments)
        return self.inner.translate(segments, progress=progress)

    def translate_aligned(
        self, segments: Sequence[str], *, progress: Progress | None = None
    ) -> list[Aligned]:
        self.sent.extend(segments)
        return self.inner.translate_aligned(segments, progress=progress)


def recording_factory(
    sent: list[str], *, beam_size: int = 4, created: list[str] | None = None
) -> EngineFactory:
    """An engine factory for the installed copy model that records every segment sent
    (and, in ``created``, every engine made)."""

    def make(source: str, target: str) -> Engine:
        if created is not None:
            created.append(f"{source}-{target}")
        return RecordingEngine(ArgosEngine(find_package(source, target), beam_size=beam_size), sent)

    return make
