"""Rolling-origin backtests of many series × models × cutoffs, on any engine of :mod:`forecast.executor`.

A task is one whole series: its worker forecasts every window with every model and returns only per-point
summaries (point forecast, interval bounds, CRPS) — sample paths never leave the worker, so memory stays
bounded however many series there are. Seeds depend on (seed, series, model, cutoff) only, so every engine and
batching gives identical numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Iterable

import numpy as np
import pandas as pd

from forecast import executor
from forecast.backtest.metrics import crps_paths
from forecast.backtest.windows import Window, WindowSpec, windows
from forecast.defaults import BACKTEST_ENGINE, BACKTEST_JOBS, BACKTEST_PATHS, LEVELS
from forecast.distribution import SamplePaths
from forecast.fitting import check_request, forecast_array, series_seed
from forecast.frequency import Frequency
from forecast.longframe import on_grid, regular_series
from forecast.models.registry import model_label
from forecast.regressors import Regressors, check_names, read_events, read_exog


@dataclass
class BacktestResult:
    """Everything a backtest produced; paths are summarised, never kept.

    ``forecasts``: long frame ``unique_id, ds, cutoff, step, y`` then per model ``<m>`` (mean),
    ``<m>-lo-<L>``, ``<m>-hi-<L>`` and ``<m>-crps``. ``fallbacks``: (series, model, cutoff) where another model
    was used or the input repaired, and why. ``paths``: ``(unique_id, model, cutoff) → SamplePaths`` when asked
    for with ``keep_paths``. ``skipped``: series too short for any window. ``train``: the history
    (regular dates, gaps as NaN) that scaled metrics need.
    """

    forecasts: pd.DataFrame
    fallbacks: pd.DataFrame
    skipped: pd.DataFrame
    train: pd.DataFrame = field(repr=False)
    models: tuple[str, ...]
    levels: tuple[float, ...]
    season_length: int
    freq: Frequency
    spec: WindowSpec
    paths: dict = field(default_factory=dict, repr=False)

    @cached_property
    def scores(self) -> pd.DataFrame:
        """Per series × model metrics (one row per pair, computed once); see
        :func:`forecast.backtest.metrics.score_table`."""
        from forecast.backtest.metrics import score_table

        return score_table(self.forecasts, self.models, self.train, self.season_length, self.levels)

    @cached_property
    def windows(self) -> pd.Series:
        """Number of windows (cutoffs) per series; each model is fitted once per window."""
        return self.forecasts.groupby("unique_id")["cutoff"].nunique()


def backtest(
    df: pd.DataFrame,
    models: Iterable = ("naive", "drift"),
    h: int = 1,
    n_windows: int = 3,
    step: int | None = None,
    min_train: int | None = None,
    window: str = "expanding",
    window_size: int | None = None,
    level: Iterable[float] = LEVELS,
    n_paths: int = BACKTEST_PATHS,
    seed: int = 0,
    engine: str = BACKTEST_ENGINE,
    jobs: int | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    season_length: int | None = None,
    freq: str | None = None,
    keep_paths: bool = False,
    progress: bool | None = None,
    allow_negative: bool = False,
    source: str | None = None,
    events=None,
    exog=None,
) -> BacktestResult:
    """Rolling-origin backtest of every series in a long frame (``unique_id, ds, y``) with every model (specs:
    names, ``"lags(n_lags=4)"``, ``(name, params)`` or instances; results are keyed by their labels,
    :func:`forecast.models.registry.model_label`).

    Windows (see :class:`WindowSpec`): ``n_windows`` cutoffs ``step`` periods apart (default 1), the last one
    ``h`` periods before each series' end; training sets of at least ``min_train`` observed points (default 3),
    all history (``expanding``) or the last ``window_size`` points (``sliding``); every model is re-estimated
    at every window.

    ``engine`` is ``serial``, ``processes`` (``jobs`` local processes) or ``dask`` (a running scheduler at
    ``scheduler``, else a loopback ``LocalCluster`` of ``n_workers`` started and closed for the run).
    ``keep_paths`` also returns every window's sample paths (``BacktestResult.paths``); leave it off for many
    series — by default only per-point summaries come back, so 10,000 series fit in memory.
    The frame is checked by :func:`forecast.longframe.on_grid` (``source`` names it in messages).
    ``events`` and ``exog`` are those of :func:`forecast.predict.predict`: each window's models that take
    regressors see their values over its training part and its test steps (a regressor's future is taken as
    known, as it is when forecasting; an event's end date too, which at a cutoff inside it is hindsight).
    """
    models = tuple(model_label(m) for m in models)
    levels = tuple(float(lv) for lv in level)
    check_request(models, levels, season_length, n_paths, h, engine, jobs or n_workers)
    spec = WindowSpec(
        h=h, n_windows=n_windows, step=step or 1, min_train=min_train or 3, window=window, size=window_size
    )
    data, frequency = on_grid(df, source=source, allow_negative=allow_negative, freq=freq)
    season = int(season_length or frequency.season_length)
    events, exog = read_events(events), read_exog(exog)
    check_names(events, exog)
    series, skipped, train = _series(data, spec, frequency, events, exog)
    worker = partial(_backtest_series, BacktestConfig(models, levels, season, n_paths, seed, h, keep_paths))
    results = executor.run(
        worker,
        series,
        engine=engine,
        jobs=jobs or n_workers or BACKTEST_JOBS,
        scheduler=scheduler,
        progress=progress,
        desc="backtest series×windows",
        unit="win",
        size=lambda s: len(s.windows),
    )
    return _assemble(results, models, levels, season, frequency, spec, skipped, train)


def _series(data: pd.DataFrame, spec: WindowSpec, freq: Frequency, events=(), exog=None):
    """Per series a :class:`SeriesWindows` task; plus the skipped series and the regularised history. Regressors
    are checked over the whole history here, so a missing value fails before any fit.

    Series sharing first and last dates share one regular index (computed once), which keeps 10,000 series fast.
    """
    series, skipped, train = [], [], []
    for uid, index, y in regular_series(data, freq):
        train.append((uid, index, y))
        wins = windows(len(y), spec, np.isfinite(y))
        if wins:
            regressors = Regressors.of(uid, index, freq, events, exog)
            if regressors is not None:
                regressors.matrix(0, len(index))
            series.append(SeriesWindows(uid, index, y, wins, regressors))
        else:
            need = spec.min_train + spec.h + (spec.n_windows - 1) * spec.step
            skipped.append(
                {
                    "unique_id": uid,
                    "n_points": len(y),
                    "reason": f"needs {need} points for "
                    f"{spec.n_windows} window(s) (min_train {spec.min_train}, h {spec.h}); has {len(y)}",
                }
            )
    history = pd.DataFrame(
        {
            "unique_id": np.repeat([t[0] for t in train], [len(t[2]) for t in train]),
            "ds": np.concatenate([t[1].to_numpy() for t in train]) if train else np.array([], "datetime64[ns]"),
            "y": np.concatenate([t[2] for t in train]) if train else np.array([], float),
        }
    )
    return series, pd.DataFrame(skipped, columns=["unique_id", "n_points", "reason"]), history


@dataclass(frozen=True, eq=False)
class BacktestConfig:
    """What every task of one backtest shares (picklable for the process and Dask engines)."""

    models: tuple[str, ...]
    levels: tuple[float, ...]
    season_length: int
    n_paths: int
    seed: int
    h: int
    keep_paths: bool


@dataclass(frozen=True, eq=False)
class SeriesWindows:
    """One series to backtest: its regular dates, values (gaps as NaN), windows and regressors (a task)."""

    unique_id: str
    ds: pd.DatetimeIndex
    y: np.ndarray
    windows: list[Window]
    regressors: Regressors | None


def _backtest_series(config: BacktestConfig, series: SeriesWindows) -> dict:
    """Worker: every window × model of one series → summary columns (arrays, series → window → step order),
    fallbacks and, when asked, the paths."""
    models, levels, season, n_paths = config.models, config.levels, config.season_length, config.n_paths
    seed, h, keep_paths = config.seed, config.h, config.keep_paths
    uid, index, y, wins, regressors = series.unique_id, series.ds, series.y, series.windows, series.regressors
    keys = {
        "unique_id": np.full(h * len(wins), uid, dtype=object),
        "ds": np.concatenate([index[win.test(h)].to_numpy() for win in wins]),
        "cutoff": np.repeat([index[win.cutoff].to_datetime64() for win in wins], h),
        "step": np.tile(np.arange(1, h + 1, dtype=np.int64), len(wins)),
        "y": np.concatenate([y[win.test(h)] for win in wins]),
    }
    cols: dict[str, list] = {}
    fallbacks, kept = [], {}
    for model in models:
        for win in wins:
            cutoff = index[win.cutoff]
            paths, used, reason = _forecast_window(
                y[win.train()],
                h,
                model,
                season,
                n_paths,
                series_seed(seed, f"{uid}@{cutoff.isoformat()}", model),
                None if regressors is None else regressors.window(win.train()),
            )
            for name, values in _summary(paths, y[win.test(h)], levels).items():
                cols.setdefault(f"{model}{name}", []).append(values)
            if keep_paths:
                kept[(uid, model, cutoff)] = paths
            if reason:
                fallbacks.append((uid, model, cutoff, used, reason))
    columns = {**keys, **{name: np.concatenate(parts) for name, parts in cols.items()}}
    return {"columns": columns, "fallbacks": fallbacks, "paths": kept}


def _summary(paths: SamplePaths, y: np.ndarray, levels) -> dict[str, np.ndarray]:
    """Per step: mean (``""``), interval bounds (``-lo-<L>``, ``-hi-<L>``) and CRPS (``-crps``)."""
    out = {"": paths.mean()}
    for lv, (lo, hi) in paths.intervals(levels).items():
        out[f"-lo-{lv:g}"], out[f"-hi-{lv:g}"] = lo, hi
    out["-crps"] = crps_paths(paths.paths, y)
    return out


def _forecast_window(train, h, model, season, n_paths, seed, regressors=None) -> tuple[SamplePaths, str, str | None]:
    """Paths for one window through the fit-with-fallback path; a trailing gap before the cutoff is forecast
    through, so the returned steps still start right after it."""
    observed = np.flatnonzero(np.isfinite(train))
    trailing = len(train) - 1 - int(observed.max()) if len(observed) else 0
    result, used, reason = forecast_array(train, h + trailing, model, season, n_paths, seed, regressors=regressors)
    return SamplePaths(result.paths[:, trailing:]), used, reason


def _assemble(results, models, levels, season, freq, spec, skipped, train) -> BacktestResult:
    """Concatenate per-series results in a fixed order so every engine returns the same frame."""
    columns = ["unique_id", "ds", "cutoff", "step", "y"]
    if results:
        names = results[0]["columns"].keys()
        forecasts = pd.DataFrame({n: np.concatenate([r["columns"][n] for r in results]) for n in names})
    else:
        forecasts = pd.DataFrame(columns=columns)
    forecasts = forecasts.sort_values(["unique_id", "cutoff", "ds"], kind="stable").reset_index(drop=True)
    fallbacks = (
        pd.DataFrame(
            [f for r in results for f in r["fallbacks"]], columns=["unique_id", "model", "cutoff", "used", "reason"]
        )
        .sort_values(["unique_id", "model", "cutoff"], kind="stable")
        .reset_index(drop=True)
    )
    paths = {key: value for r in results for key, value in r["paths"].items()}
    return BacktestResult(forecasts, fallbacks, skipped, train, models, levels, season, freq, spec, paths)
