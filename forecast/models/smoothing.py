"""Fast numpy Theta and seasonal decomposition: the Theta family of Fiorucci et al. (2016) behind the registered
``theta`` (θ fixed) and ``auto``'s members (θ optimised), and classical seasonal indices.

A statsmodels fit per member would make an ensemble over hundreds of series slow. Here the one-step errors are
linear in the initial level and the trend weight, so for every α of a small grid (all run side by side as
arrays) those are solved by least squares; only α is searched, on a coarse then a finer grid. A fit turns
standard innovations into sample paths through its own state equation, so ``auto`` can drive all members with
the same innovations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models.base import Fit

SEASONALITY_CRITICAL = 1.6448536269514722  # one-sided 90% normal quantile, as in the M3/M4 Theta method
THETA_ALPHA_BOUNDS = (0.1, 0.99)  # Fiorucci et al. (2016), as statsforecast's AutoTheta


# --- Theta ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThetaFit:
    """A fitted Theta model of Fiorucci et al. (2016) in its SES state-space form."""

    level: float
    intercept: float
    slope: float
    alpha: float
    weight: float  # 1 - 1/θ: the share of the linear trend in the forecast
    n: int
    sigma: float

    def point(self, h: int) -> np.ndarray:
        a, n = self.alpha, self.n
        steps = (1 - (1 - a) ** (n + 1)) / a + np.arange(h)
        return self.level + self.weight * ((1 - a) ** n * self.intercept + steps * self.slope)

    def paths(self, h: int, z: np.ndarray) -> np.ndarray:
        """Point forecast plus errors carried into the level with weight ``alpha`` (SES state equation)."""
        e = self.sigma * z
        carried = np.cumsum(self.alpha * e, axis=1) - self.alpha * e
        return self.point(h) + carried + e


def _trend_lines(y: np.ndarray, dynamic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Intercept and slope of the OLS line on y[:t] for every t (dynamic) or on all of y (static), t = 1..n."""
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)
    if not dynamic:
        slope, intercept = np.polyfit(t, y, 1) if n > 1 else (0.0, y[0])
        return np.full(n, intercept), np.full(n, slope)
    cy, cty, ct, ct2 = np.cumsum(y), np.cumsum(t * y), np.cumsum(t), np.cumsum(t * t)
    spread = t * ct2 - ct**2
    slope = np.divide(t * cty - ct * cy, spread, out=np.zeros(n), where=spread > 0)
    return cy / t - slope * (t + 1) / 2, slope


def _theta_grid(alpha: np.ndarray, y: np.ndarray, lines: tuple[np.ndarray, np.ndarray], weight: float | None):
    """For each ``alpha`` of a grid: least-squares initial level and trend weight (in [0, 1); ``weight`` when
    given) and their MSE.

    The one-step forecast ``ℓ_{t-1} + w[(1-α)^{t-1} A_{t-1} + (1-(1-α)^t)/α B_{t-1}]`` is linear in the initial
    level ℓ_0 and the weight w = 1 - 1/θ, so only α needs searching.
    """
    n = len(y)
    t = np.arange(1, n + 1, dtype=float)[:, None]
    intercept, slope = (np.concatenate([[0.0], line[:-1]])[:, None] for line in lines)
    prev_levels = np.zeros((n, len(alpha)))  # SES from a zero initial level, one step behind
    for i in range(1, n):
        prev_levels[i] = alpha * y[i - 1] + (1 - alpha) * prev_levels[i - 1]
    decay = (1 - alpha) ** (t - 1)
    trend_term = decay * intercept + (1 - (1 - alpha) ** t) / alpha * slope
    target = y[:, None] - prev_levels
    dd, dw, ww = (decay * decay).sum(0), (decay * trend_term).sum(0), (trend_term * trend_term).sum(0)
    dt, wt = (decay * target).sum(0), (trend_term * target).sum(0)
    if weight is None:
        det = dd * ww - dw**2
        safe = det > 1e-10 * np.maximum(dd * ww, 1e-300)
        weight = np.where(safe, (dd * wt - dw * dt) / np.where(safe, det, 1.0), 0.0)
        weight = np.clip(weight, 0.0, 1.0 - 1e-9)
    else:
        weight = np.full(len(alpha), weight)
    l0 = (dt - weight * dw) / dd
    errors = target - l0 * decay - weight * trend_term
    return (errors**2).mean(0), l0, weight, errors


def fit_theta(y: np.ndarray, dynamic: bool = True, theta: float | None = None) -> ThetaFit:
    """Theta with α and ℓ_0 by least squares: θ ≥ 1 optimised too (OTM), or fixed at ``theta`` (θ = 2, static:
    the standard Theta method); ``dynamic`` updates the trend line every step."""
    y = np.asarray(y, dtype=float)
    fixed = None if theta is None else 1 - 1 / theta
    scale = float(np.std(y)) or 1.0
    s = y / scale
    lines = _trend_lines(s, dynamic)
    coarse = np.linspace(*THETA_ALPHA_BOUNDS, 23)
    best = coarse[int(np.argmin(_theta_grid(coarse, s, lines, fixed)[0]))]
    step = coarse[1] - coarse[0]
    fine = np.clip(np.linspace(best - step, best + step, 21), *THETA_ALPHA_BOUNDS)
    mse, l0, weight, errors = _theta_grid(fine, s, lines, fixed)
    i = int(np.argmin(mse))
    alpha = fine[i]
    level = l0[i]
    for value in s:
        level = alpha * value + (1 - alpha) * level
    sigma = float(np.sqrt(np.sum(errors[:, i] ** 2) / max(len(y) - 3, 1))) * scale
    return ThetaFit(
        level * scale, lines[0][-1] * scale, lines[1][-1] * scale, float(alpha), float(weight[i]), len(y), sigma
    )


def fit_auto_theta(y: np.ndarray) -> ThetaFit:
    """Dynamic or static optimised Theta, whichever fits the series better in-sample (AutoTheta's rule)."""
    return min((fit_theta(y, dynamic=True), fit_theta(y, dynamic=False)), key=lambda f: f.sigma)


# --- seasonality ----------------------------------------------------------------------------------------------------


def seasonal_indices(y: np.ndarray, m: int) -> np.ndarray | None:
    """Multiplicative seasonal indices (length ``m``, phase of ``y[0]``) when an ACF test finds seasonality.

    The test is the Theta method's: the lag-``m`` autocorrelation against its standard error at 90%. None when
    the series is not seasonal, too short (< 3 seasons) or not strictly positive.
    """
    y = np.asarray(y, dtype=float)
    n = len(y)
    if m < 2 or n < 3 * m or np.any(y <= 0):
        return None
    d = y - y.mean()
    acf = np.array([np.sum(d[k:] * d[: n - k]) for k in range(m + 1)]) / np.sum(d * d)
    limit = SEASONALITY_CRITICAL * np.sqrt((1 + 2 * np.sum(acf[1:m] ** 2)) / n)
    if abs(acf[m]) <= limit:
        return None
    return classical_indices(y, m, multiplicative=True)


def classical_indices(y: np.ndarray, m: int, multiplicative: bool = True) -> np.ndarray:
    """Seasonal indices of a classical decomposition (length ``m``, phase of ``y[0]``; needs two seasons):
    per-phase means of y over (or minus) its centred moving average, normalised to mean 1 (or sum 0)."""
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(y, kernel, mode="valid")
    offset = (len(kernel) - 1) // 2
    window = y[offset : offset + len(trend)]
    detrended = window / trend if multiplicative else window - trend
    phase = (np.arange(len(detrended)) + offset) % m
    idx = np.array([detrended[phase == s].mean() for s in range(m)])
    return idx / idx.mean() if multiplicative else idx - idx.mean()


class ClassicalSeason:
    """Multiplicative seasonal indices of a classical decomposition, fixed over the sample and ahead."""

    def __init__(self, indices: np.ndarray, n: int):
        self.indices, self.n = indices, n

    def adjust(self, y: np.ndarray) -> np.ndarray:
        return y / np.resize(self.indices, len(y))

    def reseasonalise(self, values: np.ndarray) -> np.ndarray:
        return values * self.indices[(self.n + np.arange(values.shape[-1])) % len(self.indices)]


class Reseasonalised:
    """A :class:`~forecast.models.base.Fit` of a seasonally adjusted series, its forecasts put back on the original
    scale by the ``season`` that adjusted it (classical indices, or a seasonal ETS fit's states)."""

    def __init__(self, fit: Fit, season):
        self.fit, self.season = fit, season

    def point(self, h: int) -> np.ndarray:
        return self.season.reseasonalise(self.fit.point(h))

    def paths(self, h: int, z: np.ndarray) -> np.ndarray:
        return self.season.reseasonalise(self.fit.paths(h, z))
