"""fork_map: the same results as a loop, in order, from more than one process."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from bilingo import workers
from bilingo.errors import BilingoError
from bilingo.workers import MIN_PER_WORKER, fork_map

forks = pytest.mark.skipif(workers.available() < 2, reason="needs 2 CPUs on Linux to fork")


def square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@forks
def test_results_in_order_from_a_child_and_this_process() -> None:
    items = list(range(4 * MIN_PER_WORKER + 3))
    out = fork_map(square_and_pid, items, 2)
    assert [r for r, _ in out] == [x * x for x in items]
    pids = [p for _, p in out]
    assert pids[-1] == os.getpid()  # the last slice is this process's
    assert pids[0] != os.getpid()  # the first a child's
    assert len(set(pids)) == 2


def test_few_items_stay_in_this_process() -> None:
    out = fork_map(square_and_pid, list(range(MIN_PER_WORKER)), 8)
    assert {p for _, p in out} == {os.getpid()}


def fail_on_three(x: int) -> int:
    if x == 3:
        raise BilingoError("three is bad; give another number", path="n.md", line=3)
    return x


@forks
def test_a_childs_error_is_raised_here_with_its_message() -> None:
    with pytest.raises(BilingoError, match=re.escape("n.md:3: three is bad; give another number")):
        fork_map(fail_on_three, list(range(4 * MIN_PER_WORKER)), 2)


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("held a lock")
        self.lock = threading.Lock()


def unpicklable_on_one(x: int) -> int:
    if x == 1:
        raise Unpicklable()
    return x


@forks
def test_an_error_that_does_not_pickle_keeps_its_words() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable: held a lock"):
        fork_map(unpicklable_on_one, list(range(4 * MIN_PER_WORKER)), 2)


def write_marker(path: Path) -> Path:
    path.write_text("x", encoding="utf-8")
    return path


@forks
def test_an_error_here_stops_and_reaps_the_children(tmp_path: Path) -> None:
    def boom_in_parent(x: int) -> int:
        if x == 4 * MIN_PER_WORKER - 1:  # the last item: this process's slice
            raise KeyboardInterrupt
        return x

    with pytest.raises(KeyboardInterrupt):
        fork_map(boom_in_parent, list(range(4 * MIN_PER_WORKER)), 2)
    # No child left behind: waitpid reaped each one.
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
