"""Long-format series input (``unique_id``, ``ds``, ``y``): read a CSV or take a frame, check it, normalise it.

``forecast predict`` and ``forecast backtest`` accept the same input, so both go through here and a bad row gets
the same one-line message, ``<file>:<line>: <field>: <reason>`` (``row <line>`` for a frame, counting its header
as line 1 as if it had been read from a CSV). Reading is strict: nothing is forecast from a half-valid file.
A blank ``y`` (or NA, NaN, null) is a missing value (a gap the orchestrator fills and reports); text that is not a number is an
error. Counts cannot be negative, so a negative ``y`` is an error unless ``allow_negative`` says the series
are not counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.frequency import regular_index

MISSING_TOKENS = ("", "na", "n/a", "nan", "null", "none")


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file as a frame of strings, keeping one row per file line after the header (blank lines as empty
    rows, so positions map back to line numbers); unreadable files are an :class:`InputError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read CSV: {str(err).splitlines()[0]}") from None


def normalise(
    df: pd.DataFrame,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    y_col: str = "y",
    source: str | Path | None = None,
    allow_negative: bool = False,
    min_points: int = 1,
) -> pd.DataFrame:
    """Check ``df`` and return it as ``unique_id`` (str), ``ds`` (Timestamp), ``y`` (float, NaN for blanks).

    Raises an :class:`InputError` at the first problem: a missing column, an empty id, an unparseable date or
    number, an infinite or (unless ``allow_negative``) negative value, a repeated (series, date), or a series
    with fewer than ``min_points`` observed values.
    """
    missing = [c for c in (id_col, ds_col, y_col) if c not in df.columns]
    if missing:
        where = f"{source}:1: header: " if source is not None else ""
        raise InputError(f"{where}no column(s) {', '.join(missing)}; columns are {', '.join(map(str, df.columns))}")
    blank_row = df[[id_col, ds_col, y_col]].astype(str).apply(lambda c: c.str.strip()).eq("").all(axis=1)
    lines = np.flatnonzero(~blank_row.to_numpy()) + 2
    df = df[~blank_row.to_numpy()]
    if df.empty:
        raise InputError(f"{source or 'input'}: no rows")

    def fail(position: int, field: str, reason: str):
        where = f"{source}:{lines[position]}" if source is not None else f"row {lines[position]}"
        raise InputError(f"{where}: {field}: {reason}")

    ids = df[id_col].astype(str).str.strip()
    empty = np.flatnonzero((ids.eq("") | df[id_col].isna()).to_numpy())
    if len(empty):
        fail(empty[0], id_col, "empty series id")
    ds = pd.to_datetime(df[ds_col], errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna().to_numpy())[0])
        fail(i, ds_col, f"unparseable date {df[ds_col].iloc[i]!r}")
    y = _numbers(df[y_col], lambda i, reason: fail(i, y_col, reason))
    if not allow_negative and (y < 0).any():
        i = int(np.flatnonzero(y < 0)[0])
        fail(i, y_col, f"negative value {y[i]:g}: counts cannot be negative")
    data = pd.DataFrame({"unique_id": ids.to_numpy(), "ds": ds.to_numpy(), "y": y})
    dup = data.duplicated(["unique_id", "ds"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        fail(i, ds_col, f"series {data['unique_id'].iloc[i]!r} has a second value at {data['ds'].iloc[i].date()}")
    if min_points > 1:
        observed = data["y"].notna().groupby(data["unique_id"], sort=False).transform("sum").to_numpy()
        short = np.flatnonzero(observed < min_points)
        if len(short):
            i = int(short[0])
            fail(i, y_col, f"series {data['unique_id'].iloc[i]!r} has {int(observed[i])} observed value(s); "
                           f"at least {min_points} are needed to forecast it with an interval")
    return data


def _numbers(column: pd.Series, fail) -> np.ndarray:
    """Floats from a column of numbers or strings: blanks → NaN; anything else that is not finite → ``fail``."""
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float)
    else:
        text = column.astype(str).str.strip()
        blank = text.str.lower().isin(MISSING_TOKENS) | column.isna().to_numpy()
        values = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(np.isnan(values) & ~blank.to_numpy())
        if len(bad):
            fail(int(bad[0]), f"not a number: {column.iloc[bad[0]]!r}")
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        fail(int(infinite[0]), f"not a finite number: {column.iloc[infinite[0]]!r}")
    return values


def regular_series(data: pd.DataFrame, freq) -> Iterator[tuple[str, pd.DatetimeIndex, np.ndarray]]:
    """Each series of a normalised long frame as (id, every date from its first to last at ``freq``, values with
    gaps as NaN); date grids are built once per distinct (first, last) pair, the slow part on many series."""
    data = data.sort_values(["unique_id", "ds"], kind="stable")
    ids, ds_all, y_all = data["unique_id"].to_numpy(), data["ds"].to_numpy(), data["y"].to_numpy(float)
    bounds = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1], True])
    grids: dict[tuple, pd.DatetimeIndex] = {}
    for a, b in zip(bounds[:-1], bounds[1:]):
        ds, values = ds_all[a:b], y_all[a:b]
        key = (ds[0], ds[-1])
        if key not in grids:
            grids[key] = regular_index(pd.Series(ds[[0, -1]]), freq)
        index = grids[key]
        if len(index) == len(ds) and np.array_equal(index.to_numpy(), ds):
            yield str(ids[a]), index, values
        else:
            yield str(ids[a]), index, pd.Series(values, index=pd.DatetimeIndex(ds)).reindex(index).to_numpy(float)
