"""Benchmark (b): 10,000 synthetic annual series × 3 windows with the fast baselines on 1 and 2 Dask workers.

Prints fits per second, the speed-up from 1 to 2 workers, and peak memory of the client and of each worker
(VmHWM). The cluster is started here and passed by address, exercising the ``--scheduler`` path.
Run: ``python benchmarks/backtest_scaling.py [--series 10000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from forecast.backtest import backtest

MODELS = ("naive", "snaive", "drift", "mean")


def synthetic(n_series: int, length: int = 20, seed: int = 0) -> pd.DataFrame:
    """Positive trending random walks, one per series, on a shared annual grid."""
    rng = np.random.default_rng(seed)
    y = 100 + np.cumsum(rng.normal(2, 5, (n_series, length)), axis=1)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:05d}" for i in range(n_series)], length),
            "ds": np.tile(pd.date_range("2005", periods=length, freq="YS"), n_series),
            "y": np.maximum(y, 0).ravel(),
        }
    )


def peak_mb() -> float:
    """This process's peak resident memory: VmHWM (ru_maxrss survives exec, so spawned workers would report
    their parent's peak), falling back to ru_maxrss off Linux."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(df: pd.DataFrame, workers: int, args) -> tuple[float, pd.DataFrame, list[float]]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        result = backtest(
            df,
            MODELS,
            h=3,
            n_windows=3,
            n_paths=args.paths,
            engine="dask",
            scheduler=cluster.scheduler_address,
            progress=True,
        )
        wall = time.perf_counter() - start
        worker_mb = list(client.run(peak_mb).values())
    return wall, result.forecasts, worker_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--paths", type=int, default=1000)
    args = parser.parse_args()
    df = synthetic(args.series)
    fits = args.series * 3 * len(MODELS)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other users share them)")
    print(f"{args.series} series × 3 windows × {len(MODELS)} models = {fits} fits, h=3, {args.paths} paths each")
    walls, frames = {}, {}
    for workers in (1, 2):
        wall, frames[workers], worker_mb = run(df, workers, args)
        walls[workers] = wall
        print(
            f"dask {workers} worker(s): {wall:6.1f} s  {fits / wall:7.0f} fits/s  "
            f"worker peak RSS {', '.join(f'{m:.0f}' for m in worker_mb)} MB"
        )
    pd.testing.assert_frame_equal(frames[1], frames[2])
    print(f"speed-up 1 → 2 workers: {walls[1] / walls[2]:.2f}× (ideal 2.00×); results identical")
    frame_mb = frames[2].memory_usage(deep=True).sum() / 2**20
    print(f"client peak RSS {peak_mb():.0f} MB; forecast frame {frame_mb:.0f} MB ({len(frames[2])} rows)")


if __name__ == "__main__":
    main()
