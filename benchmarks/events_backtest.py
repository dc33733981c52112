"""Benchmark: do the bundled events (``datasets/events.csv``) help? Rolling-origin backtests of the bundled series
with ARIMA and the lag model, each run without and with the events; MASE and scaled CRPS per series and overall.

Annual series: every bundled series with at least 6 observed years, h = 1, 3 windows, 5 years of training at
least (arima's minimum). Monthly series: the bundled monthly series with at least 20 observed months (the
national trains and TEU), h = 3, 6 windows 3 months apart, 12 months of training at least; their gaps are filled
linearly for both runs alike (neither model takes gaps). The lag model is ``lags(n_lags=1)`` because the default
three lags need 8 points, more than most training windows have: chosen from the lengths, before any score.
``fallbacks``: windows where a model could not fit and a simpler one forecast instead (drift, naive).
Run: ``python benchmarks/events_backtest.py`` (add ``--format json`` for machine-readable output).
"""

from __future__ import annotations

import argparse
import json
import logging
import time

import pandas as pd

from forecast.backtest import backtest
from forecast.data.panels import series_panel
from forecast.regressors import BUNDLED

MODELS = ("arima", "lags(n_lags=1)")
COLLECTIONS = {
    "annual": {"min_points": 6, "h": 1, "n_windows": 3, "step": 1, "min_train": 5},
    "monthly": {"min_points": 20, "h": 3, "n_windows": 6, "step": 3, "min_train": 12},
}


def scores(freq: str, config: dict, events, jobs: int) -> pd.DataFrame:
    panel = series_panel(freq)
    observed = panel.groupby("unique_id")["y"].transform("count")
    panel = panel[observed >= config["min_points"]][["unique_id", "ds", "y"]]
    result = backtest(
        panel,
        MODELS,
        h=config["h"],
        n_windows=config["n_windows"],
        step=config["step"],
        min_train=config["min_train"],
        freq=freq,
        n_paths=500,
        engine="processes" if jobs > 1 else "serial",
        jobs=jobs,
        progress=False,
        events=events,
    )
    table = result.scores[["unique_id", "model", "mase", "scaled_crps"]].copy()
    table["windows"] = table["unique_id"].map(result.windows)
    fell = result.fallbacks[result.fallbacks["used"] != result.fallbacks["model"]]
    counts = fell.groupby(["unique_id", "model"]).size()
    table["fallbacks"] = [int(counts.get((u, m), 0)) for u, m in zip(table["unique_id"], table["model"])]
    return table


def compare(freq: str, config: dict, jobs: int) -> pd.DataFrame:
    """Per series × model: MASE and scaled CRPS without and with the bundled events."""
    without = scores(freq, config, None, jobs)
    with_events = scores(freq, config, BUNDLED, jobs)
    merged = without.merge(with_events, on=["unique_id", "model", "windows"], suffixes=("", "_events"))
    merged = merged[
        [
            "unique_id",
            "model",
            "windows",
            "fallbacks",
            "fallbacks_events",
            "mase",
            "mase_events",
            "scaled_crps",
            "scaled_crps_events",
        ]
    ]
    merged.insert(0, "freq", freq)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    args = parser.parse_args()
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.WARNING)
    start = time.perf_counter()
    table = pd.concat([compare(freq, config, args.jobs) for freq, config in COLLECTIONS.items()], ignore_index=True)
    wall = time.perf_counter() - start
    if args.format == "json":
        print(json.dumps(table.to_dict("records"), indent=1))
        return
    per_series = table.rename(
        columns={
            "mase": "MASE",
            "mase_events": "MASE events",
            "scaled_crps": "sCRPS",
            "scaled_crps_events": "sCRPS events",
            "fallbacks_events": "fallbacks events",
        }
    )
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(per_series.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    overall = table.groupby(["freq", "model"], sort=False).agg(
        series=("unique_id", "size"),
        mase=("mase", "mean"),
        mase_events=("mase_events", "mean"),
        crps=("scaled_crps", "mean"),
        crps_events=("scaled_crps_events", "mean"),
        helped=("mase_events", lambda s: int((s < table.loc[s.index, "mase"]).sum())),
    )
    print("\noverall (mean over series; helped: series whose MASE the events lowered)")
    print(overall.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"\nwall time {wall:.0f} s, jobs {args.jobs}")


if __name__ == "__main__":
    main()
