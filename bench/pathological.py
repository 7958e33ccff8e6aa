"""cmark-gfm's 19 pathological inputs through bilingo at two sizes (issue 20): each must finish
in time linear in its size, or be refused with a message naming the construct too deep.

Run from the repository root (needs no network)::

    .venv/bin/python bench/pathological.py                # cmark's sizes and a quarter of them
    .venv/bin/python bench/pathological.py --scale 0.25   # a quicker run
    .venv/bin/python bench/pathological.py --no-translate # segmentation only

For each input (``tests/cmark_inputs.py``), at ``--scale`` of cmark's size and at
``1/--factor`` of that, in this process, CPU seconds (the machine is shared), the best of
``--runs``:

* segment: ``bilingo.document.segment`` with every dialect (a site without a kind);
* translate: ``translate_paths`` on a folder holding that one article, with the small copy
  model (beam 1, no memory): planning, units, the engine, projection, the twin written; and
  its outcome (written, or failed and why).

Linear means the time ratio is about the size ratio; the table gives both and their quotient
(about 1 when linear, the factor again when quadratic). The sizes are characters: two inputs
(backticks, deeply nested lists) grow as the square of cmark's count. Results go to
``bench-out/pathological.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from common import ROOT, cpu_seconds
from corpus import ensure_model

if TYPE_CHECKING:
    from bilingo.engine import ArgosEngine

#: Below this many CPU seconds at the larger size a ratio is timer noise: not judged.
NOISE = 0.05


@dataclass(frozen=True)
class Timing:
    """One stage of one input at both sizes."""

    small: float
    large: float
    outcome: str  # at the larger size

    def ratio(self) -> float | None:
        return self.large / self.small if self.large >= NOISE and self.small > 0 else None


def best(runs: int, fn: Callable[[], str]) -> tuple[float, str]:
    """The least CPU seconds of ``runs`` calls of ``fn``, and what the last one returned."""
    times: list[float] = []
    outcome = ""
    for _ in range(runs):
        start = cpu_seconds()
        outcome = fn()
        times.append(cpu_seconds() - start)
    return min(times), outcome


def segmenting(body: str) -> Callable[[], str]:
    from bilingo.document import segment
    from bilingo.errors import BilingoError

    def run() -> str:
        try:
            doc = segment(body, dialects=None)
        except BilingoError as exc:
            return f"refused: {exc}"
        return f"{len(doc.segments)} segments"

    return run


def translating(body: str, work: Path) -> Callable[[], str]:
    """Translate an article holding ``body`` in a fresh folder under ``work``."""
    from bilingo.commands.translate import translate_paths
    from bilingo.glossary import empty_glossary

    def run() -> str:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        (work / "p.nb.md").write_text(f"---\ntitle: P\n---\n{body}\n", encoding="utf-8")
        report = translate_paths([work], glossary=empty_glossary(), engine_factory=engine)
        (outcome,) = report.outcomes
        return outcome.action if outcome.action != "failed" else f"failed: {outcome.reason}"

    return run


_ENGINES: dict[tuple[str, str], ArgosEngine] = {}


def engine(source: str, target: str) -> ArgosEngine:
    """One engine a pair for every run (its model loaded once, before the timing)."""
    from bilingo.engine import ArgosEngine, find_package

    if (source, target) not in _ENGINES:
        _ENGINES[source, target] = ArgosEngine(find_package(source, target), beam_size=1)
    return _ENGINES[source, target]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/pathological.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="of cmark's sizes (1: theirs)")
    parser.add_argument("--factor", type=int, default=4, help="the smaller size: scale/factor")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (the least counts)")
    parser.add_argument("--no-translate", action="store_true", help="segmentation only")
    parser.add_argument("--only", action="append", default=[], help="an input's name (repeat)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    import os

    from cmark_inputs import pathological

    args = parse_args(argv)
    out: Path = args.out.resolve()
    packages = out / "packages-small"
    if not args.no_translate:
        ensure_model(packages, rebuild=False, size="small")
        os.environ["ARGOS_PACKAGES_DIR"] = str(packages)
        translating("En vanlig tekst.", out / "pathological-work")()  # load the model
    large = pathological(args.scale)
    small = pathological(args.scale / args.factor)
    rows: dict[str, dict[str, object]] = {}
    for name in args.only or large:
        stages: dict[str, Timing] = {}
        makers: dict[str, Callable[[str], Callable[[], str]]] = {"segment": segmenting}
        if not args.no_translate:
            makers["translate"] = lambda body: translating(body, out / "pathological-work")
        for stage, make in makers.items():
            t_small, _ = best(args.runs, make(small[name]))
            t_large, outcome = best(args.runs, make(large[name]))
            stages[stage] = Timing(t_small, t_large, outcome)
        size_ratio = len(large[name]) / len(small[name])
        rows[name] = {
            "chars": [len(small[name]), len(large[name])],
            **{k: asdict(v) for k, v in stages.items()},
        }
        print(row_line(name, len(large[name]), size_ratio, stages), flush=True)
    (out / "pathological.json").write_text(json.dumps(rows, indent=2))
    return 0


def row_line(name: str, chars: int, size_ratio: float, stages: dict[str, Timing]) -> str:
    """``| input | chars | size ratio | per stage: small s, large s, ratio/size | outcome |``."""
    cells = [name, f"{chars:,}", f"{size_ratio:.1f}"]
    for timing in stages.values():
        ratio = timing.ratio()
        judged = "–" if ratio is None else f"{ratio / size_ratio:.2f}"
        cells += [f"{timing.small:.3f}", f"{timing.large:.3f}", judged]
    last = list(stages.values())[-1].outcome
    cells.append(last if len(last) <= 90 else last[:87] + "...")
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
