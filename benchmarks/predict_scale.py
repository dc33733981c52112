"""How ``predict`` scales with workers: N synthetic annual series forecast with ``auto`` serially and on 1 and 2
local Dask workers, through the one executor; series per second, peak memory of the caller and of the largest
worker, the speed-up, and a check that every engine gives the serial numbers (a hash of the forecast table).
From the per-worker rate it prints what 1M and 10M series would take on clusters of 10 and 100 such workers.

Each run is a process of its own, so its memory figures are its own (a worker's peak is read by the operating
system when the worker ends).

Run: ``python benchmarks/predict_scale.py [--series 100000] [--paths 200] [--runs serial:1 dask:1 dask:2]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd


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


def one_run(series: int, paths: int, horizon: int, engine: str, jobs: int) -> dict:
    """Forecast the synthetic panel once on ``engine`` and say how long it took, how much memory it used and
    what it forecast (a hash of the table)."""
    from forecast.predict import predict

    frame = synthetic(series)
    start = time.perf_counter()
    table = predict(frame, horizon, n_paths=paths, seed=0, engine=engine, jobs=jobs, progress=False).table()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "caller MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "largest worker MB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "table hash": str(int(pd.util.hash_pandas_object(table, index=False).sum())),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100_000)
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--runs", nargs="+", default=["serial:1", "dask:1", "dask:2"], help="engine:workers")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # engine:workers, run in this process, JSON out
    args = parser.parse_args(argv)
    if args.one:
        engine, jobs = args.one.split(":")
        print(json.dumps(one_run(args.series, args.paths, args.horizon, engine, int(jobs))))
        return 0
    rows = []
    for run in args.runs:
        engine, jobs = run.split(":")
        command = [sys.executable, __file__, "--one", run, "--series", str(args.series), "--paths", str(args.paths)]
        command += ["--horizon", str(args.horizon)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        rows.append({"engine": engine, "workers": int(jobs), **json.loads(out.strip().splitlines()[-1])})
        print(f"  {run}: {rows[-1]['seconds']:,.0f} s", file=sys.stderr)
    table = pd.DataFrame(rows)
    table["series/s"] = args.series / table["seconds"]
    table["speed-up"] = table.loc[0, "seconds"] / table["seconds"]
    table["same as serial"] = table["table hash"] == table.loc[0, "table hash"]
    if (table["engine"] == "serial").any():
        table.loc[table["engine"] == "serial", "largest worker MB"] = float("nan")
    print(f"{args.series:,} annual series x {args.horizon} years, auto, {args.paths} paths\n")
    shown = table.drop(columns="table hash")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="-"))
    dask = table[table["engine"] == "dask"]
    if not dask.empty:
        widest = dask.loc[dask["workers"].idxmax()]
        rate = widest["series/s"] / widest["workers"]
        print(f"\nper Dask worker ({int(widest['workers'])} workers): {rate:,.0f} series/s")
        for n in (1_000_000, 10_000_000):
            for workers in (10, 100):
                print(
                    f"{n:>12,} series on {workers:>3} workers: about {n / (rate * workers) / 60:,.1f} min "
                    "(if the scheduler keeps up)"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
