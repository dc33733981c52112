"""The store's lock, because DuckDB lets only one process at a time open a file for writing: writers take it
exclusively and readers shared (:mod:`forecast.locking`), so concurrent runs queue instead of failing on DuckDB's
own lock; a waiter gives up after ``timeout`` seconds with :class:`StoreBusyError`.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from forecast.locking import LOCK_TIMEOUT, LockBusyError, hold_lock, lock_path

__all__ = ["LOCK_TIMEOUT", "StoreBusyError", "lock_path", "store_lock"]


class StoreBusyError(LockBusyError):
    """Another process kept the store locked for longer than the timeout (a transient failure: retry later)."""


@contextmanager
def store_lock(store: Path, exclusive: bool, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the store's lock (exclusive for writers, shared for readers), waiting up to ``timeout`` seconds."""
    with hold_lock(store, exclusive, timeout, busy=StoreBusyError, what="store"):
        yield
