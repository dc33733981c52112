"""Calibration of target probabilities: retrospective on the bundled data and on simulated series with known truth.

Run: ``python benchmarks/targets_calibration.py [--model drift] [--series 300] [--paths 1000]``; prints Brier and
log scores (beside the base rate known in hindsight), reliability tables, and 80% interval coverage against its
binomial tolerance for ``--model`` on three processes and for the well-specified pair (drift on a random walk with
drift), which checks the probability machinery itself.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from forecast.models.registry import model_class
from forecast.targets.calibration import brier, coverage_tolerance, reliability, retrospective, simulated, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto")
    parser.add_argument("--series", type=int, default=300, help="simulated series per process")
    parser.add_argument("--paths", type=int, default=1000)
    args = parser.parse_args()
    model = model_class(args.model).name
    pd.set_option("display.width", 160)
    print(f"model: {model}")

    start = time.perf_counter()
    cases = retrospective(model, n_paths=args.paths)
    print(f"\n== retrospective, bundled data ({len(cases)} cases, {time.perf_counter() - start:.1f}s)")
    print(summary(cases).round(3).to_string(index=False))
    print("\nreliability (all retrospective cases):")
    print(reliability(cases["p"], cases["outcome"]).round(3).to_string(index=False))

    start = time.perf_counter()
    sims = simulated(model, n_series=args.series, n_paths=args.paths)
    print(
        f"\n== simulated series, {model} on processes it does not assume ({args.series} per process, 12 points, "
        f"h=1, {time.perf_counter() - start:.1f}s)"
    )
    tol = coverage_tolerance(args.series)
    table = summary(sims).merge(sims.groupby("group", as_index=False)["covered"].mean(), on="group")
    table["coverage_ok"] = (table["covered"] - 0.8).abs() <= tol
    print(table.round(3).to_string(index=False))
    print(f"80% coverage tolerance: +/- {tol:.3f} (3 binomial s.e. at n={args.series})")
    well = simulated("drift", n_series=args.series, n_paths=args.paths, processes=("random walk with drift",))
    covered = well["covered"].mean()
    print(
        f"well specified (drift on the random walk with drift): 80% coverage {covered:.3f} "
        f"({'within' if abs(covered - 0.8) <= tol else 'OUTSIDE'} the tolerance), "
        f"Brier {brier(well['p'], well['outcome']):.3f} vs base rate "
        f"{brier(np.full(len(well), well['outcome'].mean()), well['outcome']):.3f}"
    )
    print("\nreliability (simulated, all processes):")
    print(reliability(sims["p"], sims["outcome"]).round(3).to_string(index=False))


if __name__ == "__main__":
    main()
