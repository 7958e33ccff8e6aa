"""One ``bilingo translate`` at a time per tree: an advisory ``flock`` on a lock file.

The kernel drops a ``flock`` when its process dies (even by ``kill -9``), so a crashed run
never leaves the tree locked; the file itself may stay behind, harmlessly.

The lock file is opened without following a symbolic link and must be a plain file with one
name: bilingo truncates it to write its pid, and a ``.bilingo.lock`` planted as a link to a
file outside the tree must not make it overwrite that file.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bilingo.errors import LockError

LOCK_NAME = ".bilingo.lock"


def lock_path(paths: Sequence[Path]) -> Path:
    """The lock file for the tree holding ``paths``: in their deepest common folder."""
    dirs = [str((p if p.is_dir() else p.parent).resolve()) for p in paths]
    return Path(os.path.commonpath(dirs)) / LOCK_NAME


@contextmanager
def tree_lock(paths: Sequence[Path], *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the tree's lock, waiting up to ``wait`` seconds, else raise LockError."""
    path = lock_path(paths)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LockError(
                f"the lock file {path} is a symbolic link; bilingo does not write through "
                f"links: delete it (rm {path}) and run again"
            ) from None
        raise LockError(
            f"cannot create the lock file {path}: {exc.strerror}; bilingo needs to write in "
            "the folder it translates (make it writable, or run on a writable copy)"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            raise LockError(
                f"the lock file {path} is not a plain file of its own (a hard link or a "
                f"device?); bilingo will not write to it: delete it (rm {path}) and run again"
            )
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise LockError(
                        f"another bilingo translate (pid {holder}) is working on this tree "
                        f"(lock {path}); wait for it to finish, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)
