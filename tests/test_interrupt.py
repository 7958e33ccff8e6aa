"""bilingo.interrupt: SIGTERM unwinds like Ctrl-C, and neither lands inside a write."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from bilingo.interrupt import deferred, interruptible


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_inside_deferred_waits_for_the_block_to_end(sig: signal.Signals) -> None:
    steps: list[str] = []
    with interruptible(), pytest.raises(KeyboardInterrupt, match=sig.name):
        with deferred():
            os.kill(os.getpid(), sig)
            steps.append("write finished")  # reached: the signal is held
        steps.append("after the block")  # not reached: it is raised when the block ends
    assert steps == ["write finished"]
    # The handlers are back as they were: SIGTERM's default again, SIGINT Python's own.
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_raises_keyboard_interrupt_only_inside_interruptible() -> None:
    with interruptible(), pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not interrupt")
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_an_ignored_sigint_stays_ignored_in_deferred() -> None:
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with deferred():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, old)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_temporary_file_is_made_leaves_the_file_whole(
    sig: signal.Signals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most of an atomic write is the kernel creating the temporary file; a Ctrl-C that
    arrives then is taken as mkstemp returns. The write finishes, the temporary file is
    gone, and the interrupt comes after."""
    import tempfile

    from bilingo.article import write_atomic_bytes

    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    mkstemp = tempfile.mkstemp

    def interrupted_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        made = mkstemp(*args, **kwargs)
        os.kill(os.getpid(), sig)  # delivered before this call returns
        return made

    monkeypatch.setattr(tempfile, "mkstemp", interrupted_mkstemp)
    with interruptible(), pytest.raises(KeyboardInterrupt):
        write_atomic_bytes(target, b"new", durable=False)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]
