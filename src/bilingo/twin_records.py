"""The small values a twin's provenance holds besides its hashes: a conflict, a
paragraph's confidence token, a paragraph's recorded state.

Apart from :mod:`bilingo.provenance` because a check whose seals hold never builds one,
and each frozen dataclass costs its start-up ~1 ms to create; :mod:`bilingo.provenance`
imports this module on first use and still exports its names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bilingo.provenance import ParagraphState

# Conflicts as sentences (twins written before conflicts were data): what they name.
_LINE_RE = re.compile(r"source line (\d+)")
_FIELD_RE = re.compile(r"front matter '([^']+)'")


@dataclass(frozen=True)
class Conflict:
    """A source paragraph (or field) that changed while a person had edited its translation."""

    #: Index of the source paragraph, and its 1-based line in the source file, when recorded.
    block: int | None = None
    line: int | None = None
    #: Front-matter key, for a field.
    field: str | None = None
    #: An older twin's sentence, kept as written (it is what people saw).
    note: str = ""
    #: Hash of the twin paragraph (or field) when the conflict was recorded: approve warns
    #: when it clears a conflict whose text nobody touched since.
    twin: str | None = None

    def message(self) -> str:
        if self.note:
            return self.note
        if self.field is not None:
            return (
                f"front matter '{self.field}' changed in the source, and its translation was "
                "edited by a person: the person's text was kept"
            )
        return (
            f"paragraph at source line {self.line} changed, and its translation was edited by "
            "a person: the person's text was kept"
        )

    def as_data(self) -> object:
        if self.note:
            return self.note
        out: dict[str, object] = (
            {"field": self.field}
            if self.field is not None
            else {"block": self.block, "line": self.line}
        )
        if self.twin is not None:
            out["twin"] = self.twin
        return out

    @classmethod
    def from_data(cls, value: object) -> Conflict:
        if isinstance(value, Mapping):
            block, line, name = value.get("block"), value.get("line"), value.get("field")
            twin = value.get("twin")
            return cls(
                block=block if isinstance(block, int) else None,
                line=line if isinstance(line, int) else None,
                field=str(name) if name is not None else None,
                note="" if name is not None or isinstance(line, int) else str(dict(value)),
                twin=twin if isinstance(twin, str) else None,
            )
        text = str(value)
        line_match, field_match = _LINE_RE.search(text), _FIELD_RE.search(text)
        return cls(
            line=int(line_match.group(1)) if line_match else None,
            field=field_match.group(1) if field_match else None,
            note=text,
        )


#: What each cheap quality signal letter of a :class:`Confidence` token means.
SIGNALS: Mapping[str, str] = {
    "r": "repeats a phrase the source does not",
    "l": "its length is far from the source's",
    "c": "copies a long source sentence untranslated",
}
_CONFIDENCE_RE = re.compile(r"(-?\d+(?:\.\d+)?)?(?:@(\d+))?(?:!([a-z]+))?")


@dataclass(frozen=True)
class Confidence:
    """One paragraph's token in ``confidence:``: ``-0.42``, ``-2.31@1`` (its lowest
    sentence is the paragraph's second), ``-0.1!rl`` (cheap signals, see :data:`SIGNALS`),
    ``-`` (no machine sentence measured)."""

    #: The lowest length-normalised log-probability of the paragraph's machine sentences.
    score: float | None = None
    #: Index of that sentence among the paragraph's sentences.
    sentence: int = 0
    signals: str = ""

    def token(self) -> str:
        if self.score is None and not self.signals:
            return "-"
        out = f"{self.score:.2f}" if self.score is not None else ""
        out += f"@{self.sentence}" if self.sentence and self.score is not None else ""
        return out + (f"!{self.signals}" if self.signals else "")

    @classmethod
    def parse(cls, token: str) -> Confidence:
        """The token's value; anything unreadable (text anyone can edit) reads as nothing."""
        match = _CONFIDENCE_RE.fullmatch(token)
        if match is None:
            return cls()
        score, sentence, signals = match.groups()
        return cls(
            float(score) if score is not None else None,
            int(sentence) if sentence else 0,
            "".join(ch for ch in signals or "" if ch in SIGNALS),
        )


@dataclass(frozen=True)
class BlockState:
    """One paragraph as the provenance records it: the source paragraph hash it was made
    or reviewed against, the hash of the twin text as written or approved, its state."""

    source: str
    machine: str
    state: ParagraphState = "m"
