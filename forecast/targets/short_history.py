"""Paths for series too short for any model to measure its own uncertainty (fewer than :data:`MIN_HISTORY`
full years): the last value grown by year-on-year log growth rates resampled from every entity's annual series
of the same metric, so a two-point history gets the spread the whole network has shown, not zero."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.targets import facts as F

MIN_HISTORY = 3


def pooled_log_growth(known: pd.DataFrame, metric: str) -> np.ndarray:
    """Every consecutive-year log growth rate of ``metric`` across entities, from full-year totals in ``known``."""
    table = F.annual_table(known[known["metric"] == metric])
    table = table[table["value"] > 0].sort_values(["entity", "year"])
    same = table["entity"].eq(table["entity"].shift()) & table["year"].eq(table["year"].shift() + 1)
    rates = np.log(table["value"]).diff()[same]
    return rates.to_numpy(dtype=float)


def growth_paths(last: float, horizon: int, rates: np.ndarray, n_paths: int, rng: np.random.Generator) -> np.ndarray:
    """``last`` × exp(cumulative resampled growth), shape ``(n_paths, horizon)``."""
    draws = rng.choice(rates, size=(n_paths, horizon), replace=True)
    return last * np.exp(np.cumsum(draws, axis=1))
