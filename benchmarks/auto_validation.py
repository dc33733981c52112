"""Validation of ``auto``'s choices on the *training* part of each collection (the test part is never read).

Every series of a collection gives up to three rolling-origin windows inside its training data (the last ``h``
training points, then ``h`` points ending ``ceil(h/2)`` and ``2 ceil(h/2)`` earlier; see
:func:`_competitions.validation`). Each candidate rule (a set of ``Auto`` options, :data:`RULES`) forecasts every
window; members are fitted once per window and shared between rules. Prints MASE, sMAPE and 80/95% coverage per
rule and collection, the same scoring as ``models_accuracy.py`` (paths floored at zero for non-negative series,
as ``predict`` does), with the mean scaled interval scores (MSIS). With ``--peers``, statsforecast's AutoETS
and AutoTheta are scored on the same windows.

Run: ``python benchmarks/auto_validation.py [--rules default,...] [--collections m3-monthly,...] [--limit 200]
[--jobs 2] [--peers]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import executor
from forecast.fitting import series_seed
from forecast.models.auto import (
    ANNUAL_MEMBERS,
    SEASONAL_MEMBERS,
    Auto,
    fit_members,
    fitted_names,
    forecast_paths,
    log_members,
    path_dof,
    path_limit,
    path_width,
)
from forecast.models.base import innovations
from forecast.models.learned_weights import load, member_weights

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import COLLECTIONS, validation
from models_accuracy import peers, score

N_PATHS = 1000
QUANTILES = (0.025, 0.1, 0.9, 0.975)
# label → Auto options; "annual" holds the options that differ on annual data (season length 1)
RULES = {
    "default": {},
    "learned weights": dict(weights="learned"),
    "seasonal members on annual data too": dict(annual=dict(members=SEASONAL_MEMBERS)),
    "before issue 12": dict(
        members=("auto_theta", "damped", "drift"),
        combination="median",
        seasonality="acf",
        annual=dict(members=("theta", "ets", "drift"), combination="mixture"),
    ),
    "default with median paths": dict(combination="median"),
    "default with ACF season": dict(seasonality="acf"),
    "theta+damped+drift+ets_aicc": dict(members=("theta", "damped", "drift", "ets_aicc")),
    "auto_theta+ets+drift+ets_aicc": dict(members=("auto_theta", "ets", "drift", "ets_aicc")),
    "theta+ets+drift+ets_aicc median if seasonal": dict(
        members=("theta", "ets", "drift", "ets_aicc"), combination="median", annual=dict(combination="mixture")
    ),
    "ets_aicc alone": dict(members=("ets_aicc",)),
    "auto_theta+damped+ets_aicc": dict(members=("auto_theta", "damped", "ets_aicc")),
    "annual: theta+ets_trend+drift": dict(annual=dict(members=("theta", "ets_trend", "drift"))),
    "annual: theta+ets+ets_trend+drift": dict(annual=dict(members=("theta", "ets", "ets_trend", "drift"))),
    "default+theta": dict(members=("auto_theta", "damped", "drift", "ets_aicc", "theta")),
    **{f"width {width}": dict(width=width) for width in (0.9, 1.0, 1.1, 1.2, 1.3, 1.4)},
    **{
        f"dof {dof:g} width {width}": dict(dof=dof, width=width) for dof in (4, 6, 10) for width in (1.0, 1.1, 1.2, 1.3)
    },
}


def _forecast(task: tuple) -> np.ndarray:
    """Worker: (rules × (mean, quantiles…) × h) for one window; members fitted once, shared by every rule."""
    uid, y, h, m, rules = task
    memo, log_memo, out = {}, {}, []
    for options in rules:
        annual = options.get("annual", {}) if m == 1 else {}
        model = Auto(**{key: value for key, value in options.items() if key != "annual"} | annual)
        names = model.members or (ANNUAL_MEMBERS if m == 1 else SEASONAL_MEMBERS)
        fits = fit_members(y, m, names, model.seasonality, memo)
        log_fits, log_scale = log_members(y, m, names, model.spread, model.recent_weight, log_memo)
        rng = np.random.default_rng(series_seed(0, uid, "auto"))
        z = innovations(rng, N_PATHS, h, 1.0, path_dof(len(y), model.dof), unit_variance=True)
        width = path_width(m, model.width)
        weights, how = None, "median"
        if model.weights == "learned":
            weights, how = member_weights(y, m, h, fitted_names(len(y), names)), load()["combination"]
        paths = forecast_paths(fits, log_fits, log_scale, h, z, model.combination, path_limit(y), width, weights, how)
        if np.all(y >= 0):
            paths = np.maximum(paths, 0.0)
        out.append(np.vstack([paths.mean(axis=0), np.quantile(paths, QUANTILES, axis=0)]))
    return np.array(out)


def forecasts(data, rules: dict, jobs: int, with_peers: bool) -> tuple[pd.DataFrame, list[str]]:
    """Every rule's (and with ``with_peers`` the peers') forecasts of every validation window, as a long frame."""
    groups = {uid: g["y"].to_numpy() for uid, g in data.train.groupby("unique_id", sort=False)}
    tasks = [(uid, y, data.h, data.season_length, list(rules.values())) for uid, y in groups.items()]
    engine = "processes" if jobs > 1 else "serial"
    results = executor.run(_forecast, tasks, engine=engine, jobs=jobs, progress=False)
    test = data.test.set_index("unique_id")
    frame = []
    for (uid, *_), result in zip(tasks, results):
        piece = test.loc[[uid]].reset_index()[["unique_id", "ds"]]
        for label, values in zip(rules, result):
            piece[label] = values[0]
            for level, lo, hi in ((95, 1, 4), (80, 2, 3)):
                piece[f"{label}-lo-{level}"], piece[f"{label}-hi-{level}"] = values[lo], values[hi]
        frame.append(piece)
    frame = pd.concat(frame, ignore_index=True)
    models = list(rules)
    if with_peers:
        forecasts, _ = peers(data.train, data.h, data.season_length, jobs, data.alias)
        frame = frame.merge(forecasts, on=["unique_id", "ds"], how="left")
        models += ["AutoETS", "AutoTheta"]
    return frame, models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default=",".join(RULES), help=f"comma-separated, from: {', '.join(RULES)}")
    parser.add_argument("--collections", default=",".join(COLLECTIONS))
    parser.add_argument("--limit", type=int, default=0, help="evenly spaced series per collection (0: all)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--peers", action="store_true", help="also score statsforecast AutoETS and AutoTheta")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rules = {label: RULES[label] for label in args.rules.split(",")}
    for name in args.collections.split(","):
        start = time.perf_counter()
        data = validation(name, args.limit or None)
        frame, models = forecasts(data, rules, args.jobs, args.peers)
        table = score(data.train, data.test, frame, models, data.season_length, {}).drop(columns="seconds")
        print(f"\n== {name}: validation windows, {time.perf_counter() - start:.0f} s ==")
        print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)


if __name__ == "__main__":
    main()
