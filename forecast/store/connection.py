"""Open the store: take the lock, connect, and create or migrate the schema (readers only check it); check a
store whole before a run writes to it.

A store is data, whoever made the file: it is opened with DuckDB's external access off (no query can read or
write another file, load an extension or reach the network, and the setting is locked), readers open it
read-only, and a file holding views or macros — SQL that would run when a table name is read — is refused."""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from typing import Iterator

import duckdb

from forecast.errors import InputError
from forecast.store.location import store_path
from forecast.store.lock import LOCK_TIMEOUT, store_lock
from forecast.store.schema import SCHEMA_VERSION, TABLES, check_version, migrate, schema_version

DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)
"""What DuckDB raises on a truncated or overwritten file (a failed checksum raises the bare ``duckdb.Error``)."""
DATA_ONLY = {
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    "lock_configuration": True,
}
"""How every store is opened: its SQL can touch nothing but the store itself."""


@contextmanager
def open_store(
    path: str | os.PathLike | None = None, read_only: bool = False, timeout: float = LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, held under its lock until the ``with`` block ends.

    Writers (the default) create the file and migrate it to the current schema; readers share the lock with
    other readers and need an existing store at the current schema version (they work in a read-only
    directory). A file DuckDB cannot open, or whose blocks fail their checksums, is an :class:`InputError`.
    """
    path = store_path(path)
    if read_only and not path.is_file():
        raise InputError(f"{path}: no store here yet (a `forecast run` creates it)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    with store_lock(path, exclusive=not read_only, timeout=timeout):
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=DATA_ONLY)
        except duckdb.Error as err:
            raise InputError(f"{path}: cannot open as a DuckDB store: {_first_line(err)}") from None
        try:
            with _damage_reported(path):
                _refuse_code(con, path)
                try:
                    version = schema_version(con) if read_only else migrate(con)
                    check_version(version)
                except InputError as err:
                    raise InputError(f"{path}: {err}") from None
                if version < SCHEMA_VERSION:
                    raise InputError(
                        f"{path}: schema version {version} is older than {SCHEMA_VERSION}; a write migrates"
                    )
                yield con
        finally:
            con.close()


def _refuse_code(con: duckdb.DuckDBPyConnection, path) -> None:
    """Refuse a store holding views or macros (a store made by this toolkit holds tables only)."""
    views = [row[0] for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    macros = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE NOT internal AND function_type LIKE '%macro'"
        ).fetchall()
    ]
    if views or macros:
        named = ", ".join([*(f"view {v!r}" for v in views), *(f"macro {m!r}" for m in macros)][:3])
        raise InputError(f"{path}: not a forecast store: it holds {named} (a store holds tables only; none is run)")


@contextmanager
def _damage_reported(path) -> Iterator[None]:
    """A read that fails on a damaged file (truncated, or blocks failing their checksums) → :class:`InputError`."""
    try:
        yield
    except duckdb.Error as err:
        if not isinstance(err, DAMAGE) and type(err) is not duckdb.Error:
            raise
        raise InputError(f"{path}: the store is damaged: {_first_line(err)}") from None


def check_store(path: str | os.PathLike | None = None, timeout: float = LOCK_TIMEOUT) -> None:
    """Open the store for writing and read every row of every table, so a run finds out that its store is
    damaged or not writable before it computes anything, not after (an :class:`InputError` naming the file).
    A store not created yet is left uncreated: only its directory is checked for writing."""
    where = store_path(path)
    if not where.exists():
        folder = next(p for p in where.parents if p.exists())
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(
                f"{where}: cannot create the store here ({folder} is not writable); pass --store or "
                "set FORECAST_STORE to a writable place"
            )
        return
    try:
        with open_store(where, timeout=timeout) as con:
            for table in TABLES:
                con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {table} t").fetchall()
    except OSError as err:
        if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        raise InputError(
            f"{where}: cannot write the store here ({err.strerror}); pass --store or set "
            "FORECAST_STORE to a writable place"
        ) from None


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
