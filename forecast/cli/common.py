"""What every CLI command shares: bad input → one line on stderr and exit 2; tables printed as text, CSV or JSON."""

from __future__ import annotations

import functools
import json
import math
import sys
from enum import Enum
from typing import Callable

import numpy as np
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
    """Print a frame to stdout as an aligned table (numbers as people write them), CSV (six significant
    figures) or JSON records (dates as ISO strings)."""
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")
    elif fmt is OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False, float_format="%.6g", date_format="%Y-%m-%d")
    else:
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            typer.echo(readable(frame).to_string(index=False) if len(frame) else "(nothing to show)")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as people write them: whole numbers and large values with thousands separators and no decimals
    (5,351 trains, not 5351.000000), small fractional values to three significant figures; dates without a
    time of day; missing values blank."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
            finite = values[np.isfinite(values.astype(float))]
            whole = bool(len(finite)) and (np.all(np.abs(finite) >= 100) or np.allclose(finite, np.round(finite)))
            out[column] = [_number(v, whole) for v in values]
    return out


def _number(value, whole: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"
    return f"{value:,.0f}" if whole else f"{value:,.3g}"


def emit_json(payload) -> None:
    """Print any payload as strict JSON (numpy scalars and timestamps converted; NaN and ±inf as null, as
    ``emit`` writes them, so every JSON parser reads the output)."""
    typer.echo(json.dumps(_strict(payload), indent=1, allow_nan=False))


def _strict(value):
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    if hasattr(value, "isoformat"):
        return None if pd.isna(value) else value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
