"""Where the toolkit keeps user state: user observations, the DuckDB store, logs (``$FORECAST_HOME``)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def home() -> Path:
    """The user's forecast directory: ``$FORECAST_HOME`` or ``~/.forecast``."""
    return Path(os.environ.get("FORECAST_HOME", Path.home() / ".forecast")).expanduser()


def bundled(name: str) -> Path:
    """Path of a file shipped in the bundled dataset (works after a non-editable install)."""
    return Path(str(resources.files("forecast.datasets").joinpath(name)))
