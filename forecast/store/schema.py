"""The store's tables, as migrations: one function per schema version, applied in order when a store is opened.

Every table is long format and keyed by ``run_id``: one row of ``runs`` per run. Column meanings:

- ``runs``: one row per run; ``settings`` and ``library_versions`` are JSON text, times are UTC.
- ``series``: the reconciled history as of the run; ``y_lo``/``y_hi`` bound the value (``y_hi`` NULL or +inf means
  unbounded above), ``sources`` holds ``;``-joined observation ids, ``flags`` free text.
- ``forecasts``: one row per series, model and date, with fixed columns for the mean, the 10/50/90% quantiles and
  the 80% and 95% central intervals (fixed columns, not a level column, so a row reads as one forecast). From v3
  these are the outlook's: ``freq`` (annual rows for years, monthly rows for months), ``as_of`` (the date the
  data ran to), ``status`` (in progress / forecast / not yet published), ``observed`` and ``observed_through``
  (what the year had run by then), ``prior_mean`` (the annual model's mean before that year's facts), ``p_up``
  (the share of paths above the year before) and ``notes``; from v6 ``reconciled``, the method the outlook was
  reconciled with its hierarchy by (NULL: the series alone; rows stored before v6 take their run's ``hierarchy``
  setting).
- ``scores``: backtest metrics, one row per series, model and metric.
- ``target_checks``: the rows of :func:`forecast.targets.check_all_targets`; ``target_key`` (v2) identifies a
  target across runs (``target``, the label, did in v1 and still does for rows without a key),
  ``lo_80``/``hi_80`` is the 80% interval of the outcome; ``outcome`` the reconciled value
  once known and ``outcome_lo``/``outcome_hi`` what the facts allow for it (v2), from which ``met`` is decided.
- ``no_outlooks`` (v4): the series with facts but no outlook on the run's date, why (``stale``: the latest known
  year is too old and nothing is known about the year in progress), and the latest year with a value and that value.
- ``run_facts`` (v5): the id of every fact the run read and when it became public, so the next run can tell the
  facts that arrived since (new ones, and late additions with an old publication date) from those it had.
- ``news`` (v5): what moved the outlook since the previous run (:mod:`forecast.outlook.news`): per series and
  year one row per step of new facts (``kind`` fact) and one for everything else (``other``), each with the
  series' ``before`` and ``after``; ``target`` rows for target odds that moved; ``arrived`` rows list every fact
  that arrived (``note``: new or a late addition) and one ``summary`` row says what else changed.
- ``pace`` (v5): where the year in progress stands (:mod:`forecast.outlook.pace`): per series the cumulative
  facts, the outlook's cumulated monthly paths, last year's and the typical year's pace, by date (``line``).
- ``conflicts``: facts that disagreed during reconciliation: which fact, what it violated and whether it was kept;
  from v3 also the series, the period's end, the statement, how much it missed by (in units and relative), the
  kept facts it clashed with (``against``, never the fact itself) and how it was resolved.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Callable, Iterator

import duckdb

from forecast.errors import InputError

V1 = """
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, data_hash TEXT NOT NULL,
    code_version TEXT NOT NULL, library_versions TEXT, settings TEXT NOT NULL, status TEXT NOT NULL
);
CREATE TABLE series (
    run_id TEXT NOT NULL, unique_id TEXT NOT NULL, entity TEXT, metric TEXT, basis TEXT, freq TEXT,
    ds DATE NOT NULL, y DOUBLE, y_lo DOUBLE, y_hi DOUBLE, sources TEXT, flags TEXT
);
CREATE TABLE forecasts (
    run_id TEXT NOT NULL, unique_id TEXT NOT NULL, model TEXT NOT NULL, ds DATE NOT NULL, mean DOUBLE,
    q10 DOUBLE, q50 DOUBLE, q90 DOUBLE, lo_80 DOUBLE, hi_80 DOUBLE, lo_95 DOUBLE, hi_95 DOUBLE
);
CREATE TABLE scores (
    run_id TEXT NOT NULL, unique_id TEXT NOT NULL, model TEXT NOT NULL, metric TEXT NOT NULL, value DOUBLE
);
CREATE TABLE target_checks (
    run_id TEXT NOT NULL, target TEXT NOT NULL, entity TEXT, metric TEXT, period_end DATE, kind TEXT,
    comparison TEXT, threshold DOUBLE, sources TEXT, as_of DATE, probability DOUBLE, expected DOUBLE,
    lo_80 DOUBLE, hi_80 DOUBLE, observed DOUBLE, observed_through DATE, needed_per_day DOUBLE,
    observed_per_day DOUBLE, stated_per_day DOUBLE, model TEXT, used TEXT, method TEXT, outcome DOUBLE,
    met BOOLEAN, notes TEXT
);
CREATE TABLE conflicts (
    run_id TEXT NOT NULL, entity TEXT, metric TEXT, basis TEXT, ds DATE, fact_id TEXT, violation TEXT,
    kept BOOLEAN, note TEXT
);
"""

V2 = """
ALTER TABLE target_checks ADD COLUMN outcome_lo DOUBLE;
ALTER TABLE target_checks ADD COLUMN outcome_hi DOUBLE;
ALTER TABLE target_checks ADD COLUMN target_key TEXT;
"""

V3 = """
ALTER TABLE forecasts ADD COLUMN freq TEXT;
ALTER TABLE forecasts ADD COLUMN status TEXT;
ALTER TABLE forecasts ADD COLUMN observed DOUBLE;
ALTER TABLE forecasts ADD COLUMN observed_through DATE;
ALTER TABLE forecasts ADD COLUMN observed_text TEXT;
ALTER TABLE forecasts ADD COLUMN as_of DATE;
ALTER TABLE forecasts ADD COLUMN prior_mean DOUBLE;
ALTER TABLE forecasts ADD COLUMN p_up DOUBLE;
ALTER TABLE forecasts ADD COLUMN notes TEXT;
ALTER TABLE conflicts ADD COLUMN unique_id TEXT;
ALTER TABLE conflicts ADD COLUMN period_end DATE;
ALTER TABLE conflicts ADD COLUMN statement TEXT;
ALTER TABLE conflicts ADD COLUMN missed_by DOUBLE;
ALTER TABLE conflicts ADD COLUMN relative DOUBLE;
ALTER TABLE conflicts ADD COLUMN against TEXT;
ALTER TABLE conflicts ADD COLUMN resolution TEXT;
"""

V4 = """
CREATE TABLE no_outlooks (
    run_id TEXT NOT NULL, unique_id TEXT NOT NULL, reason TEXT, stale BOOLEAN, latest_year INTEGER,
    latest_value DOUBLE
);
"""

V5 = """
CREATE TABLE run_facts (run_id TEXT NOT NULL, fact_id TEXT NOT NULL, known_from DATE);
CREATE TABLE news (
    run_id TEXT NOT NULL, unique_id TEXT, year INTEGER, since DATE, as_of DATE, before DOUBLE, after DOUBLE,
    kind TEXT NOT NULL, step INTEGER, published DATE, fact_ids TEXT, what TEXT, contribution DOUBLE, note TEXT
);
CREATE TABLE pace (
    run_id TEXT NOT NULL, unique_id TEXT NOT NULL, line TEXT NOT NULL, ds DATE NOT NULL, y DOUBLE, y_lo DOUBLE,
    y_hi DOUBLE, lo_80 DOUBLE, hi_80 DOUBLE, lo_95 DOUBLE, hi_95 DOUBLE, sources TEXT
);
"""

V6 = """
ALTER TABLE forecasts ADD COLUMN reconciled TEXT;
"""


def _v6(con: duckdb.DuckDBPyConnection) -> None:
    """The ``reconciled`` column, filled for the runs stored before it from their ``hierarchy`` setting."""
    con.execute(V6)
    for run_id, settings in con.execute("SELECT run_id, settings FROM runs").fetchall():
        method = json.loads(settings).get("hierarchy")
        if method is not None:
            con.execute("UPDATE forecasts SET reconciled = ? WHERE run_id = ?", [method, run_id])


MIGRATIONS: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    1: lambda con: con.execute(V1),
    2: lambda con: con.execute(V2),
    3: lambda con: con.execute(V3),
    4: lambda con: con.execute(V4),
    5: lambda con: con.execute(V5),
    6: _v6,
}
SCHEMA_VERSION = max(MIGRATIONS)
DATA_TABLES = (
    "series",
    "forecasts",
    "scores",
    "target_checks",
    "conflicts",
    "no_outlooks",
    "run_facts",
    "news",
    "pace",
)
TABLES = ("runs", *DATA_TABLES)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The file's schema version: 0 for an empty file; a database of something else is an :class:`InputError`."""
    names = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if "schema_version" not in names:
        if names:
            raise InputError("not a forecast store: it holds other tables and no schema_version")
        return 0
    return int(con.execute("SELECT max(version) FROM schema_version").fetchone()[0])


def check_version(version: int) -> None:
    """Refuse a store written by a newer toolkit, whose tables this one cannot read."""
    if version > SCHEMA_VERSION:
        raise InputError(f"store has schema version {version}; this forecast reads up to {SCHEMA_VERSION}: upgrade it")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the store to :data:`SCHEMA_VERSION`, one transaction per version step; returns the version."""
    version = schema_version(con)
    check_version(version)
    for step in range(version + 1, SCHEMA_VERSION + 1):
        with transaction(con):
            MIGRATIONS[step](con)
            con.execute("INSERT INTO schema_version VALUES (?)", [step])
    return SCHEMA_VERSION


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back when it raises (anything, even an interrupt)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:  # DuckDB already ended the failed transaction (a full disk): the first error stands
            pass
        raise


def columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, bool]:
    """Column name → whether it is required (NOT NULL), in table order, read from the database itself."""
    query = (
        "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position"
    )
    rows = con.execute(query, [table]).fetchall()
    return {name: nullable == "NO" for name, nullable in rows}
