"""Advisory locks between forecast processes (``fcntl.flock``): one helper for the store and the user's files.

A lock is a file beside the one it guards (``forecast.duckdb.lock``, ``observations.csv.lock``). Writers take it
exclusively and readers shared, so concurrent commands queue instead of losing each other's work; a waiter gives
up after ``timeout`` seconds with :class:`LockBusyError`. A reader in a directory it may not write (a read-only
``$FORECAST_HOME``) shares an existing lock file opened read-only, or reads unlocked when there is none: no
process of this user can be writing there.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_TIMEOUT = 120.0
POLL_SECONDS = 0.05
_CANNOT_CREATE = (errno.EACCES, errno.EPERM, errno.EROFS)


class LockBusyError(TimeoutError):
    """Another process kept a file locked for longer than the timeout (a transient failure: retry later)."""


def lock_path(path: Path) -> Path:
    """The lock file guarding ``path``."""
    return path.with_name(path.name + ".lock")


@contextmanager
def hold_lock(
    path: Path, exclusive: bool, timeout: float = LOCK_TIMEOUT, busy: type = LockBusyError, what: str = "file"
) -> Iterator[None]:
    """Hold the lock of ``path`` (exclusive for writers, shared for readers), waiting up to ``timeout`` seconds;
    ``busy`` is the error raised on timeout, ``what`` names the guarded thing in its message."""
    fd = _open_lock(lock_path(Path(path)), exclusive)
    if fd is None:
        yield
        return
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + timeout
        while not try_lock(fd, mode):
            if time.monotonic() >= deadline:
                raise busy(
                    f"{path}: another forecast process has held the {what} for over {timeout:g}s; try again later"
                )
            time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def try_lock(fd: int, mode: int = fcntl.LOCK_EX | fcntl.LOCK_NB) -> bool:
    """Take ``mode`` on ``fd`` without waiting; False when another process holds a conflicting lock."""
    try:
        fcntl.flock(fd, mode)
        return True
    except BlockingIOError:
        return False


def _open_lock(lock: Path, exclusive: bool) -> int | None:
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        if exclusive or err.errno not in _CANNOT_CREATE:
            raise
    try:
        return os.open(lock, os.O_RDONLY)
    except FileNotFoundError:
        return None
