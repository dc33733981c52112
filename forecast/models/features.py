"""Features of a series that say which of ``auto``'s members to trust on it (the inputs of the learned member
weights, :mod:`forecast.models.learned_weights`), after FFORMA (Montero-Manso, Athanasopoulos, Hyndman and
Talagala, 2020).

Each feature is a short function of a 1-d array ``y`` (no gaps, at least 3 points) and its season length ``m``,
returning a finite float; :func:`features` returns them all, in the order of :data:`NAMES`, with the horizon and
the season length. They are chosen to be cheap next to fitting the members (``auto`` fits three or four): plain
numpy, statsmodels' ACF, and STL for the seasonal series only (a few ms a series; annual series, whose
members fit fastest, skip it). statsmodels' KPSS statistic was tried and left out: it cost a third of the annual
features' time and the learner hardly used it (benchmarks/README.md). Level-free: every feature is unchanged when
``y`` is multiplied by a positive constant, so series of every size share one model.
"""

from __future__ import annotations

import numpy as np


def _sd(x: np.ndarray) -> float:
    return float(np.std(x)) if len(x) > 1 else 0.0


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 and np.isfinite(a / b) else 0.0


def length(y: np.ndarray, m: int) -> float:
    """log of the number of points: members that estimate more need longer series."""
    return float(np.log(len(y)))


def trend_strength(y: np.ndarray, m: int) -> float:
    """Signed t-statistic of the mean change, |mean Δy| / sd Δy × √(n−1) with the mean's sign, capped at ±20:
    how clearly the history trends (the quantity of the 2026-12-04 annual switches)."""
    d = np.diff(y)
    return float(np.clip(_ratio(d.mean(), _sd(d)) * np.sqrt(len(d)), -20, 20))


def recent_trend(y: np.ndarray, m: int) -> float:
    """Mean change over the last third of the history minus the mean change over all of it, in sd of the changes:
    a trend that slows (negative) or speeds up (positive) lately."""
    d = np.diff(y)
    recent = d[-max(len(d) // 3, 1) :]
    return float(np.clip(_ratio(recent.mean() - d.mean(), _sd(d)), -5, 5))


def curvature(y: np.ndarray, m: int) -> float:
    """Quadratic coefficient of a least-squares fit on time in [−1, 1], in sd of y: a bending trend (on symmetric
    times t² − mean t² is orthogonal to 1 and t, so its own regression coefficient is the full fit's)."""
    if len(y) < 4:
        return 0.0
    t = np.linspace(-1, 1, len(y))
    q = t**2 - np.mean(t**2)
    return float(np.clip(_ratio(float(q @ y) / float(q @ q), _sd(y)), -10, 10))


def linearity(y: np.ndarray, m: int) -> float:
    """Share of y's variance a straight line on time explains (R²)."""
    t, yc = np.arange(len(y)) - (len(y) - 1) / 2, y - y.mean()
    return _ratio(float(t @ yc) ** 2, float(t @ t) * float(yc @ yc))


def noise(y: np.ndarray, m: int) -> float:
    """log of the sd of the changes over the mean absolute level: how erratic the series is for its size."""
    return float(np.log(max(_ratio(_sd(np.diff(y)), float(np.mean(np.abs(y)))), 1e-6)))


def acf1(y: np.ndarray, m: int) -> float:
    """Lag-1 autocorrelation of the changes: momentum (positive) or mean reversion (negative) in the steps."""
    return _acf(np.diff(y), 1)


def seasonal_acf(y: np.ndarray, m: int) -> float:
    """Autocorrelation of the changes at the season's lag (0 for annual data)."""
    return _acf(np.diff(y), m) if m > 1 else 0.0


def _acf(x: np.ndarray, lag: int) -> float:
    from statsmodels.tsa.stattools import acf

    if len(x) <= lag + 1 or _sd(x) == 0:
        return 0.0
    return float(acf(x, nlags=lag, fft=False)[lag])


def last_level(y: np.ndarray, m: int) -> float:
    """Where the last point sits against the history, (y_n − mean) / sd, capped at ±5."""
    return float(np.clip(_ratio(y[-1] - y.mean(), _sd(y)), -5, 5))


def seasonal_strength(y: np.ndarray, m: int) -> float:
    """1 − var(remainder) / var(season + remainder) of an STL decomposition (statsmodels), 0 without a season or
    with fewer than two full seasons."""
    if m == 1 or len(y) < 2 * m + 1 or _sd(y) == 0:
        return 0.0
    from statsmodels.tsa.seasonal import STL

    fit = STL(y, period=m).fit()
    return float(max(0.0, 1 - _ratio(np.var(fit.resid), np.var(fit.seasonal + fit.resid))))


FEATURES = (
    length,
    trend_strength,
    recent_trend,
    curvature,
    linearity,
    noise,
    acf1,
    seasonal_acf,
    last_level,
    seasonal_strength,
)
NAMES = (*(f.__name__ for f in FEATURES), "horizon", "season_length")


def features(y: np.ndarray, m: int, h: int) -> np.ndarray:
    """Every feature of ``y`` (season length ``m``), then log ``h`` and log ``m``, in the order of :data:`NAMES`."""
    y = np.asarray(y, dtype=float)
    return np.array([*(f(y, m) for f in FEATURES), np.log(h), np.log(m)])
