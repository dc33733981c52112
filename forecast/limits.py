"""What the toolkit accepts, in one place: the dates it handles, the largest figure a fact may state, and how
much a forecast may ask for. Each check raises :class:`InputError` with the limit and the reason in its message.

- **Dates** in data (observation periods, publication dates, series dates) lie in 1900-01-01 .. 2099-12-31:
  the railway age to the end of this century — every real statistic or plan fits, and a mistyped year (0224,
  20245, 1600) is caught instead of failing deep inside pandas (whose timestamps end in 2262). Forecasts may
  reach :data:`FORECAST_END`, so a horizon has room beyond the last data date but never overflows.
- **Physical ceilings** (:data:`VALUE_CEILING`): far above any figure the network could produce, about 100x the
  largest total ever published — 110,000 China-Europe trains and 11 million TEU from 2011 to 2025 — and for
  tonnes and money above all of China's rail freight (about 5 billion tonnes a year) and world output (about
  USD 110 trillion). A larger value is a typo or a unit slip, and would only strain the reconciliation's solver.
- **Forecast size**: at most :data:`MAX_SAMPLES` sample paths, and paths × horizon at most :data:`MAX_PATH_CELLS`
  numbers per series and model (160 MB), so a request that cannot fit in memory is refused, not attempted;
  at most :data:`MAX_JOBS` worker processes.
- **Today**: no fact is published after :func:`today` (``$FORECAST_TODAY`` when set, for tests and replays of
  an earlier day; else the system's date), so one mistyped publication date cannot make every later command
  "as of" the future.
- **Series values** given to ``predict``/``backtest`` are at most :data:`MAX_SERIES_VALUE` in size, so squared
  errors and sums over sample paths stay finite.
"""

from __future__ import annotations

import datetime
import os

import numpy as np
import pandas as pd

from forecast.defaults import LIBRARY_MIN_PATHS
from forecast.errors import InputError
from forecast.frequency import Frequency, steps_between

FIRST_DATE = pd.Timestamp("1900-01-01")
LAST_DATE = pd.Timestamp("2099-12-31")
FORECAST_END = pd.Timestamp("2199-12-31")

VALUE_CEILING = {
    "trains": 10_000_000,
    "teu": 1_000_000_000,
    "tonnes": 10_000_000_000,
    "value_usd": 100_000_000_000_000,
    "value_cny": 1_000_000_000_000_000,
    "trains_per_day": 10_000,
}
MAX_SERIES_VALUE = 1e15

MAX_SAMPLES = 100_000
MAX_PATH_CELLS = 20_000_000
MAX_JOBS = 64


TODAY_ENV = "FORECAST_TODAY"


def today() -> pd.Timestamp:
    """The day the toolkit takes as today: ``$FORECAST_TODAY`` (an ISO date) when set, else the system's date."""
    value = os.environ.get(TODAY_ENV, "").strip()
    if not value:
        return pd.Timestamp(datetime.date.today())
    return parse_day(value, TODAY_ENV)


def parse_day(value, name: str) -> pd.Timestamp:
    """A user's date as a day within the supported dates: ``YYYY-MM-DD`` (a time of day is dropped); a date with
    a time zone, an unparseable or an out-of-range one is an :class:`InputError` naming ``name``."""
    text = str(value).strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise InputError(f"{name}: not a date: {text!r} (expected YYYY-MM-DD)")
    if stamp.tzinfo is not None:
        raise InputError(f"{name}: {text!r} has a time zone; give the day (YYYY-MM-DD) it means where the facts are")
    problem = date_problem(stamp)
    if problem:
        raise InputError(f"{name}: {problem}")
    return stamp.normalize()


def date_problem(stamp: pd.Timestamp) -> str | None:
    """Why ``stamp`` is outside the dates the toolkit handles, or None when it is inside."""
    if FIRST_DATE <= stamp <= LAST_DATE:
        return None
    return f"{stamp.date()} is outside the supported dates {FIRST_DATE.date()} .. {LAST_DATE.date()}"


def ceiling_problem(value: float, metric: str) -> str | None:
    """Why ``value`` cannot be a figure of ``metric`` (above its physical ceiling), or None."""
    ceiling = VALUE_CEILING.get(metric)
    if ceiling is None or value <= ceiling:
        return None
    return f"{value:,.15g} is above the ceiling for {metric} ({ceiling:,}): a typo or a unit slip?"


def check_samples(n: int, option: str = "--samples") -> None:
    """Refuse fewer than :data:`~forecast.defaults.LIBRARY_MIN_PATHS` or more than :data:`MAX_SAMPLES` sample
    paths."""
    if not LIBRARY_MIN_PATHS <= n <= MAX_SAMPLES:
        raise InputError(f"{option} must be between {LIBRARY_MIN_PATHS} and {MAX_SAMPLES:,}, got {n:,}")


def check_forecast_size(n_paths: int, h: int, jobs: int = 1) -> None:
    """Refuse a horizon below 1, sample counts outside [1, :data:`MAX_SAMPLES`], paths × horizon above
    :data:`MAX_PATH_CELLS` (memory per series and model) and more than :data:`MAX_JOBS` processes."""
    if h < 1:
        raise InputError(f"horizon must be at least 1, got {h}")
    check_samples(n_paths)
    if n_paths * h > MAX_PATH_CELLS:
        raise InputError(
            f"{n_paths:,} samples x {h:,} steps is more than {MAX_PATH_CELLS:,} numbers per series; "
            f"ask for fewer --samples or a shorter --horizon"
        )
    if jobs > MAX_JOBS:
        raise InputError(f"--jobs must be at most {MAX_JOBS}, got {jobs}")


def check_horizon_end(data: pd.DataFrame, h: int, freq: Frequency) -> None:
    """Refuse ``h`` steps of ``freq`` after the latest series end of long frame ``data`` when they would pass
    :data:`FORECAST_END`."""
    ends = data.groupby("unique_id")["ds"].max()
    series, last = ends.idxmax(), ends.max()
    room = steps_between(last, FORECAST_END, freq)
    if h > room:
        raise InputError(
            f"series {series!r} ends {last.date()}: {h:,} {freq.name} steps pass {FORECAST_END.date()}, "
            f"the last date a forecast may reach; the horizon can be at most {room:,}"
        )


def check_finite_forecast(series: str, mean: np.ndarray) -> None:
    """Refuse a forecast whose mean is not finite (a series so explosive its paths overflow)."""
    if not np.all(np.isfinite(mean)):
        raise InputError(
            f"series {series!r}: the forecast is not finite (its paths overflow); try another model "
            "or a shorter horizon"
        )
