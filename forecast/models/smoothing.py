"""Fast numpy exponential smoothing for ``auto``: additive ETS (no or damped trend) and optimised Theta.

statsmodels needs 15–80 ms per fit, which makes an ensemble over hundreds of series slow. Here the one-step
errors are linear in the initial states, so for every smoothing-parameter set of a small grid (all run side by
side as arrays) the initial states are solved by least squares; only the grid is searched (Theta refines its α
on a finer grid around the best). A fit takes a few milliseconds. Each fitted model turns standard innovations
into sample paths through its own state equations, so ``auto`` can drive all members with the same innovations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEASONALITY_CRITICAL = 1.6448536269514722  # one-sided 90% normal quantile, as in the M3/M4 Theta method
ETS_MIN_LENGTH = {"none": 3, "damped": 5}
THETA_ALPHA_BOUNDS = (0.1, 0.99)  # Fiorucci et al. (2016), as statsforecast's AutoTheta


# --- additive ETS -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ets:
    """Fitted additive-error ETS(A,N,N) or ETS(A,Ad,N): final state, parameters and error scale."""

    level: float
    trend: float
    alpha: float
    beta: float
    phi: float
    sigma: float
    aicc: float

    def point(self, h: int) -> np.ndarray:
        return self.level + self.trend * np.cumsum(self.phi ** np.arange(1, h + 1))

    def paths(self, h: int, z: np.ndarray) -> np.ndarray:
        """Run the state equations forward with errors ``sigma * z``."""
        level = np.full(z.shape[0], self.level)
        trend = np.full(z.shape[0], self.trend)
        out = np.empty_like(z)
        for j in range(h):
            e = self.sigma * z[:, j]
            out[:, j] = level + self.phi * trend + e
            level, trend = level + self.phi * trend + self.alpha * e, self.phi * trend + self.beta * e
        return out


def _ets_grid(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares SSE and initial states (l0, b0) for every parameter triple of a grid at once.

    Errors are linear in the initial states, so three systems run side by side over the grid: the series from
    zero states, and no input from a unit level and from a unit trend; SSE over (l0, b0) is then a 2×2 solve.
    """
    k, n = len(alpha), len(y)
    inputs = np.zeros((3, 1))
    level = np.zeros((3, k))
    trend = np.zeros((3, k))
    level[1], trend[2] = 1.0, 1.0
    errors = np.empty((n, 3, k))
    for t in range(n):
        inputs[0, 0] = y[t]
        e = inputs - level - phi * trend
        errors[t] = e
        level = level + phi * trend + alpha * e
        trend = phi * trend + beta * e
    ey, eu, ev = errors[:, 0], errors[:, 1], errors[:, 2]
    uu, uv, vv = (eu * eu).sum(0), (eu * ev).sum(0), (ev * ev).sum(0)
    uy, vy, yy = (eu * ey).sum(0), (ev * ey).sum(0), (ey * ey).sum(0)
    det = uu * vv - uv**2
    safe = np.abs(det) > 1e-10 * np.maximum(uu * vv, 1e-300)
    l0 = np.where(safe, -(vv * uy - uv * vy) / np.where(safe, det, 1.0), -uy / np.maximum(uu, 1e-300))
    b0 = np.where(safe, -(uu * vy - uv * uy) / np.where(safe, det, 1.0), 0.0)
    sse = yy + 2 * (l0 * uy + b0 * vy) + l0**2 * uu + 2 * l0 * b0 * uv + b0**2 * vv
    return np.maximum(sse, 0.0), np.column_stack([l0, b0])


def _grid(trend: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smoothing-parameter grid: α, β = α·share (β ≤ α), φ in [0.8, 0.98]; trend-free models have β = φ = 0."""
    alphas = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99])
    if trend == "none":
        alphas = np.linspace(0.01, 0.99, 50)
        return alphas, np.zeros_like(alphas), np.zeros_like(alphas)
    a, share, phi = np.meshgrid(alphas, [0.01, 0.05, 0.1, 0.2, 0.35, 0.6, 1.0], [0.8, 0.86, 0.92, 0.96, 0.98])
    a, share, phi = a.ravel(), share.ravel(), phi.ravel()
    return a, a * share, phi


def fit_ets(y: np.ndarray, trend: str = "damped") -> Ets:
    """Least-squares ETS with ``trend`` 'none' or 'damped' over a parameter grid; AICc for selection."""
    y = np.asarray(y, dtype=float)
    scale = float(np.std(y)) or 1.0
    s = (y - y[0]) / scale
    alphas, betas, phis = _grid(trend)
    sse, states = _ets_grid(s, alphas, betas, phis)
    best = int(np.argmin(sse))
    alpha, beta, phi = alphas[best], betas[best], phis[best]
    level, slope = states[best]
    for value in s:  # roll the states to the end of the sample
        e = value - level - phi * slope
        level, slope = level + phi * slope + alpha * e, phi * slope + beta * e
    n, k = len(y), (2 if trend == "none" else 5) + 1
    sse_best = max(sse[best] * scale**2, 1e-12 * scale**2 * n)
    aicc = n * np.log(sse_best / n) + 2 * k + (2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf)
    sigma = float(np.sqrt(sse_best / max(n - k + 1, 1)))
    return Ets(level * scale + y[0], slope * scale, float(alpha), float(beta), float(phi), sigma, float(aicc))


def fit_auto_ets(y: np.ndarray) -> Ets:
    """ETS(A,N,N) or ETS(A,Ad,N), whichever has the lower AICc among those the length allows."""
    fits = [fit_ets(y, trend) for trend, need in ETS_MIN_LENGTH.items() if len(y) >= need]
    return min(fits, key=lambda f: f.aicc)


# --- Theta ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theta:
    """Fitted (dynamic) optimised Theta model of Fiorucci et al. (2016) in its SES state-space form."""

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


def _theta_grid(alpha: np.ndarray, y: np.ndarray, lines: tuple[np.ndarray, np.ndarray]):
    """For each ``alpha`` of a grid: least-squares initial level and trend weight (in [0, 1)) and their MSE.

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
    det = dd * ww - dw**2
    safe = det > 1e-10 * np.maximum(dd * ww, 1e-300)
    weight = np.where(safe, (dd * wt - dw * dt) / np.where(safe, det, 1.0), 0.0)
    weight = np.clip(weight, 0.0, 1.0 - 1e-9)
    l0 = (dt - weight * dw) / dd
    errors = target - l0 * decay - weight * trend_term
    return (errors**2).mean(0), l0, weight, errors


def fit_theta(y: np.ndarray, dynamic: bool = True) -> Theta:
    """Optimised Theta (θ ≥ 1, α and ℓ_0 by least squares); ``dynamic`` updates the trend line every step."""
    y = np.asarray(y, dtype=float)
    scale = float(np.std(y)) or 1.0
    s = y / scale
    lines = _trend_lines(s, dynamic)
    coarse = np.linspace(*THETA_ALPHA_BOUNDS, 23)
    best = coarse[int(np.argmin(_theta_grid(coarse, s, lines)[0]))]
    step = coarse[1] - coarse[0]
    fine = np.clip(np.linspace(best - step, best + step, 21), *THETA_ALPHA_BOUNDS)
    mse, l0, weight, errors = _theta_grid(fine, s, lines)
    i = int(np.argmin(mse))
    alpha = fine[i]
    level = l0[i]
    for value in s:
        level = alpha * value + (1 - alpha) * level
    sigma = float(np.sqrt(np.sum(errors[:, i] ** 2) / max(len(y) - 3, 1))) * scale
    return Theta(
        level * scale, lines[0][-1] * scale, lines[1][-1] * scale, float(alpha), float(weight[i]), len(y), sigma
    )


def fit_auto_theta(y: np.ndarray) -> Theta:
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
    kernel = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(y, kernel, mode="valid")
    offset = (len(kernel) - 1) // 2
    ratio = y[offset : offset + len(trend)] / trend
    phase = (np.arange(len(ratio)) + offset) % m
    idx = np.array([ratio[phase == s].mean() for s in range(m)])
    return idx / idx.mean()
