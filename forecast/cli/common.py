"""What every CLI command shares: any error → one line on stderr (exit 2 bad input, 1 failure) and no traceback
unless ``--debug``; tables printed as text, CSV or JSON.

The CLI modules import only typer and light modules at the top and the rest inside the commands, so that
``--help`` answers at once; pandas is imported here only where a table is printed."""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import warnings
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Iterator

import typer
from typer.core import TyperGroup

from forecast.defaults import ENGINES
from forecast.errors import InputError, ValidationError
from forecast.locking import LockBusyError

if TYPE_CHECKING:
    import pandas as pd

EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1
DEBUG_ENV = "FORECAST_DEBUG"


class OutputFormat(str, Enum):
    """How a command prints its result: a table for people, CSV or JSON for programs."""

    table = "table"
    csv = "csv"
    json = "json"


Engine = Enum("Engine", {name: name for name in ENGINES}, type=str)
"""Where a command's fits run (``--engine``): :data:`forecast.defaults.ENGINES`."""


def model_option(default: str):
    """The repeatable ``--model`` option of predict and backtest; ``default`` says what runs without it."""
    return typer.Option(
        None,
        "--model",
        "-m",
        help=f"Model (see `forecast models`), with parameters if wanted: 'lags(regressor=gbr, n_lags=4)'; repeat for "
        f"several. Default: {default}.",
    )


class SummaryFormat(str, Enum):
    """How a command prints a result that is more than one table: text for people or JSON for programs."""

    table = "table"
    json = "json"


class QuickHelpGroup(TyperGroup):
    """A command group whose ``--help`` flag defaults to False: typer validates a flag left unset through pydantic
    (a fifth of a second to import), which ``forecast CMD --help`` would otherwise pay for the group's own flag."""

    def get_help_option(self, ctx: typer.Context):
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option


class ReportingGroup(QuickHelpGroup):
    """The ``forecast`` command group: every command under it runs inside :func:`reported_errors`."""

    def invoke(self, ctx: typer.Context):
        debug = bool(ctx.params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in ("", "0")
        with reported_errors(debug):
            return super().invoke(ctx)


@contextmanager
def reported_errors(debug: bool = False) -> Iterator[None]:
    """Turn any error into one line on stderr (every ``file:line: field: reason`` for a validation error) and
    an exit code: 2 for bad input, 1 for a failure. Library warnings are silenced, so nothing is printed before
    the error; with ``debug`` warnings show and the error propagates with its traceback."""
    with warnings.catch_warnings():
        if not debug:
            warnings.simplefilter("ignore")
        try:
            yield
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own exit, usage and help handling
            raise
        except (Exception, KeyboardInterrupt) as err:
            if debug:
                raise
            lines, code = explain(err)
            _close_progress_bars()
            for line in lines:
                typer.echo(line, err=True)
            raise typer.Exit(code) from None


BAD_INPUT_ERRNOS = {
    errno.ENOENT,
    errno.EISDIR,
    errno.ENOTDIR,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EEXIST,
    errno.EINVAL,
}
"""OS errors about the paths or permissions a user gave (exit 2); others (disk full, I/O error) exit 1."""


def explain(err: BaseException) -> tuple[list[str], int]:
    """The lines to print for ``err`` and the exit code (see :func:`reported_errors`)."""
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    if isinstance(err, ValidationError):
        return err.problems, EXIT_BAD_INPUT
    if isinstance(err, InputError):
        return [f"error: {err}"], EXIT_BAD_INPUT
    if isinstance(err, LockBusyError):
        return [f"error: {err}"], EXIT_FAILURE
    if isinstance(err, BrokenPipeError):  # the reader of our output went away (``| head``): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return [], EXIT_FAILURE
    if isinstance(err, OSError):
        where = f"{err.filename}: " if err.filename else ""
        code = EXIT_BAD_INPUT if err.errno in BAD_INPUT_ERRNOS else EXIT_FAILURE
        return [f"error: {where}{err.strerror or first}"], code
    if type(err).__name__ == "OutOfBoundsDatetime":  # pandas' (imported only by the commands that need it)
        from forecast.limits import FIRST_DATE, LAST_DATE

        return [
            f"error: a date is out of range ({first}); supported dates are {FIRST_DATE.date()} .. {LAST_DATE.date()}"
        ], EXIT_BAD_INPUT
    if type(err).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        if "no space left" in first.lower() or "disk is full" in first.lower():
            return [
                f"error: the disk is full ({first}); free some space and run again: a failed write leaves the "
                "store as it was"
            ], EXIT_FAILURE
        return [
            f"error: the store could not be read or written ({first}); it may be damaged: move it aside "
            "and run again, or pass another --store"
        ], EXIT_FAILURE
    if isinstance(err, MemoryError):
        return ["error: out of memory; ask for fewer --samples or a shorter --horizon"], EXIT_FAILURE
    if isinstance(err, KeyboardInterrupt):
        return ["interrupted"], 130
    return [
        f"error: unexpected {type(err).__name__}: {first}; rerun with --debug (or {DEBUG_ENV}=1) for the traceback"
    ], EXIT_FAILURE


def _close_progress_bars() -> None:
    """Clear unfinished progress bars so the error starts on a line of its own."""
    tqdm = sys.modules.get("tqdm")
    for bar in list(getattr(getattr(tqdm, "tqdm", None), "_instances", ())):
        bar.close()


def emit(frame: pd.DataFrame, fmt: OutputFormat | str = OutputFormat.table) -> None:
    """Print a frame to stdout as an aligned table (numbers as people write them), CSV (six significant
    figures) or JSON records (dates as ISO strings)."""

    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.json:
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", indent=1) + "\n")
    elif fmt is OutputFormat.csv:
        frame.to_csv(sys.stdout, index=False, float_format="%.6g", date_format="%Y-%m-%d")
    else:
        typer.echo(table_text(frame) if len(frame) else "(nothing to show)")


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as people write them: whole numbers and large values with thousands separators and no decimals
    (5,351 trains, not 5351.000000), small fractional values to three significant figures; dates without a
    time of day; missing values blank."""
    import numpy as np
    import pandas as pd

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


def table_text(frame: pd.DataFrame) -> str:
    """A frame as an aligned text table: numbers (see :func:`readable`) right-aligned under their headers,
    everything else left-aligned, two spaces between columns."""
    import pandas as pd

    shown = readable(frame)
    columns = []
    for name in shown.columns:
        cells = ["" if v is None else str(v) for v in shown[name]]
        numeric = pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name])
        width = max([len(str(name)), *map(len, cells)])
        pad = str.rjust if numeric else str.ljust
        columns.append([pad(str(name), width), *(pad(cell, width) for cell in cells)])
    return "\n".join("  ".join(row).rstrip() for row in zip(*columns))


def _number(value, whole: bool) -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return ""
    if math.isinf(value):
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
        return None if value != value else value.isoformat()  # NaT is not equal to itself
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
