"""Ctrl-C and SIGTERM during a run: stop between writes, never in the middle of one.

SIGINT raises :class:`KeyboardInterrupt` (Python's default); :func:`interruptible` makes
SIGTERM do the same for the duration of a run, so a CI job that is cancelled unwinds like
a Ctrl-C (locks released, summary printed) instead of dying at once. Inside
:func:`deferred` both are held until the block ends: the twins whose translation is done
are written (and the memory committed) before the interrupt goes on. Signal handlers can
only be set from the main thread; elsewhere both are no-ops.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _raises(handler: Any) -> bool:
    """Whether ``handler`` turns its signal into an exception (what :func:`deferred` holds)."""
    return handler in (signal.default_int_handler, _raise_interrupt)


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt as SIGINT does, until the block ends (an ignored
    SIGTERM stays ignored)."""
    if not _main_thread():
        yield
        return
    old = signal.getsignal(signal.SIGTERM)
    if old == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        if old == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, old)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM (those that would raise) until the block ends, then raise
    KeyboardInterrupt: what is being written is finished first."""
    if not _main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    old: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int | None] = {}
    for sig in _SIGNALS:
        handler = signal.getsignal(sig)
        if _raises(handler):
            old[sig] = handler
            signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if received:
        raise KeyboardInterrupt(signal.Signals(received[0]).name)
