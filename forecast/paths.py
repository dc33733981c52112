"""Where the toolkit keeps user state: user observations, the DuckDB store, logs (``$FORECAST_HOME``)."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import IO, Callable


def home() -> Path:
    """The user's forecast directory: ``$FORECAST_HOME`` or ``~/.forecast``."""
    return Path(os.environ.get("FORECAST_HOME", Path.home() / ".forecast")).expanduser()


def bundled(name: str) -> Path:
    """Path of a file shipped in the bundled dataset (works after a non-editable install)."""
    return Path(str(resources.files("forecast.datasets").joinpath(name)))


def write_atomically(path: str | os.PathLike, write: Callable[[IO], None], binary: bool = False) -> None:
    """Call ``write(handle)`` on a temporary file beside ``path``, then rename it into place: a reader (or a
    killed run) never sees half a file, and a failed write leaves the old file untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"newline": "", "encoding": "utf-8"})) as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
