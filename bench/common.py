"""What every part of the benchmark shares: paths, settings, and the process launcher
that measures each command (wall and CPU time, peak RSS)."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The copy-model builder is test tooling: it lives in tests/, not in the installed package.
sys.path.insert(0, str(ROOT / "tests"))
TEMPLATE_DIRS = (ROOT / "articles", ROOT / "tests" / "fixtures" / "articles")
TRAINING_ROOTS = (ROOT / "articles", ROOT / "tests" / "fixtures")
#: The glossary every translate row runs with, and the ceiling protects terms of.
GLOSSARY = ROOT / "glossary.yml"
PYTHON = Path(sys.executable)
BILINGO = PYTHON.parent / "bilingo"
BEAM = 4
#: bilingo's batch limits traded for speed: the ceiling's batch size (64 segments), with
#: a token cap so one batch of long paragraphs cannot take gigabytes.
FAST_BATCHES = ("--batch-tokens", "1024", "--batch-segments", "64")
#: ``--inline``: the rows against argos and the ceiling send the same segments they do
#: (fragments); whole sentences (issue 14) are measured in a row of their own.
FRAGMENTS = ("--inline", "fragments")
WHOLE = ("--inline", "whole")

#: CTranslate2 settings of the ceiling: the fastest found by ``--tune`` on the 2-core machine
#: of BENCHMARKS.md (two batches at once, one thread each, 64 segments a batch).
CEILING: dict[str, Any] = {
    "compute_type": "int8",
    "intra_threads": 1,
    "inter_threads": 2,
    "max_batch_size": 64,
    "batch_type": "examples",
}


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Proc:
    """One finished child process: wall and CPU seconds, peak RSS, exit code, output."""

    wall: float
    cpu: float
    max_rss_mb: float
    rc: int
    stdout: str
    stderr: str


#: Runs the measured commands. A child's peak RSS (ru_maxrss) starts from the RSS of the
#: process it was forked from and survives exec, so children forked from this process,
#: once it holds the models of the argos and ceiling rows, would report ~700 MB whatever
#: they use. This launcher is started first, at ~10 MB, and forks them all.
_LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    job = json.loads(line)
    with open(job["stdout"], "wb") as out, open(job["stderr"], "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(job["cmd"], cwd=job["cwd"], env=job["env"], stdout=out,
                                 stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "maxrss_kb": usage.ru_maxrss, "rc": child.returncode}), flush=True)
"""


Runner = Callable[..., Proc]


class Launcher:
    """A small process that runs commands and reports their own wait4 rusage."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(PYTHON), "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, cmd: Sequence[str | Path], *, cwd: Path, env: dict[str, str]) -> Proc:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
        job = {
            "cmd": [str(c) for c in cmd],
            "cwd": str(cwd),
            "env": env,
            "stdout": str(out_path),
            "stderr": str(err_path),
        }
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        done = json.loads(self.proc.stdout.readline())
        stdout = out_path.read_text(encoding="utf-8", errors="replace")
        stderr = err_path.read_text(encoding="utf-8", errors="replace")
        out_path.unlink()
        err_path.unlink()
        return Proc(
            wall=done["wall"],
            cpu=done["cpu"],
            max_rss_mb=done["maxrss_kb"] / 1024,  # KiB on Linux
            rc=done["rc"],
            stdout=stdout,
            stderr=stderr,
        )

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def med(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
