"""Benchmark (c): the same rolling-origin backtest through ours and statsforecast's ``cross_validation``.

Two parts, both on one core, h=3, 3 windows, step 1, on the synthetic annual series of benchmark (b):

- the fast models both have (naive/Naive, snaive/SeasonalNaive, drift/RandomWalkWithDrift, mean/HistoricAverage)
  on the same 10,000 series as (b) (``--series``);
- the searched models both have (ets/AutoETS, theta/AutoTheta, arima/AutoARIMA) on the first ``--slow-series``
  of them (default 20: ours are statsmodels fits, 0.1–1 s each, so the full set would take hours).

Prints each side's time (statsforecast after a numba warm-up), the ratio, and the same metric functions applied
to both frames. Run: ``python benchmarks/backtest_vs_statsforecast.py [--series 10000] [--slow-series 20]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import pandas as pd

from forecast.backtest import backtest
from forecast.backtest.metrics import coverage, mase, pinball, smape
from forecast.models.registry import available_models

sys.path.insert(0, str(Path(__file__).parent))
from backtest_scaling import synthetic


def statsforecast_models(ours: list[str]) -> list:
    from statsforecast.models import (
        AutoARIMA,
        AutoETS,
        AutoTheta,
        HistoricAverage,
        Naive,
        RandomWalkWithDrift,
        SeasonalNaive,
    )

    pairs = {
        "naive": lambda: Naive(alias="naive"),
        "snaive": lambda: SeasonalNaive(season_length=1, alias="snaive"),
        "drift": lambda: RandomWalkWithDrift(alias="drift"),
        "mean": lambda: HistoricAverage(alias="mean"),
        "ets": lambda: AutoETS(season_length=1, alias="ets"),
        "theta": lambda: AutoTheta(season_length=1, alias="theta"),
        "arima": lambda: AutoARIMA(season_length=1, alias="arima"),
    }
    return [pairs[m]() for m in ours if m in pairs]


def run_statsforecast(df, models, h, n_windows):
    from statsforecast import StatsForecast

    sf = StatsForecast(models=statsforecast_models(models), freq="YS", n_jobs=1)
    cv = sf.cross_validation(df=df, h=h, step_size=1, n_windows=n_windows, level=[80, 95])
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    cv = cv.astype({"unique_id": str, "ds": "datetime64[ns]", "cutoff": "datetime64[ns]"})
    return cv.sort_values(["unique_id", "cutoff", "ds"]).reset_index(drop=True)


def compare(df, models, h: int, n_windows: int) -> None:
    """Time both sides on ``df`` and print the ratio and the shared metrics."""
    run_statsforecast(synthetic(4), models, h, n_windows)  # numba compile, not timed
    start = time.perf_counter()
    theirs = run_statsforecast(df, models, h, n_windows)
    t_sf = time.perf_counter() - start

    start = time.perf_counter()
    result = backtest(df, models, h=h, n_windows=n_windows, engine="serial", progress=False)
    t_ours = time.perf_counter() - start
    ours = result.forecasts
    print(f"\n== {df['unique_id'].nunique()} series × {n_windows} windows, h={h}: {', '.join(models)}")
    print(
        f"time, one core: ours {t_ours:.1f} s ({result.windows.sum() * len(models) / t_ours:.0f} fits/s, "
        "1000 sample paths each) | "
        f"statsforecast {t_sf:.1f} s | ratio ours/statsforecast {t_ours / t_sf:.2f}",
        flush=True,
    )

    keys = ["unique_id", "cutoff", "ds"]
    pd.testing.assert_frame_equal(ours[keys], theirs[keys])  # the same series, cutoffs and target dates
    rows = []
    for name, frame in (("ours", ours), ("statsforecast", theirs)):
        for metric in (mase, smape, pinball, coverage):
            level = 95 if metric is coverage else None
            table = metric(frame, models, result.train, 1, level)
            rows.append(
                {"impl": name, "metric": metric.__name__ + ("-95" if level else ""), **table[models].mean().to_dict()}
            )
    table = pd.DataFrame(rows).set_index(["metric", "impl"]).sort_index()
    with pd.option_context("display.width", 200):
        print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--slow-series", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("statsforecast").setLevel(logging.WARNING)
    registered = available_models()
    fast = [m for m in ("naive", "snaive", "drift", "mean") if m in registered]
    slow = [m for m in ("ets", "theta", "arima") if m in registered]
    df = synthetic(args.series)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared with other users)")
    compare(df, fast, 3, 3)
    if args.slow_series:
        compare(df[df["unique_id"].isin(df["unique_id"].unique()[: args.slow_series])], slow, 3, 3)


if __name__ == "__main__":
    main()
