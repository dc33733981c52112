"""A lock file beside the store, because DuckDB lets only one process at a time open a file for writing.

Writers take it exclusively and readers shared (``fcntl.flock``), so concurrent runs queue instead of failing on
DuckDB's own lock; a waiter gives up after ``timeout`` seconds with :class:`StoreBusyError`.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOCK_TIMEOUT = 120.0
POLL_SECONDS = 0.05


class StoreBusyError(TimeoutError):
    """Another process kept the store locked for longer than the timeout (a transient failure: retry later)."""


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


@contextmanager
def store_lock(store: Path, exclusive: bool, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's lock (exclusive for writers, shared for readers), waiting up to ``timeout`` seconds."""
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"{store}: another forecast process has held the store for over {timeout:g}s; try again later"
                    ) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
