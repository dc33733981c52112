"""Long-format series input (``unique_id``, ``ds``, ``y``): read a CSV or take a frame, check it, normalise it.

``forecast predict`` and ``forecast backtest`` accept the same input, so both go through here and a bad row gets
the same one-line message, ``<file>:<line>: <field>: <reason>`` (``row <line>`` for a frame, counting its header
as line 1 as if it had been read from a CSV). Reading is strict: nothing is forecast from a half-valid file.
A blank ``y`` (or NA, NaN, null) is a missing value (a gap the orchestrator fills and reports); text that is not a
number is an error. Counts cannot be negative, so a negative ``y`` is an error unless ``allow_negative`` says the
series are not counts."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.frequency import FREQUENCIES, Frequency, frequency_of_spacing, regular_index
from forecast.limits import FIRST_DATE, LAST_DATE, MAX_SERIES_VALUE, date_problem
from forecast.paths import read_text

MISSING_TOKENS = ("", "na", "n/a", "nan", "null", "none")


def read_csv(path: str | Path) -> pd.DataFrame:
    """A CSV file as a frame of strings, keeping one row per file line after the header (blank lines as empty
    rows, so positions map back to line numbers); unreadable files are an :class:`InputError` naming the file."""
    path = Path(path)
    text = read_text(path)
    if "\x00" in text:  # pandas would cut the field at it and read "1\x002" as 1
        raise InputError(f"{path}:{text.count(chr(10), 0, text.index(chr(0))) + 1}: file: contains a NUL byte")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise InputError(f"{path}: cannot read CSV: {str(err).splitlines()[0]}") from None


def on_grid(
    df: pd.DataFrame,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    y_col: str = "y",
    source: str | Path | None = None,
    allow_negative: bool = False,
    min_points: int = 1,
    freq: str | None = None,
) -> tuple[pd.DataFrame, Frequency]:
    """Check ``df`` and return it as ``unique_id`` (str), ``ds`` (Timestamp), ``y`` (float, NaN for blanks), with
    the one frequency every series follows: ``freq``, else each series' own, inferred from its dates.

    Raises an :class:`InputError` at the first problem: a missing column, an empty id, an unparseable date or
    one outside :mod:`forecast.limits`' dates, a value that is not a number, infinite, too large or (unless
    ``allow_negative``) negative, a repeated (series, date), a series with fewer than ``min_points`` observed
    values, series of different frequencies, or a date off its series' grid (a whole number of steps from its
    first date), which making the series regular would otherwise drop without a word.
    """
    if freq is not None and freq not in FREQUENCIES:
        raise InputError(f"freq must be one of {', '.join(FREQUENCIES)}, got {freq!r}")
    data, where = _checked(df, id_col, ds_col, y_col, source, allow_negative, min_points)
    frequency = FREQUENCIES[freq] if freq else _common_frequency(data, where)
    off = np.flatnonzero(~_on_grid(data, frequency))
    if len(off):
        i = int(off[0])
        first = data.loc[data["unique_id"] == data["unique_id"].iloc[i], "ds"].min()
        raise InputError(
            f"{where(i)}: {ds_col}: series {data['unique_id'].iloc[i]!r}: "
            f"{data['ds'].iloc[i].date()} is not on its {frequency.name} grid from {first.date()} "
            f"(dates one {frequency.name} step apart; gaps are allowed)"
        )
    return data, frequency


def _checked(df, id_col, ds_col, y_col, source, allow_negative, min_points):
    """The checked frame and ``where(position)``: the ``file:line`` (or ``row line``) of a row."""
    missing = [c for c in (id_col, ds_col, y_col) if c not in df.columns]
    if missing:
        where = f"{source}:1: header: " if source is not None else ""
        raise InputError(f"{where}no column(s) {', '.join(missing)}; columns are {', '.join(map(str, df.columns))}")
    blank_row = df[[id_col, ds_col, y_col]].astype(str).apply(lambda c: c.str.strip()).eq("").all(axis=1)
    lines = np.flatnonzero(~blank_row.to_numpy()) + 2
    df = df[~blank_row.to_numpy()]
    if df.empty:
        raise InputError(f"{source or 'input'}: no rows")

    def where(position: int) -> str:
        return f"{source}:{lines[position]}" if source is not None else f"row {lines[position]}"

    def fail(position: int, field: str, reason: str):
        raise InputError(f"{where(position)}: {field}: {reason}")

    ids = df[id_col].astype(str).str.strip()
    empty = np.flatnonzero((ids.eq("") | df[id_col].isna()).to_numpy())
    if len(empty):
        fail(empty[0], id_col, "empty series id")
    _refuse_unclear_dates(df[ds_col], lambda i, reason: fail(i, ds_col, reason))
    ds = pd.to_datetime(df[ds_col], errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna().to_numpy())[0])
        fail(i, ds_col, f"unparseable date {df[ds_col].iloc[i]!r}")
    outside = np.flatnonzero(((ds < FIRST_DATE) | (ds > LAST_DATE)).to_numpy())
    if len(outside):
        fail(int(outside[0]), ds_col, date_problem(ds.iloc[int(outside[0])]))
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
            fail(
                i,
                y_col,
                f"series {data['unique_id'].iloc[i]!r} has {int(observed[i])} observed value(s); "
                f"at least {min_points} are needed to forecast it with an interval",
            )
    return data, where


_DAY_MONTH = re.compile(r"^\s*[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}\b")
_TIME_ZONE = re.compile(r"[0-9][T ][0-9:.]+\s*(?:Z|UTC|GMT|[+-][0-9]{2}:?[0-9]{2})\s*$", re.IGNORECASE)


def _refuse_unclear_dates(column: pd.Series, fail) -> None:
    """Refuse dates that would be read without a word in one of two ways: ``01/02/2020`` (day or month first?)
    and dates with a time zone (series dates are local days; mixing zones shifts them across midnight)."""
    if isinstance(getattr(column, "dtype", None), pd.DatetimeTZDtype):
        fail(0, "dates have a time zone; give local dates (YYYY-MM-DD)")
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return
    text = column.astype(str)
    for pattern, reason in (
        (_DAY_MONTH, "is day-first or month-first? write dates as YYYY-MM-DD"),
        (_TIME_ZONE, "has a time zone; give local dates (YYYY-MM-DD, or with a time of day and no zone)"),
    ):
        found = np.flatnonzero(text.str.contains(pattern).to_numpy())
        if len(found):
            fail(int(found[0]), f"{text.iloc[int(found[0])]!r} {reason}")


def _common_frequency(data: pd.DataFrame, where) -> Frequency:
    """The frequency every series with two or more dates follows, each inferred from the median spacing of its
    own distinct dates (as :func:`forecast.frequency.infer_frequency` does), all series at once."""
    first_row = pd.Series(data.index, index=data.index).groupby(data["unique_id"], sort=False).min()
    dates = data.loc[data["ds"].notna(), ["unique_id", "ds"]].drop_duplicates().sort_values(["unique_id", "ds"])
    gaps = dates.groupby("unique_id", sort=False)["ds"].diff().dt.total_seconds() / 86_400
    spacing = gaps.groupby(dates["unique_id"], sort=False).median().dropna()
    if spacing.empty:
        raise InputError("cannot infer the frequency: no series has two distinct dates; pass it explicitly")
    series = pd.DataFrame({"days": spacing, "row": first_row.reindex(spacing.index)}).sort_values("row")
    found: dict[str, tuple[str, int]] = {}  # frequency → its first series and row
    failures = []
    for days, group in series.groupby("days", sort=False):
        uid, row = group.index[0], int(group["row"].iloc[0])
        try:
            name = frequency_of_spacing(float(days)).name
        except InputError as err:
            failures.append((row, uid, err))
            continue
        if name not in found or row < found[name][1]:
            found[name] = (uid, row)
    if failures:
        row, uid, err = min(failures, key=lambda f: f[0])
        raise InputError(f"{where(row)}: ds: series {uid!r}: {err}")
    if len(found) > 1:
        (a, (uid_a, _)), (b, (uid_b, at)) = sorted(found.items(), key=lambda kv: kv[1][1])[:2]
        raise InputError(
            f"{where(at)}: ds: series {uid_b!r} is {b} but series {uid_a!r} is {a}; forecast them "
            "from separate files, or pass the frequency to use for both"
        )
    return FREQUENCIES[next(iter(found))]


def _on_grid(data: pd.DataFrame, freq: Frequency) -> np.ndarray:
    """Whether each date is a whole number of ``freq`` steps after its series' first date (month ends stay
    month ends, as :func:`forecast.frequency.future_dates` keeps them)."""
    ds = data["ds"]
    first = ds.groupby(data["unique_id"]).transform("min")
    same_time = ((ds - ds.dt.normalize()) == (first - first.dt.normalize())).to_numpy()
    if freq.name in ("daily", "weekly"):
        days = (ds.dt.normalize() - first.dt.normalize()).dt.days.to_numpy()
        return same_time & (days % (7 if freq.name == "weekly" else 1) == 0)
    step = {"monthly": 1, "quarterly": 3, "annual": 12}[freq.name]
    months = ((ds.dt.year - first.dt.year) * 12 + ds.dt.month - first.dt.month).to_numpy()
    month_end = first.dt.is_month_end.to_numpy()
    day = np.where(month_end, ds.dt.days_in_month, np.minimum(first.dt.day, ds.dt.days_in_month))
    return same_time & (months % step == 0) & (ds.dt.day.to_numpy() == day)


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
    huge = np.flatnonzero(np.abs(np.nan_to_num(values)) > MAX_SERIES_VALUE)
    if len(huge):
        fail(
            int(huge[0]),
            f"{column.iloc[huge[0]]!r} is larger than {MAX_SERIES_VALUE:g}, the largest value forecasts handle",
        )
    return values


def regular_series(data: pd.DataFrame, freq) -> Iterator[tuple[str, pd.DatetimeIndex, np.ndarray]]:
    """Each series of a checked long frame (:func:`on_grid`) as (id, every date from its first to last at ``freq``,
    values with
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
