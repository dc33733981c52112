"""Which file is the store: an explicit path, else ``$FORECAST_STORE``, else ``$FORECAST_HOME/forecast.duckdb``."""

from __future__ import annotations

import os
from pathlib import Path

from forecast.paths import home

STORE_ENV = "FORECAST_STORE"
STORE_NAME = "forecast.duckdb"


def store_path(path: str | os.PathLike | None = None) -> Path:
    """The store file to use: ``path`` if given, else ``$FORECAST_STORE``, else ``home() / "forecast.duckdb"``."""
    chosen = path if path is not None else os.environ.get(STORE_ENV) or home() / STORE_NAME
    return Path(chosen).expanduser()
