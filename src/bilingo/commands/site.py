"""``bilingo site``: the settings every command of this run would use, and where each came
from (``bilingo.toml``, the Hugo or MkDocs configuration, the command line, or a default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bilingo.site import Settings
from bilingo.siteconfig import json_value


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
        data = json_value(item.value)
        if name == "languages":  # {nb: {code, content_dir, default}}: one line per side
            text = "; ".join(f"{lang}: {_text(v)}" for lang, v in data.items())
        else:
            text = _text(data)
        rows.append(SiteRow(name, text, data, item.origin))
    return SiteReport(tuple(rows))
