"""Open the store: take the lock, connect, and create or migrate the schema (readers only check it)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

import duckdb

from forecast.errors import InputError
from forecast.store.location import store_path
from forecast.store.lock import LOCK_TIMEOUT, store_lock
from forecast.store.schema import SCHEMA_VERSION, check_version, migrate, schema_version


@contextmanager
def open_store(
    path: str | os.PathLike | None = None, read_only: bool = False, timeout: float = LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, held under its lock until the ``with`` block ends.

    Writers (the default) create the file and migrate it to the current schema; readers share the lock with
    other readers and need an existing store at the current schema version.
    """
    path = store_path(path)
    if read_only and not path.is_file():
        raise InputError(f"{path}: no store here yet (a `forecast run` creates it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    with store_lock(path, exclusive=not read_only, timeout=timeout):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except (duckdb.IOException, duckdb.InvalidInputException, duckdb.SerializationException) as err:
            raise InputError(f"{path}: cannot open as a DuckDB store: {str(err).splitlines()[0]}") from None
        try:
            try:
                version = schema_version(con) if read_only else migrate(con)
                check_version(version)
            except InputError as err:
                raise InputError(f"{path}: {err}") from None
            if version < SCHEMA_VERSION:
                raise InputError(f"{path}: schema version {version} is older than {SCHEMA_VERSION}; a write migrates")
            yield con
        finally:
            con.close()
