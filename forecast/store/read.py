"""Read the store for reports and notebooks: the runs, the latest one, and any table as a frame."""

from __future__ import annotations

import os

import pandas as pd

from forecast.errors import InputError
from forecast.store.connection import open_store
from forecast.store.lock import LOCK_TIMEOUT
from forecast.store.schema import TABLES

RUN_ORDER = "started_at, run_id"


def list_runs(path: str | os.PathLike | None = None, timeout: float = LOCK_TIMEOUT) -> pd.DataFrame:
    """Every run, oldest first (``settings`` and ``library_versions`` are JSON text)."""
    with open_store(path, read_only=True, timeout=timeout) as con:
        return con.execute(f"SELECT * FROM runs ORDER BY {RUN_ORDER}").fetchdf()


def latest_run_id(path: str | os.PathLike | None = None, timeout: float = LOCK_TIMEOUT) -> str:
    """The id of the most recently started run; an empty store is an :class:`InputError`."""
    runs = list_runs(path, timeout)
    if runs.empty:
        raise InputError("the store holds no runs yet")
    return str(runs["run_id"].iloc[-1])


def read_table(
    path: str | os.PathLike | None, table: str, run_id: str | None = None, timeout: float = LOCK_TIMEOUT
) -> pd.DataFrame:
    """One table, for every run or only ``run_id``, in a stable order (runs by start time, others by all columns)."""
    if table not in TABLES:
        raise InputError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
    order = RUN_ORDER if table == "runs" else "ALL"
    with open_store(path, read_only=True, timeout=timeout) as con:
        if run_id is None:
            return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchdf()
        if not con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]:
            raise InputError(f"no run {run_id!r} in the store")
        return con.execute(f"SELECT * FROM {table} WHERE run_id = ? ORDER BY {order}", [run_id]).fetchdf()
