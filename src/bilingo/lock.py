"""One ``bilingo translate`` at a time per site: an advisory ``flock`` on the lock file in the
site's state folder (``.bilingo/lock`` at the site's root), whichever folder it was run on.

The kernel drops a ``flock`` when its process dies (even by ``kill -9``), so a crashed run
never leaves the site locked; the file itself may stay behind, harmlessly, in ``.bilingo/``
(whose ``.gitignore`` keeps it, and the memory, out of the site's history).

The lock file is opened without following a symbolic link and must be a plain file with one
name: bilingo truncates it to write its pid, and a lock planted as a link to a file outside
the site must not make it overwrite that file. The state folder itself must be a real folder,
not a link leading elsewhere.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bilingo.errors import LockError

LOCK_NAME = "lock"
#: Everything in the state folder is bilingo's own: none of it belongs in the site's history.
GITIGNORE = "# bilingo's state (translation memory, lock): rebuilt as needed, never committed\n*\n"


def state_folder(state_dir: Path) -> Path:
    """Create bilingo's state folder (with its ``.gitignore``) if it is missing; refuse a
    symbolic link or a file in its place (LockError, saying what to do)."""
    if state_dir.is_symlink():
        raise LockError(
            f"bilingo's state folder {state_dir} is a symbolic link; bilingo does not write "
            f"through links: delete it (rm {state_dir}) and run again"
        )
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LockError(
            f"cannot create bilingo's state folder {state_dir}: {exc.strerror}; make the site's "
            'root writable (or set state = "…" in bilingo.toml)'
        ) from None
    ignore = state_dir / ".gitignore"
    try:
        fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:
        return state_dir  # kept as the user left it
    except OSError:
        return state_dir  # unwritable or a link: the lock below says what is wrong
    try:
        os.write(fd, GITIGNORE.encode("ascii"))
    finally:
        os.close(fd)
    return state_dir


def lock_path(state_dir: Path) -> Path:
    """The site's lock file: in its state folder, as an absolute path (for messages)."""
    return Path(os.path.abspath(state_dir)) / LOCK_NAME


@contextmanager
def tree_lock(state_dir: Path, *, wait: float = 0.0) -> Iterator[Path]:
    """Hold the site's lock, waiting up to ``wait`` seconds, else raise LockError.

    The flock itself (opening without following a link, polling until the deadline,
    release) is ``filelock.FileLock``'s; what it does not do is bilingo's: refusing a lock
    file that is a link or has a second name, and writing the holder's pid into it for the
    message the next run prints."""
    from filelock import FileLock, Timeout

    path = lock_path(state_folder(state_dir))
    odd: list[str] = []

    def check_and_mark(fd: int) -> None:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            odd.append("not a plain file")
            return  # never written to
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)

    lock = FileLock(
        path,
        timeout=wait,
        thread_local=False,
        fallback_to_soft=False,  # a lock that dies with its process, or none
        preserve_lock_file=True,
        on_acquired=check_and_mark,
    )
    try:
        lock.acquire()
    except Timeout:
        raise LockError(
            f"another bilingo translate (pid {_holder(path)}) is working on this site "
            f"(lock {path}); wait for it to finish, or pass --wait SECONDS"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise LockError(
                f"the lock file {path} is a symbolic link; bilingo does not write through "
                f"links: delete it (rm {path}) and run again"
            ) from None
        raise LockError(
            f"cannot create the lock file {path}: {exc.strerror}; bilingo needs to write in "
            "the site's state folder (make it writable, or run on a writable copy)"
        ) from None
    try:
        if odd:
            raise LockError(
                f"the lock file {path} is not a plain file of its own (a hard link or a "
                f"device?); bilingo will not write to it: delete it (rm {path}) and run again"
            )
        yield path
    finally:
        lock.release()


def _holder(path: Path) -> str:
    """The pid the holder wrote into the lock file ("?" if unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return "?"
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
    finally:
        os.close(fd)
