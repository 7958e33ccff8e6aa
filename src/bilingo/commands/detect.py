"""``bilingo detect``: each article's language, how it was decided, and the confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bilingo.detect import Detection, detect_article, language_warning
from bilingo.errors import BilingoError
from bilingo.pairs import PairIndex, load_articles
from bilingo.site import Settings


@dataclass(frozen=True)
class DetectRow:
    """One file: its detection, or the error (``file:line: message``) that stopped it."""

    file: Path
    detection: Detection | None = None
    error: str = ""
    #: The prose may be in another language than the one decided (:func:`language_warning`).
    warning: str = ""

    def as_dict(self) -> dict[str, object]:
        if self.detection is None:
            return {"file": str(self.file), "error": self.error}
        d = self.detection
        return {
            "file": str(self.file),
            "lang": d.lang,
            "confidence": round(d.confidence, 5),
            "method": d.method,
            "detected_as": d.raw,
            **({"warning": self.warning} if self.warning else {}),
        }


@dataclass(frozen=True)
class DetectReport:
    rows: tuple[DetectRow, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(r.detection is None for r in self.rows) else 0

    def as_dict(self) -> list[dict[str, object]]:
        return [r.as_dict() for r in self.rows]


def run(settings: Settings, paths: Sequence[Path]) -> DetectReport:
    index = PairIndex(settings.pairing)
    found = load_articles(list(paths))
    by_path = {index.resolve(a.path): a for a in found.articles}
    rows = [DetectRow(p.path, error=p.format()) for p in found.problems]
    for article in found.articles:
        try:
            d = detect_article(
                article, pairing=index.pairing, twins=index.twins_of(article, by_path)
            )
        except BilingoError as exc:
            rows.append(DetectRow(article.path, error=exc.format()))
            continue
        warning = language_warning(article, d.lang) if d.method != "front-matter" else None
        rows.append(DetectRow(article.path, d, warning=warning or ""))
    rows.sort(key=lambda r: str(r.file))
    return DetectReport(tuple(rows))
