"""Forecast many series with many models: grouping, frequency, gaps, fallbacks, seeds, processes.

Models only see one clean array. This module owns everything around that: it splits a long frame by
``unique_id``, infers the frequency and season length, fills interior gaps for models that cannot take them,
falls back to a simpler model when one cannot fit a series (and records why), floors count forecasts at zero,
and derives a per-series seed from the series id so results do not depend on order, engine or ``jobs``.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from forecast.distribution import SamplePaths
from forecast.errors import InputError
from forecast.fitting import forecast_array, series_seed
from forecast.frequency import Frequency, future_dates
from forecast.limits import check_finite_forecast, check_forecast_size, check_horizon_end
from forecast.longframe import on_grid, regular_series
from forecast.models.registry import SELECTED, model_class

PROGRESS_MIN_SERIES = 20


@dataclass(frozen=True)
class SeriesForecast:
    """One model's forecast of one series, with what actually produced it."""

    unique_id: str
    model: str
    used: str
    reason: str | None
    ds: pd.DatetimeIndex
    paths: SamplePaths


@dataclass
class Prediction:
    """Forecasts of every series by every requested model, in the shapes users and later stages need."""

    forecasts: list[SeriesForecast]
    levels: tuple[float, ...]
    freq: Frequency
    models: tuple[str, ...]
    history: pd.DataFrame = field(repr=False)

    def table(self) -> pd.DataFrame:
        """Wide frame: ``unique_id``, ``ds``, ``<model>`` (mean), ``<model>-lo-<L>``, ``<model>-hi-<L>``."""
        parts: dict[str, list[pd.DataFrame]] = {}
        for fc in self.forecasts:
            cols = {"unique_id": fc.unique_id, "ds": fc.ds, fc.model: fc.paths.mean()}
            for level in self.levels:
                lo, hi = fc.paths.interval(level)
                cols[f"{fc.model}-lo-{_fmt(level)}"] = lo
                cols[f"{fc.model}-hi-{_fmt(level)}"] = hi
            parts.setdefault(fc.model, []).append(pd.DataFrame(cols))
        frames = [pd.concat(p, ignore_index=True) for p in parts.values()]
        out = frames[0]
        for frame in frames[1:]:
            out = out.merge(frame, on=["unique_id", "ds"], how="outer")
        return out.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)

    def fallbacks(self) -> pd.DataFrame:
        """One row per (series, model) where another model was used or the input was repaired, and why."""
        rows = [
            {"unique_id": f.unique_id, "model": f.model, "used": f.used, "reason": f.reason}
            for f in self.forecasts
            if f.reason
        ]
        return pd.DataFrame(rows, columns=["unique_id", "model", "used", "reason"])

    def used(self) -> pd.DataFrame:
        """One row per (series, model column): the model that produced the forecast."""
        rows = [{"unique_id": f.unique_id, "model": f.model, "used": f.used} for f in self.forecasts]
        return pd.DataFrame(rows, columns=["unique_id", "model", "used"])

    def paths(self, unique_id: str, model: str | None = None) -> SamplePaths:
        """The sample paths of one series (first requested model unless ``model`` is given)."""
        model = model or self.models[0]
        for fc in self.forecasts:
            if fc.unique_id == unique_id and fc.model == model:
                return fc.paths
        raise InputError(f"no forecast for series {unique_id!r} with model {model!r}")


def _fmt(level: float) -> str:
    return f"{level:g}"


def _forecast_group(task: tuple) -> list[SeriesForecast]:
    """Worker: forecast one series with every requested model (top-level so processes can pickle it)."""
    uid, ds, y, h, models, season_length, n_paths, seed, freq = task
    future = future_dates(ds[-1], h, freq)
    out = []
    for column, model in models:
        paths, used, reason = forecast_array(y, h, model, season_length, n_paths, series_seed(seed, uid, model))
        out.append(SeriesForecast(uid, column, used, reason, future, paths))
    return out


def to_tasks(
    df: pd.DataFrame, h: int, models, season_length, n_paths, seed, freq: Frequency, selection=None
) -> list[tuple]:
    """One task per series, its dates made regular so gaps show as missing values; each task carries
    (output column, model) pairs: the models as named, and the series' own model for :data:`SELECTED`.

    Series sharing first and last dates share one regular index, computed once: building it dominated the
    time of ``auto`` on hundreds of series (``benchmarks/predict_speed.py``).
    """
    tasks = []
    for uid, index, y in regular_series(df, freq):
        pairs = tuple((m, (selection or {}).get(uid, "auto") if m == SELECTED else m.lower()) for m in models)
        tasks.append((uid, index, y, h, pairs, season_length, n_paths, seed, freq))
    return tasks


def run_tasks(worker, tasks: list, jobs: int = 1, progress: bool | None = None, desc: str = "series") -> list:
    """Map ``worker`` over ``tasks`` serially or on ``jobs`` local processes, in order, with a progress bar."""
    show = progress if progress is not None else len(tasks) >= PROGRESS_MIN_SERIES
    bar = tqdm(total=len(tasks), desc=desc, disable=not show, leave=False)
    results = []
    if jobs and jobs > 1 and len(tasks) > 1:
        chunk = max(1, len(tasks) // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(worker, tasks, chunksize=chunk):
                results.append(result)
                bar.update()
    else:
        for task in tasks:
            results.append(worker(task))
            bar.update()
    bar.close()
    return results


def predict(
    df: pd.DataFrame,
    h: int,
    models: tuple[str, ...] | list[str] = ("auto",),
    level: tuple[float, ...] | list[float] = (80, 95),
    season_length: int | None = None,
    freq: str | None = None,
    n_paths: int = 1000,
    seed: int = 0,
    jobs: int = 1,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    y_col: str = "y",
    progress: bool | None = None,
    allow_negative: bool = False,
    source: str | None = None,
    selection: dict[str, str] | None = None,
) -> Prediction:
    """Forecast every series of a long frame ``h`` steps ahead with each model in ``models``.

    The frame is checked by :func:`forecast.longframe.on_grid` (``source`` names it in messages; negative
    values are refused unless ``allow_negative``; every series follows one frequency, every date on its grid)
    and the request by :mod:`forecast.limits`; every series needs two observed values, the fewest from
    which any model estimates its error scale. With ``selection`` (``unique_id → model``, e.g. from
    :func:`forecast.backtest.selection.as_mapping`), the model name :data:`SELECTED` forecasts each series with
    its own model (``auto`` for series the selection does not name); :meth:`Prediction.used` says which.
    """
    check_forecast_size(n_paths, h, jobs)
    if SELECTED in models and selection is None:
        raise InputError(f"model {SELECTED!r} needs a selection (the per-series best models of a backtest)")
    for model in models:
        if model != SELECTED:
            model_class(model)
    for model in (selection or {}).values():
        model_class(model)
    for lv in level:
        if not 0 < lv < 100:
            raise InputError(f"level must be between 0 and 100, got {lv}")
    if season_length is not None and season_length < 1:
        raise InputError(f"season length must be at least 1, got {season_length}")
    data, frequency = on_grid(df, id_col, ds_col, y_col, source, allow_negative, min_points=2, freq=freq)
    check_horizon_end(data, h, frequency)
    season = int(season_length or frequency.season_length)
    tasks = to_tasks(data, h, models, season, n_paths, seed, frequency, selection)
    results = run_tasks(_forecast_group, tasks, jobs=jobs, progress=progress)
    forecasts = [fc for group in results for fc in group]
    for fc in forecasts:
        check_finite_forecast(fc.unique_id, fc.paths.mean())
    return Prediction(forecasts, tuple(level), frequency, tuple(models), data)
