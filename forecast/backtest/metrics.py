"""Accuracy metrics over the backtest long frame, all with one signature, one row per series, one column per model.

``metric(frame, models, train=None, season_length=1, level=None) -> DataFrame`` (``unique_id`` + a column per
model). ``frame`` is :attr:`BacktestResult.forecasts`; rows whose actual ``y`` is missing are ignored. Scaled
metrics (MASE, RMSSE, MSIS, scaled CRPS) divide each row by the in-sample seasonal-naive error of the
training history up to that row's cutoff (``train`` on regular dates, e.g. :attr:`BacktestResult.train`);
a series whose history has no seasonal change (constant, or too short) has no scale and scores NaN.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecast.defaults import LEVELS
from forecast.errors import InputError


def _per_series(frame: pd.DataFrame, models, values: dict) -> pd.DataFrame:
    """Average per-row ``values[model]`` over each series' rows (missing values ignored)."""
    rows = pd.DataFrame({m: np.asarray(values[m], dtype=float) for m in models})
    rows.insert(0, "unique_id", frame["unique_id"].to_numpy())
    return rows.groupby("unique_id", sort=True)[list(models)].mean().reset_index()


def _errors(frame, models) -> dict:
    return {m: frame[m].to_numpy(float) - frame["y"].to_numpy(float) for m in models}


def _scale(frame: pd.DataFrame, train: pd.DataFrame | None, season_length: int, power: int) -> np.ndarray:
    """Per row: mean |y_t - y_{t-m}|^power over the series' training history up to the row's cutoff."""
    if train is None:
        raise InputError("scaled metrics need the training history (train=BacktestResult.train)")
    t = train[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    diffs = t.groupby("unique_id", sort=False)["y"].diff(season_length).abs() ** power
    t["total"] = diffs.fillna(0.0).groupby(t["unique_id"], sort=False).cumsum()
    t["count"] = diffs.notna().groupby(t["unique_id"], sort=False).cumsum()
    keys = frame[["unique_id", "cutoff"]].rename(columns={"cutoff": "ds"})
    merged = keys.merge(t[["unique_id", "ds", "total", "count"]], on=["unique_id", "ds"], how="left")
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = merged["total"].to_numpy(float) / merged["count"].to_numpy(float)
    return np.where(scale > 0, scale, np.nan)


def _levels(frame: pd.DataFrame, models, level) -> list[float]:
    """The interval levels to use: ``level`` (one or several) or every level the frame has for the models."""
    if level is not None:
        return [float(lv) for lv in np.atleast_1d(level)]
    found = {float(m.group(1)) for c in frame.columns if (m := re.fullmatch(rf"{re.escape(models[0])}-lo-(.+)", c))}
    if not found:
        raise InputError(f"the frame has no interval columns for {models[0]!r}")
    return sorted(found)


def _bounds(frame, model, level):
    name = f"{level:g}"
    try:
        return frame[f"{model}-lo-{name}"].to_numpy(float), frame[f"{model}-hi-{name}"].to_numpy(float)
    except KeyError:
        raise InputError(f"the frame has no {name}% interval for {model!r}") from None


def mae(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Mean absolute error."""
    return _per_series(frame, models, {m: np.abs(e) for m, e in _errors(frame, models).items()})


def rmse(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Root mean squared error (square root of each series' mean squared error)."""
    out = _per_series(frame, models, {m: e**2 for m, e in _errors(frame, models).items()})
    out[list(models)] = np.sqrt(out[list(models)])
    return out


def relative_error(forecast, y) -> np.ndarray:
    """Per point ``|forecast - y| / |y|`` (NaN where ``y`` is zero or missing)."""
    forecast, y = np.asarray(forecast, dtype=float), np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y != 0, np.abs(forecast - y) / np.abs(y), np.nan)


def inside(y, lo, hi) -> np.ndarray:
    """Per point 1.0 when ``lo <= y <= hi``, 0.0 when not, NaN where ``y`` is missing."""
    y, lo, hi = (np.asarray(a, dtype=float) for a in (y, lo, hi))
    return np.where(np.isnan(y), np.nan, (lo <= y) & (y <= hi))


def mape(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Mean absolute percentage error, in percent; rows with an actual of zero are left out."""
    y = frame["y"].to_numpy(float)
    return _per_series(frame, models, {m: 100 * relative_error(frame[m], y) for m in models})


def smape(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Symmetric MAPE, ``200 |f - y| / (|f| + |y|)`` in percent (0 when both are 0)."""
    y = frame["y"].to_numpy(float)
    values = {}
    for m in models:
        f = frame[m].to_numpy(float)
        denom = np.abs(f) + np.abs(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            values[m] = np.where(denom > 0, 200 * np.abs(f - y) / denom, np.where(np.isnan(y), np.nan, 0.0))
    return _per_series(frame, models, values)


def mase(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Mean absolute scaled error: |error| over the in-sample seasonal-naive MAE before the cutoff."""
    scale = _scale(frame, train, season_length, 1)
    return _per_series(frame, models, {m: np.abs(e) / scale for m, e in _errors(frame, models).items()})


def rmsse(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Root mean squared scaled error: sqrt of the mean of error² over the in-sample seasonal-naive MSE."""
    scale = _scale(frame, train, season_length, 2)
    out = _per_series(frame, models, {m: e**2 / scale for m, e in _errors(frame, models).items()})
    out[list(models)] = np.sqrt(out[list(models)])
    return out


def bias(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Mean of forecast minus actual: positive means the model over-forecasts."""
    return _per_series(frame, models, _errors(frame, models))


def coverage(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Share of actuals inside the ``level``% interval (the widest level in the frame if not given)."""
    lv = _levels(frame, models, level)[-1]
    y = frame["y"].to_numpy(float)
    values = {}
    for m in models:
        values[m] = inside(y, *_bounds(frame, m, lv))
    return _per_series(frame, models, values)


def msis(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Mean scaled interval score at ``level``: width plus 2/α × misses, over the seasonal-naive MAE."""
    lv = _levels(frame, models, level)[-1]
    alpha = 1 - lv / 100
    scale = _scale(frame, train, season_length, 1)
    y = frame["y"].to_numpy(float)
    values = {}
    for m in models:
        lo, hi = _bounds(frame, m, lv)
        score = (hi - lo) + 2 / alpha * np.maximum(lo - y, 0) + 2 / alpha * np.maximum(y - hi, 0)
        values[m] = score / scale
    return _per_series(frame, models, values)


def pinball(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Pinball loss averaged over the quantiles the intervals give (level L → (100-L)/200 and its mirror)."""
    y = frame["y"].to_numpy(float)
    lvs = _levels(frame, models, level)
    values = {}
    for m in models:
        losses = []
        for lv in lvs:
            lo, hi = _bounds(frame, m, lv)
            for q, f in (((100 - lv) / 200, lo), (1 - (100 - lv) / 200, hi)):
                diff = y - f
                losses.append(np.maximum(q * diff, (q - 1) * diff))
        values[m] = np.mean(losses, axis=0)
    return _per_series(frame, models, values)


def crps_paths(paths: np.ndarray, y: np.ndarray) -> np.ndarray:
    """CRPS of the empirical path distribution per step, energy form ``E|X - y| - ½ E|X - X'|`` (NaN if y is).

    ``E|X - X'|`` over all n² ordered pairs is computed from sorted samples in O(n log n):
    ``2/n² Σ_i x_(i) (2i - n - 1)``.
    """
    paths = np.asarray(paths, dtype=float)
    n = paths.shape[0]
    first = np.mean(np.abs(paths - y[None, :]), axis=0)
    ranks = 2 * np.arange(1, n + 1) - n - 1
    spread = 2.0 * (np.sort(paths, axis=0) * ranks[:, None]).sum(axis=0) / n**2
    return np.where(np.isfinite(y), first - 0.5 * spread, np.nan)


def crps(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """Continuous ranked probability score, from the ``<model>-crps`` column the worker computed from paths."""
    return _per_series(frame, models, {m: frame[f"{m}-crps"].to_numpy(float) for m in models})


def scaled_crps(frame, models, train=None, season_length=1, level=None) -> pd.DataFrame:
    """CRPS over the in-sample seasonal-naive MAE, so series of different sizes can be averaged."""
    scale = _scale(frame, train, season_length, 1)
    return _per_series(frame, models, {m: frame[f"{m}-crps"].to_numpy(float) / scale for m in models})


def skill(frame, models, train=None, season_length=1, level=None, metric=None, baseline="naive") -> pd.DataFrame:
    """``1 - metric(model) / metric(baseline)`` per series (metric MASE unless given): > 0 beats the baseline."""
    metric = metric or mase
    if baseline not in frame.columns:
        raise InputError(f"skill needs the baseline model {baseline!r} in the backtest")
    scores = metric(frame, list(dict.fromkeys([*models, baseline])), train, season_length, level)
    out = scores[["unique_id"]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in models:
            base = scores[baseline].to_numpy(float)
            out[m] = np.where(base > 0, 1 - scores[m].to_numpy(float) / base, np.nan)
    return out


METRICS = {
    "mae": mae,
    "rmse": rmse,
    "mape": mape,
    "smape": smape,
    "mase": mase,
    "rmsse": rmsse,
    "bias": bias,
    "coverage": coverage,
    "msis": msis,
    "pinball": pinball,
    "crps": crps,
    "scaled_crps": scaled_crps,
}


def score_table(frame, models, train, season_length=1, levels=LEVELS) -> pd.DataFrame:
    """Every metric per series × model: one row per (``unique_id``, ``model``), one column per metric.

    Coverage is reported for each level (``coverage-<L>``), MSIS at the widest; ``skill`` is MASE skill over
    naive when naive was backtested.
    """
    models = list(models)
    columns = {}
    for name, fn in METRICS.items():
        if name == "coverage":
            for lv in levels:
                columns[f"coverage-{lv:g}"] = fn(frame, models, train, season_length, lv)
        elif name in ("msis", "pinball"):
            columns[name] = fn(frame, models, train, season_length, max(levels) if name == "msis" else levels)
        else:
            columns[name] = fn(frame, models, train, season_length)
    if "naive" in frame.columns:
        columns["skill"] = skill(frame, models, train, season_length)
    long = [
        table.melt(id_vars="unique_id", var_name="model", value_name=name).set_index(["unique_id", "model"])
        for name, table in columns.items()
    ]
    out = pd.concat(long, axis=1).reset_index()
    order = {m: i for i, m in enumerate(models)}
    return out.sort_values(
        ["unique_id", "model"], key=lambda c: c.map(order) if c.name == "model" else c, kind="stable"
    ).reset_index(drop=True)
