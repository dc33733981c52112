"""What every CLI command shares: bad input → one line on stderr and exit 2; tables printed as text, CSV or JSON."""

from __future__ import annotations

import functools
import json
import sys
from enum import Enum
from typing import Callable

import pandas as pd
import typer

from forecast.errors import InputError, ValidationError

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class OutputFormat(str, Enum):
    """How a command prints its result: a table for people, CSV or JSON for programs."""

    table = "table"
    csv = "csv"
    json = "json"


def handles_input_errors(command: Callable) -> Callable:
    """Wrap a command so an :class:`InputError` prints ``error: …`` (every problem for validation) and exits 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValidationError as err:
            for problem in err.problems:
                typer.echo(problem, err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except InputError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper


def emit(frame: pd.DataFrame, fmt: OutputFormat | str = OutputFormat.table) -> None:
    """Print a frame to stdout as an aligned table, CSV or JSON records (dates as ISO strings)."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")
    elif fmt is OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200):
            typer.echo(frame.to_string(index=False) if len(frame) else "(nothing to show)")


def emit_json(payload) -> None:
    """Print any JSON-serialisable payload (numpy scalars and timestamps converted)."""
    typer.echo(json.dumps(payload, indent=1, default=_jsonable))


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
