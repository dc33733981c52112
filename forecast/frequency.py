"""Infer a series' frequency from its timestamps and the season length that goes with it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from forecast.errors import InputError


@dataclass(frozen=True)
class Frequency:
    """A named frequency, its pandas offset alias and its default season length."""

    name: str
    alias: str
    season_length: int


FREQUENCIES = {
    "annual": Frequency("annual", "YS", 1),
    "quarterly": Frequency("quarterly", "QS", 4),
    "monthly": Frequency("monthly", "MS", 12),
    "weekly": Frequency("weekly", "W", 52),
    "daily": Frequency("daily", "D", 7),
}

_BY_MEDIAN_DAYS = [(1.5, "daily"), (10, "weekly"), (40, "monthly"), (120, "quarterly"), (400, "annual")]


def infer_frequency(ds: pd.Series | pd.DatetimeIndex) -> Frequency:
    """Frequency from the median spacing of the distinct timestamps (robust to gaps)."""
    stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(ds).dropna().unique())).sort_values()
    if len(stamps) < 2:
        raise InputError("cannot infer the frequency from fewer than two distinct dates; pass it explicitly")
    return frequency_of_spacing(float(np.median(np.diff(stamps.asi8)) / 86_400e9))


def frequency_of_spacing(days: float) -> Frequency:
    """The frequency whose steps are ``days`` apart (the median spacing of a series' distinct dates)."""
    for limit, name in _BY_MEDIAN_DAYS:
        if days <= limit:
            return FREQUENCIES[name]
    raise InputError(f"dates are {days:.0f} days apart on median; supported: {', '.join(FREQUENCIES)}")


_MONTHS = {"annual": 12, "quarterly": 3, "monthly": 1}
_DAYS = {"weekly": 7, "daily": 1}


def _shift(anchor: pd.Timestamp, k: int, freq: Frequency) -> pd.Timestamp:
    """``anchor`` moved ``k`` periods, keeping month-end dates at month ends."""
    if freq.name in _DAYS:
        return anchor + pd.Timedelta(days=_DAYS[freq.name] * k)
    moved = anchor + pd.DateOffset(months=_MONTHS[freq.name] * k)
    return moved + pd.offsets.MonthEnd(0) if anchor.is_month_end else moved


def steps_between(first: pd.Timestamp, last: pd.Timestamp, freq: Frequency) -> int:
    """How many whole steps of ``freq`` fit from ``first`` to ``last`` (computed without building the dates, so
    a huge step count is answered instead of overflowing pandas' calendar)."""
    first, last = pd.Timestamp(first), pd.Timestamp(last)
    if freq.name in _DAYS:
        return max((last - first).days // _DAYS[freq.name], 0)
    k = ((last.year - first.year) * 12 + last.month - first.month) // _MONTHS[freq.name]
    return max(k if k <= 0 or _shift(first, k, freq) <= last else k - 1, 0)


@lru_cache(maxsize=4096)
def future_dates(last: pd.Timestamp, h: int, freq: Frequency) -> pd.DatetimeIndex:
    """The ``h`` timestamps after ``last`` at frequency ``freq`` (cached: many series end on the same date)."""
    return pd.DatetimeIndex([_shift(pd.Timestamp(last), k, freq) for k in range(1, h + 1)])


def regular_index(ds: pd.Series, freq: Frequency) -> pd.DatetimeIndex:
    """Every timestamp from first to last at ``freq``, so gaps become explicit missing values."""
    stamps = pd.to_datetime(pd.Series(ds)).sort_values()
    first, last = stamps.iloc[0], stamps.iloc[-1]
    out, k = [first], 1
    while out[-1] < last:
        out.append(_shift(first, k, freq))
        k += 1
    return pd.DatetimeIndex(out)
