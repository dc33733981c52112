"""Write one run to the store: all its tables in one transaction, once per data, code and settings."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata
from typing import Mapping, NamedTuple

import duckdb
import pandas as pd

import forecast
from forecast.errors import InputError
from forecast.paths import PACKAGE, source_hash
from forecast.store.connection import open_store
from forecast.store.lock import LOCK_TIMEOUT
from forecast.store.schema import DATA_TABLES, columns, transaction

LIBRARIES = ("numpy", "pandas", "scipy", "statsmodels", "prophet", "scikit-learn", "duckdb", "matplotlib")


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries a run's numbers depend on (absent ones are left out)."""
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


@lru_cache(maxsize=1)
def code_version() -> str:
    """The toolkit's version and a hash of its source, so a changed toolkit makes a new run of the same data
    instead of reusing one computed by other code."""
    return f"{forecast.__version__}+{source_hash(sorted(PACKAGE.rglob('*.py')))[:12]}"


def frame_hash(frame: pd.DataFrame) -> str:
    """A content hash of a frame (values, dtypes and column names, not the index): the data part of a run id."""
    digest = hashlib.sha256(json.dumps([list(map(str, frame.columns)), list(map(str, frame.dtypes))]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class RunRecord:
    """What identifies and describes a run; ``run_id`` hashes the data, the code version and the settings only."""

    data_hash: str
    settings: Mapping = field(default_factory=dict)
    code_version: str = field(default_factory=code_version)
    started_at: datetime = field(default_factory=_utcnow)
    finished_at: datetime | None = None
    status: str = "ok"
    library_versions: Mapping = field(default_factory=library_versions)

    @property
    def run_id(self) -> str:
        key = {"data": self.data_hash, "code": self.code_version, "settings": self.settings}
        return hashlib.sha256(_json(key).encode()).hexdigest()[:16]


class Written(NamedTuple):
    """The outcome of :func:`write_run`: the run's id and whether this call stored it (False: it already existed)."""

    run_id: str
    created: bool


def write_run(
    store_path: str | os.PathLike | None,
    run: RunRecord,
    tables: Mapping[str, pd.DataFrame],
    timeout: float = LOCK_TIMEOUT,
) -> Written:
    """Store ``run`` and its ``tables`` (name → frame) as one run, atomically, unless that run id is stored.

    Frame columns are matched to the table's by name: missing optional columns become NULL; unknown columns,
    missing required ones or values of the wrong type are an :class:`InputError` and nothing is written.
    """
    unknown = sorted(set(tables) - set(DATA_TABLES))
    if unknown:
        raise InputError(f"cannot write table(s) {', '.join(unknown)}; tables are {', '.join(DATA_TABLES)}")
    run_id = run.run_id
    with open_store(store_path, timeout=timeout) as con:
        if con.execute("SELECT count(*) FROM runs WHERE run_id = ?", [run_id]).fetchone()[0]:
            return Written(run_id, False)
        frames = {name: _conform(con, name, frame) for name, frame in tables.items()}
        with transaction(con):
            con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    run.started_at,
                    run.finished_at or _utcnow(),
                    run.data_hash,
                    run.code_version,
                    _json(run.library_versions),
                    _json(run.settings),
                    run.status,
                ],
            )
            for name, frame in frames.items():
                if len(frame):
                    _insert(con, name, frame.assign(run_id=run_id))
    return Written(run_id, True)


def _conform(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    wanted = columns(con, table)
    given = [str(c) for c in frame.columns]
    extra = [c for c in given if c not in wanted or c == "run_id"]
    if extra:
        raise InputError(f"table {table}: unknown column(s) {', '.join(extra)} (run_id is set by the store)")
    missing = [c for c, required in wanted.items() if required and c != "run_id" and c not in given]
    if missing:
        raise InputError(f"table {table}: missing required column(s) {', '.join(missing)}")
    return frame.set_axis(given, axis=1)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("incoming", frame)  # a failed insert aborts the transaction: leave the view to con.close()
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    except (duckdb.ConversionException, duckdb.ConstraintException, duckdb.BinderException) as err:
        raise InputError(f"table {table}: {str(err).splitlines()[0]}") from None
    con.unregister("incoming")


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
