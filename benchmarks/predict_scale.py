"""How ``predict`` scales with workers: N synthetic annual series forecast with ``auto`` serially and on 1 and 2
local Dask workers (and local processes), through the one executor; series per second, the largest worker's
memory, the speed-up, and a check that every engine gives the serial numbers. From the per-worker rate it
prints what 1M and 10M series would take on a cluster of 10 and 100 such workers.

Run: ``python benchmarks/predict_scale.py [--series 100000] [--paths 200]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

from forecast.predict import predict


def synthetic(n: int, length: int = 20, seed: int = 0) -> pd.DataFrame:
    """``n`` annual series: log random walks with drift, levels spread over three orders of magnitude."""
    rng = np.random.default_rng(seed)
    level = np.log(rng.uniform(50, 50_000, n))[:, None]
    steps = rng.normal(0.05, 0.1, (n, length))
    y = np.exp(level + np.cumsum(steps, axis=1))
    ds = pd.date_range("2005-01-01", periods=length, freq="YS")
    return pd.DataFrame(
        {"unique_id": np.repeat([f"s{k}" for k in range(n)], length), "ds": np.tile(ds, n), "y": y.ravel()}
    )


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=6)
    args = parser.parse_args(argv)
    frame = synthetic(args.series)
    runs = [("serial", 1), ("processes", 1), ("processes", 2), ("dask", 1), ("dask", 2)]
    rows, reference = [], None
    for engine, jobs in runs:
        start = time.perf_counter()
        table = predict(frame, args.horizon, n_paths=args.paths, seed=0, engine=engine, jobs=jobs, progress=False)
        seconds = time.perf_counter() - start
        table = table.table()
        reference = table if reference is None else reference
        same = table.equals(reference)
        memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if engine == "serial" else children_peak_mb()
        rows.append(
            {
                "engine": engine,
                "workers": jobs,
                "seconds": seconds,
                "series/s": args.series / seconds,
                "peak MB per worker": memory,
                "same as serial": same,
            }
        )
    out = pd.DataFrame(rows)
    base = out.loc[out["engine"] == "serial", "seconds"].iloc[0]
    out["speed-up"] = base / out["seconds"]
    print(f"{args.series:,} series x {args.horizon} years, auto, {args.paths} paths\n")
    print(out.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    rate = float(out.loc[(out["engine"] == "dask") & (out["workers"] == 2), "series/s"].iloc[0]) / 2
    print(f"\nper Dask worker: {rate:,.0f} series/s")
    for n in (1_000_000, 10_000_000):
        for workers in (10, 100):
            print(
                f"{n:>12,} series on {workers:>3} workers: about {n / (rate * workers) / 60:,.1f} min "
                "(if the scheduler keeps up)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
