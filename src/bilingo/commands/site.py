"""``bilingo site``: the settings every command of this run would use, and where each came
from (``bilingo.toml``, the Hugo or MkDocs configuration, the command line, or a default)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilingo.site import EngineOptions, Settings
from bilingo.siteconfig import SiteLanguage


@dataclass(frozen=True)
class SiteRow:
    """One setting: its name, its value as text and as JSON, and its origin."""

    name: str
    value: str
    data: Any
    origin: str


@dataclass(frozen=True)
class SiteReport:
    rows: tuple[SiteRow, ...]

    @property
    def exit_code(self) -> int:
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {row.name: {"value": row.data, "from": row.origin} for row in self.rows}


def _data(value: Any) -> Any:
    """A setting's value as JSON values."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, SiteLanguage):
        return {
            "code": value.code,
            "content_dir": str(value.content_dir) if value.content_dir else None,
            "default": value.default,
        }
    if isinstance(value, EngineOptions):
        return {
            "device": value.device,
            "beam_size": value.beam_size,
            "batch_tokens": value.batch_tokens,
            "batch_segments": value.batch_segments,
            "compute_type": value.compute_type,
        }
    if isinstance(value, dict):
        return {str(k): _data(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_data(v) for v in value]
    return value


def _text(data: Any) -> str:
    """A JSON value on one line: ``a=1, b=2`` for a mapping, ``x, y`` for a list."""
    if data is None:
        return "(none)"
    if isinstance(data, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in data.items())
    if isinstance(data, list):
        return ", ".join(_text(v) for v in data) or "(none)"
    return str(data)


def run(settings: Settings) -> SiteReport:
    """The settings with their origins, in the order ``bilingo.toml`` documents them."""
    rows = []
    for name, item in settings.origins.items():
        data = _data(item.value)
        if name == "languages":  # {nb: {code, content_dir, default}}: one line per side
            text = "; ".join(f"{lang}: {_text(v)}" for lang, v in data.items())
        else:
            text = _text(data)
        rows.append(SiteRow(name, text, data, item.origin))
    return SiteReport(tuple(rows))
