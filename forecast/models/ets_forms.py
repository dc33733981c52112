"""The ETS forms of Hyndman et al. (2008) as one recursion in absolute errors, run for many forms and parameter
sets side by side, with the concentrated likelihood and AICc that rank them (fitted in
:mod:`forecast.models.fast_ets`)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

ERRORS, TRENDS, SEASONS = ("add", "mul"), ("none", "add", "damped"), ("none", "add", "mul")
MIN_TREND_LENGTH = 5
SSE_FLOOR = 1e-12  # per point, in units of the scaled series: a perfect fit keeps a finite likelihood
# θ = (α, β/α, γ/(1-α), φ, ℓ0, b0, s_0 .. s_{m-2}); s_{m-1} closes the seasons (sum 0 or mean 1)
N_SMOOTHING = 4


@dataclass(frozen=True)
class Form:
    """One ETS form: error 'add'/'mul', trend 'none'/'add'/'damped', season 'none'/'add'/'mul'."""

    error: str
    trend: str
    season: str

    def __str__(self) -> str:
        code = {"none": "N", "add": "A", "mul": "M", "damped": "Ad"}
        return f"ETS({code[self.error]},{code[self.trend]},{code[self.season]})"

    def active(self, m: int) -> np.ndarray:
        """Mask of the free entries of θ for this form and season length ``m``."""
        mask = np.zeros(N_SMOOTHING + 2 + max(m - 1, 0), dtype=bool)
        mask[0] = mask[4] = True
        mask[[1, 5]] = self.trend != "none"
        mask[3] = self.trend == "damped"
        if self.season != "none":
            mask[2] = True
            mask[6:] = True
        return mask


def candidate_forms(y: np.ndarray, m: int, errors=ERRORS, trends=TRENDS, seasons=SEASONS) -> list[Form]:
    """Forms worth fitting: multiplicative parts only for positive data, seasons only with two full seasons, trends
    only from :data:`MIN_TREND_LENGTH` points, no additive error with a multiplicative season (AutoETS's
    ``restrict``: its variance can be infinite)."""
    positive = bool(np.all(y > 0))
    seasonal = m > 1 and len(y) >= 2 * m
    forms = []
    for error, trend, season in product(errors, trends, seasons):
        if (season != "none" and not seasonal) or (not positive and "mul" in (error, season)):
            continue
        if trend != "none" and len(y) < MIN_TREND_LENGTH:
            continue
        if error == "add" and season == "mul":
            continue
        forms.append(Form(error, trend, season))
    return forms


def unpack(theta: np.ndarray, m: int, mult: np.ndarray):
    """Smoothing parameters and initial states (season rows by phase) from θ of shape (P, B)."""
    alpha = theta[0]
    beta, gamma, phi = alpha * theta[1], (1 - alpha) * theta[2], theta[3]
    free = theta[6:]
    closing = mult * m - free.sum(axis=0) if m > 1 else np.zeros_like(alpha)
    season = np.vstack([free, closing[None]]) if m > 1 else np.where(mult, 1.0, 0.0)[None]
    return alpha, beta, gamma, phi, theta[4], theta[5], season


def run(y: np.ndarray, theta: np.ndarray, m: int, mult: np.ndarray, seasons: np.ndarray | None = None):
    """One-step fitted values (n, B) and final states for every column of θ (P, B); ``mult`` marks columns
    with a multiplicative season. Updates in absolute errors ε: ℓ += φb + αε/s, b = φb + βε/s,
    s += γε/(ℓ+φb) for a multiplicative season; ℓ += φb + αε, b = φb + βε, s += γε for an additive one.
    ``seasons`` (n, B), when given, receives the season state each fitted value used."""
    alpha, beta, gamma, phi, level, trend, season = unpack(theta, m, mult)
    season = season.copy()
    mult = mult.astype(float)
    add = 1.0 - mult
    fitted = np.empty((len(y), theta.shape[1]))
    with np.errstate(all="ignore"):
        if m == 1:  # no season: the same updates without the season's operations (half the time)
            for t, value in enumerate(y):
                base = level + phi * trend
                e = value - base
                level, trend = base + alpha * e, phi * trend + beta * e
                fitted[t] = base
            if seasons is not None:
                seasons[:] = season[0]
            return fitted, level, trend, season
        for t, value in enumerate(y):
            j = t % m
            s = season[j]
            base = level + phi * trend
            divisor = mult * s + add
            f = base * divisor + add * s
            e = value - f
            scaled = e / divisor
            level = base + alpha * scaled
            trend = phi * trend + beta * scaled
            season[j] = s + gamma * e / (mult * base + add)
            fitted[t] = f
            if seasons is not None:
                seasons[t] = s
    return fitted, level, trend, np.roll(season, -(len(y) % m), axis=0)


def residuals(y: np.ndarray, fitted: np.ndarray, mul_error: np.ndarray) -> np.ndarray:
    """Residuals whose sum of squares is the concentrated likelihood's: ε for an additive error, ε/ŷ times the
    geometric mean of |ŷ| for a multiplicative one; non-finite where a multiplicative ŷ is not positive."""
    e = y[:, None] - fitted
    with np.errstate(all="ignore"):
        geometric = np.exp(np.mean(np.log(np.abs(fitted)), axis=0))
        relative = np.where(fitted > 0, e / fitted, np.nan) * geometric
    return np.where(mul_error, relative, e)


def neg2_loglik(y: np.ndarray, fitted: np.ndarray, mul_error: np.ndarray) -> np.ndarray:
    """−2 log-likelihood with the error variance concentrated out (statsmodels' ETSModel.loglike, times −2)."""
    return neg2_from_sse(np.sum(residuals(y, fitted, mul_error) ** 2, axis=0), len(y))


def neg2_from_sse(sse: np.ndarray, n: int) -> np.ndarray:
    """−2 log L from the sums of squares of :func:`residuals` (floored, so a perfect fit stays finite)."""
    with np.errstate(all="ignore"):
        out = n * (np.log(2 * np.pi * np.maximum(sse, SSE_FLOOR * n) / n) + 1)
    return np.where(np.isfinite(out), out, np.inf)


def aicc(neg2: np.ndarray, k: np.ndarray | int, n: int) -> np.ndarray:
    """AICc with ``k`` estimated parameters (smoothing, initial states and the error variance)."""
    k = np.asarray(k, dtype=float)
    with np.errstate(divide="ignore"):
        correction = np.where(n - k - 1 > 0, 2 * k * (k + 1) / np.maximum(n - k - 1, 1e-300), np.inf)
    return neg2 + 2 * k + correction
