"""What a translate run reports of each article and where it stands, and the options it
is called with: values its callers (the CLI, ``diff``, tests) use before any article is
planned, kept apart from :mod:`bilingo.translation` so that using them imports none of
the translating machinery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

#: How sentences with inline markup go to the engine (``--inline``): see bilingo.units.
InlineMode = Literal["whole", "fragments"]
INLINE_MODES: tuple[InlineMode, ...] = ("whole", "fragments")
#: (stage, done, total): stage is "translate" while the engine runs.
ProgressCallback = Callable[[str, int, int], None]

Action = Literal["written", "would-write", "unchanged", "skipped", "failed", "moved", "interrupted"]


@dataclass(frozen=True)
class RunStatus:
    """Where a translate run stands (for a progress line): articles written of those to
    translate, their segments and words done, seconds since the run started."""

    articles_done: int
    articles_total: int
    segments_done: int
    segments_total: int
    words_done: int
    words_total: int
    seconds: float


StatusCallback = Callable[[RunStatus], None]


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "twin": str(self.twin) if self.twin else None,
            "action": self.action,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "segments": self.segments,
            "words": self.words,
            "kept_paragraphs": self.kept,
            "conflicts": list(self.conflicts),
            "reason": self.reason,
            "line": self.line,
        }


def word_count(text: str) -> int:
    return len(text.split())
