"""Benchmark (a): every registered model on every bundled annual series, h = 1..3, 3 windows; budget 60 s.

Prints the wall time, the overall leaderboard, MASE by step, fallbacks, and which model wins on the
China-Europe (national) train series and by how much over naive. Run: ``python benchmarks/backtest_bundled.py``.
"""

from __future__ import annotations

import argparse
import logging
import time

import pandas as pd

from forecast.backtest import backtest
from forecast.backtest.leaderboard import as_text, leaderboard
from forecast.data.panels import series_panel
from forecast.models.registry import available_models

NATIONAL = "national/trains/reported"
BUDGET_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="processes", choices=["serial", "processes", "dask"])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    for name in ("cmdstanpy", "prophet"):
        logging.getLogger(name).setLevel(logging.WARNING)

    models = available_models()
    start = time.perf_counter()
    panel = series_panel("annual")
    result = backtest(
        panel,
        models,
        h=3,
        n_windows=3,
        min_train=3,
        engine=args.engine,
        jobs=args.jobs,
        n_workers=args.jobs,
        freq="annual",
        progress=False,
    )
    board = leaderboard(result)
    wall = time.perf_counter() - start

    series_windows = int(result.windows.sum())
    fits = series_windows * len(models)
    print(f"models: {', '.join(models)}")
    print(
        f"series: {panel['unique_id'].nunique()} annual bundled, {result.forecasts['unique_id'].nunique()} "
        f"long enough for >= 1 window (min_train 3, h 3), {series_windows} "
        f"series-windows, {fits} fits"
    )
    print(
        f"wall time: {wall:.1f} s with engine={args.engine} jobs={args.jobs} "
        f"({'within' if wall <= BUDGET_S else 'OVER'} the {BUDGET_S:.0f} s budget)\n"
    )
    print(as_text(board))

    national = board.per_series[board.per_series["unique_id"] == NATIONAL].sort_values("mase")
    if len(national):
        best = national.iloc[0]
        naive = national.set_index("model").loc["naive"]
        cutoffs = sorted(set(result.forecasts.loc[result.forecasts["unique_id"] == NATIONAL, "cutoff"]))
        print(f"\n{NATIONAL}: cutoffs {', '.join(str(c.year) for c in cutoffs)}")
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(
                national[["model", "mase", "smape", "coverage-95", "scaled_crps", "rank", "fallback"]].to_string(
                    index=False, float_format=lambda v: f"{v:.3f}"
                )
            )
        print(
            f"winner on {NATIONAL}: {best['model']} (MASE {best['mase']:.3f} vs naive {naive['mase']:.3f}: "
            f"{100 * (1 - best['mase'] / naive['mase']):.0f}% lower; sMAPE {best['smape']:.1f}% vs "
            f"{naive['smape']:.1f}%)"
        )


if __name__ == "__main__":
    main()
