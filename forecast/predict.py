"""Forecast many series with many models: grouping, frequency, gaps, fallbacks, seeds, processes.

Models only see one clean array. This module owns everything around that: it splits a long frame by
``unique_id``, infers the frequency and season length, fills interior gaps for models that cannot take them,
falls back to a simpler model when one cannot fit a series (and records why), floors count forecasts at zero,
and derives a per-series seed from the series id so results do not depend on order, engine or ``jobs``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import executor
from forecast.defaults import LEVELS, LIBRARY_PATHS, SELECTED
from forecast.distribution import SamplePaths
from forecast.errors import InputError
from forecast.fitting import Fitted, check_request, fit_with_fallback, series_seed
from forecast.frequency import Frequency, future_dates
from forecast.limits import check_finite_forecast, check_horizon_end
from forecast.longframe import on_grid, regular_series
from forecast.models.registry import label_models, model_label, selected_model
from forecast.regressors import Regressors, check_names, read_events, read_exog


@dataclass(frozen=True)
class SeriesForecast:
    """One model's forecast of one series, with what actually produced it."""

    unique_id: str
    model: str
    used: str
    reason: str | None
    ds: pd.DatetimeIndex
    paths: SamplePaths
    kept: KeptModel | None = None  # when the prediction's models are to be saved


@dataclass(frozen=True)
class KeptModel:
    """A fitted model kept for saving, with the model asked for (its paths' seed) and the history it was fitted
    on: its last date and a hash of its values."""

    fitted: Fitted
    asked: str
    last_ds: pd.Timestamp
    history_hash: str


@dataclass
class Prediction:
    """Forecasts of every series by every requested model, in the shapes users and later stages need."""

    forecasts: list[SeriesForecast]
    levels: tuple[float, ...]
    freq: Frequency
    models: tuple[str, ...]
    season_length: int = 1

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
        """One row per (series, model) where another model was used, the input was repaired or regressors were
        ignored or left out, and why."""
        rows = [
            {"unique_id": f.unique_id, "model": f.model, "used": f.used, "reason": f.reason}
            for f in self.forecasts
            if f.reason
        ]
        return pd.DataFrame(rows, columns=["unique_id", "model", "used", "reason"])

    def paths(self, unique_id: str, model: str | None = None) -> SamplePaths:
        """The sample paths of one series (first requested model unless ``model`` is given)."""
        model = self.models[0] if model is None else model if isinstance(model, str) else model_label(model)
        for fc in self.forecasts:
            if fc.unique_id == unique_id and fc.model == model:
                return fc.paths
        raise InputError(f"no forecast for series {unique_id!r} with model {model!r}")


def _fmt(level: float) -> str:
    return f"{level:g}"


@dataclass(frozen=True, eq=False)
class ForecastTask:
    """One series to forecast with every requested model: what crosses to a worker (picklable for the process
    and Dask engines)."""

    unique_id: str
    ds: pd.DatetimeIndex  # the series' regular dates
    y: np.ndarray  # its values on them, gaps as NaN
    h: int
    models: tuple[tuple[str, object], ...]  # (output column, model label) pairs
    season_length: int
    n_paths: int
    seed: int
    freq: Frequency
    keep: bool  # keep each fitted model, for saving
    regressors: Regressors | None


def _forecast_group(task: ForecastTask) -> list[SeriesForecast]:
    """Worker: forecast one series with every requested model (top-level so processes can pickle it)."""
    uid, ds, y, h = task.unique_id, task.ds, task.y, task.h
    future = future_dates(ds[-1], h, task.freq)
    out = []
    for column, model in task.models:
        fitted, paths = fit_with_fallback(
            y,
            h,
            model,
            task.season_length,
            task.n_paths,
            series_seed(task.seed, uid, model),
            regressors=task.regressors,
        )
        kept = KeptModel(fitted, model, pd.Timestamp(ds[-1]), history_hash(y)) if task.keep else None
        out.append(SeriesForecast(uid, column, fitted.used, fitted.reason, future, paths, kept))
    return out


def history_hash(y: np.ndarray) -> str:
    """A short hash of a series' values (missing ones included), to tell whether a saved model saw this data."""
    return hashlib.sha256(np.ascontiguousarray(y, dtype=float).tobytes()).hexdigest()[:16]


def to_tasks(
    df: pd.DataFrame,
    h: int,
    models,
    season_length,
    n_paths,
    seed,
    freq: Frequency,
    selection=None,
    keep=False,
    events=(),
    exog=None,
) -> list[ForecastTask]:
    """One task per series, its dates made regular so gaps show as missing values; each task carries
    (output column, model label) pairs from ``models`` (column, label) pairs, the series' own model for
    :data:`SELECTED`, and the series' regressors (:class:`forecast.regressors.Regressors`, None without),
    checked here for the history and the ``h`` steps so a missing value fails before any fit.

    Series sharing first and last dates share one regular index, computed once (``benchmarks/predict_speed.py``
    shows why).
    """
    tasks = []
    for uid, index, y in regular_series(df, freq):
        pairs = tuple((column, selected_model(selection, uid) if m == SELECTED else m) for column, m in models)
        regressors = Regressors.of(uid, index, freq, events, exog)
        if regressors is not None:
            regressors.matrix(0, len(index) + h)
        tasks.append(ForecastTask(uid, index, y, h, pairs, season_length, n_paths, seed, freq, keep, regressors))
    return tasks


def predict(
    df: pd.DataFrame,
    h: int,
    models=("auto",),
    level: tuple[float, ...] | list[float] = LEVELS,
    season_length: int | None = None,
    freq: str | None = None,
    n_paths: int = LIBRARY_PATHS,
    seed: int = 0,
    jobs: int = 1,
    engine: str | None = None,
    scheduler: str | None = None,
    id_col: str = "unique_id",
    ds_col: str = "ds",
    y_col: str = "y",
    progress: bool | None = None,
    allow_negative: bool = False,
    source: str | None = None,
    selection: dict[str, str] | None = None,
    keep_models: bool = False,
    events=None,
    exog=None,
) -> Prediction:
    """Forecast every series of a long frame ``h`` steps ahead with each model in ``models`` (specs: names,
    ``"lags(regressor=gbr, n_lags=4)"``, ``(name, params)`` or instances; output columns are named by the
    strings as typed and by :func:`forecast.models.registry.model_label` for the others).

    The frame is checked by :func:`forecast.longframe.on_grid` (``source`` names it in messages; negative
    values are refused unless ``allow_negative``; every series follows one frequency, every date on its grid)
    and the request by :mod:`forecast.limits`; every series needs two observed values, the fewest from
    which any model estimates its error scale. With ``selection`` (``unique_id → model``, e.g. from
    :func:`forecast.backtest.selection.as_mapping`), the model name :data:`SELECTED` forecasts each series with
    its own model (``auto`` for series the selection does not name). ``keep_models`` keeps each fitted model
    in the result, for :func:`forecast.saved_models.save_models`.
    ``events`` (an events file, :data:`forecast.regressors.BUNDLED` for the shipped one, a frame or events) and
    ``exog`` (a long regressors file or frame with values for the history and the ``h`` steps) become regressor
    columns for the models that take them; the others say in :meth:`Prediction.fallbacks` that they ignored them
    (:mod:`forecast.regressors`, :mod:`forecast.fitting`).
    ``engine`` (default ``processes`` when ``jobs`` > 1, else ``serial``) and ``scheduler`` are those of
    :func:`forecast.executor.run`.
    """
    columns = tuple(m if isinstance(m, str) else model_label(m) for m in models)  # strings as typed
    models, selection = label_models(models, selection)
    engine = executor.chosen_engine(engine, jobs)
    check_request(models, level, season_length, n_paths, h, engine, jobs)
    data, frequency = on_grid(df, id_col, ds_col, y_col, source, allow_negative, min_points=2, freq=freq)
    check_horizon_end(data, h, frequency)
    season = int(season_length or frequency.season_length)
    events, exog = read_events(events), read_exog(exog)
    check_names(events, exog)
    tasks = to_tasks(
        data, h, tuple(zip(columns, models)), season, n_paths, seed, frequency, selection, keep_models, events, exog
    )
    results = executor.run(
        _forecast_group, tasks, engine=engine, jobs=jobs, scheduler=scheduler, progress=progress, desc="series"
    )
    forecasts = [fc for group in results for fc in group]
    for fc in forecasts:
        check_finite_forecast(fc.unique_id, fc.paths.mean())
    return Prediction(forecasts, tuple(level), frequency, columns, season)
