"""What every command returns: a report with an exit code and a JSON-ready value.

``bilingo.cli`` renders a report as text, or as JSON with :func:`to_json` (the one way
JSON is built), and exits with its :attr:`Report.exit_code`: 0 ok, 1 problems found,
2 usage or bad input.
"""

from __future__ import annotations

import json
from typing import Any, Protocol


class Report(Protocol):
    @property
    def exit_code(self) -> int: ...

    def as_dict(self) -> Any:
        """The report as JSON values: a mapping, or a list for per-path commands."""
        ...


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)
