"""Work split over forked processes: one slice of a list per CPU, the results in order.

``bilingo review`` segments, judges and renders each pair on its own, and that work is
most of its time; on a 2-core machine a second process halves its wall clock. A fork
inherits the run's articles, glossary and parse cache, so only each slice's results
cross a pipe. ``multiprocessing.Pool`` does the same with three threads and a task queue:
measured here 40 ms to import and 70-110 ms to start and stop, a quarter to a third of a
whole ``bilingo check`` of 400 pairs, for two workers that need neither.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Fewer items than this per process: the fork costs more than the slice saves.
MIN_PER_WORKER = 16


def available() -> int:
    """The CPUs this process may run on (1 where forking is not safe: not Linux)."""
    if not sys.platform.startswith("linux"):
        return 1  # macOS forks unsafely with system frameworks loaded; Windows cannot
    return len(os.sched_getaffinity(0))


def fork_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[fn(x) for x in items]``, the items split into ``workers`` contiguous slices, all but
    the last done by forked children (the last by this process), results in order.

    A child's exception is raised here (its message kept where it cannot be pickled).
    Ctrl-C reaches this process only (children ignore SIGINT); the children are then
    stopped with SIGTERM, which raises in them as Ctrl-C does here: a file being written
    atomically is finished first (:func:`bilingo.interrupt.deferred`), then they exit."""
    workers = max(1, min(workers, available(), len(items) // MIN_PER_WORKER))
    if workers == 1:
        return [fn(x) for x in items]
    n = len(items)
    bounds = [(k * n // workers, (k + 1) * n // workers) for k in range(workers)]
    children: list[tuple[int, int]] = []
    try:
        for start, end in bounds[:-1]:
            read_end, write_end = os.pipe()
            sys.stdout.flush()  # nothing buffered is written twice
            sys.stderr.flush()
            # Ctrl-C held until the child is on the list (and the child has its own
            # handlers): a child unknown here, or a parent's handler run in the child.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                pid = os.fork()
                if pid == 0:  # the child: never returns
                    os.close(read_end)
                    _child(fn, items[start:end], write_end, held)
                os.close(write_end)
                children.append((pid, read_end))
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        start, end = bounds[-1]
        mine = [fn(x) for x in items[start:end]]
        results: list[R] = []
        while children:
            pid, read_end = children[0]
            reader = os.fdopen(read_end, "rb")  # owns the descriptor from here
            children[0] = (pid, -1)
            with reader:
                data = reader.read()
            children.pop(0)
            os.waitpid(pid, 0)
            status, value = pickle.loads(data) if data else ("error", None)
            if status != "ok" or value is None:
                if isinstance(value, BaseException):
                    raise value
                raise RuntimeError(f"a worker process stopped: {value or 'no result'}")
            results.extend(value)
        return results + mine
    finally:
        for pid, read_end in children:  # left by an exception here: stop and reap them
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            if read_end >= 0:
                os.close(read_end)
            os.waitpid(pid, 0)


def _child(
    fn: Callable[[T], R], items: Sequence[T], write_end: int, mask: Iterable[int]
) -> NoReturn:
    code = 0
    try:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            # SIGTERM (this process stopping it) raises as Ctrl-C would, so a write in
            # progress is finished (bilingo.interrupt.deferred) and then the child exits.
            signal.signal(signal.SIGTERM, signal.default_int_handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            data = pickle.dumps(("ok", [fn(x) for x in items]))
        except BaseException as exc:  # every failure goes to the parent
            code = 1
            try:
                data = pickle.dumps(("error", exc))
            except Exception:  # an exception that does not pickle
                data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_end, "wb") as fh:
            fh.write(data)
    finally:
        os._exit(code)  # no atexit, no buffers flushed twice, no parent cleanup run here

