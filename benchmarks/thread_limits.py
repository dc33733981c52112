"""Why fits run single-threaded: the time of small model fits with one BLAS/OpenMP thread and with one per core.

Each setting runs in a fresh process (``FORECAST_BLAS_THREADS`` is read when the limits are applied), fitting
``theta``, ``ets`` and ``arima`` on a 16-point annual series ``--repeat`` times; the median per fit is printed.

Run: ``python benchmarks/thread_limits.py [--repeat 20]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

PROBE = """
import statistics, sys, time
import numpy as np
from forecast.models import get_model
y = 100 + 8 * np.arange(16) + np.random.default_rng(0).normal(0, 4, 16)
for name in ("theta", "ets", "arima"):
    times = []
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        get_model(name).fit(y, 1)
        times.append(time.perf_counter() - start)
    print(f"{name:6s} {statistics.median(times) * 1000:8.1f} ms")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    for threads in sorted({1, os.cpu_count() or 1}):
        print(f"FORECAST_BLAS_THREADS={threads}", flush=True)
        env = {**os.environ, "FORECAST_BLAS_THREADS": str(threads)}
        subprocess.run([sys.executable, "-c", PROBE, str(args.repeat)], env=env, check=True)


if __name__ == "__main__":
    main()
