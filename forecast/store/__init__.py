"""The store: an embedded DuckDB file where every run is kept (runs, series, forecasts, scores,
target checks, conflicts), so reports can compare what was said then with what happened.

Which file: an explicit path (the CLI's ``--store``), else ``$FORECAST_STORE``, else
``$FORECAST_HOME/forecast.duckdb`` (``~/.forecast/forecast.duckdb`` by default). A lock file beside it
(``forecast.duckdb.lock``) serialises writers across processes, as DuckDB allows one writing process per file.
"""

from forecast.store.connection import check_store, open_store
from forecast.store.location import store_path
from forecast.store.lock import StoreBusyError
from forecast.store.read import latest_run_id, list_runs, read_table
from forecast.store.runs import RunRecord, Written, frame_hash, library_versions, write_run
from forecast.store.schema import DATA_TABLES, SCHEMA_VERSION, TABLES

__all__ = [
    "DATA_TABLES",
    "SCHEMA_VERSION",
    "TABLES",
    "RunRecord",
    "StoreBusyError",
    "Written",
    "check_store",
    "frame_hash",
    "latest_run_id",
    "library_versions",
    "list_runs",
    "open_store",
    "read_table",
    "store_path",
    "write_run",
]
