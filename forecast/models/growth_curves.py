"""``logistic`` and ``gompertz``: saturating growth curves for annual counts that slow down as a corridor fills.

Fitted by bounded least squares (``scipy.optimize.curve_fit``, capacity between max(y) and ``max_capacity`` ×
max(y)); paths combine a parametric bootstrap (parameters drawn from their estimated covariance) with residual
noise, so the spread grows with the horizon as the capacity becomes uncertain.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import curve_fit

from forecast.models.base import Capabilities, Model, innovations, residual_scale
from forecast.models.registry import register


def logistic(t, capacity, rate, midpoint):
    return capacity / (1 + np.exp(-rate * (t - midpoint)))


def gompertz(t, capacity, displacement, rate):
    return capacity * np.exp(-displacement * np.exp(-rate * t))


class _GrowthCurve(Model):
    """Shared fit and sampling; subclasses give the curve, its starting values and bounds."""

    curve = staticmethod(logistic)

    def __init__(self, max_capacity: float = 10.0):
        self.max_capacity = max_capacity

    def _starts_and_bounds(self, t, y):
        """Starting parameter vectors and (lower, upper) bounds, for the series scaled to max 1."""
        raise NotImplementedError

    def _fit(self, y, season_length):
        top = float(np.max(y))
        if top <= 0:
            raise ValueError(f"{self.name}: series is all zeros")
        self.scale_ = top
        t = np.arange(len(y), dtype=float)
        starts, bounds = self._starts_and_bounds(t, y / top)
        fits = []
        for start in starts:  # a few starting rates: least squares on these curves has local minima
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # OptimizeWarning when the covariance cannot be estimated
                    params, cov = curve_fit(self.curve, t, y / top, p0=start, bounds=bounds, maxfev=5000)
            except RuntimeError:
                continue
            fits.append((float(np.sum((y / top - self.curve(t, *params)) ** 2)), params, cov))
        if not fits:
            raise ValueError(f"{self.name}: least squares did not converge")
        _, params, cov = min(fits, key=lambda f: f[0])
        self.params_, self.bounds_ = params, bounds
        self.cov_ = (cov + cov.T) / 2 if np.all(np.isfinite(cov)) else np.zeros_like(cov)
        residuals = y / top - self.curve(t, *params)
        self.sigma_, self.dof_ = residual_scale(residuals, n_params=len(params))
        self.n_ = len(y)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        t = np.arange(self.n_, self.n_ + h, dtype=float)
        draws = self._parameter_draws(rng, n_paths)
        curves = self.curve(t[None, :], *(draws[:, [i]] for i in range(draws.shape[1])))
        return (curves + innovations(rng, n_paths, h, self.sigma_, self.dof_)) * self.scale_

    def _parameter_draws(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Parameters from their normal approximation, keeping only draws inside the bounds (clipping would break
        the correlation between capacity and rate and bend the curves); the fit itself when none is inside."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # near-singular covariance: eigh handles it, numpy still warns
            draws = rng.multivariate_normal(self.params_, self.cov_, size=4 * n, method="eigh")
        inside = draws[np.all((draws >= self.bounds_[0]) & (draws <= self.bounds_[1]), axis=1)]
        if len(inside) == 0:
            return np.tile(self.params_, (n, 1))
        return inside[:n] if len(inside) >= n else inside[rng.integers(0, len(inside), n)]


@register("logistic")
class Logistic(_GrowthCurve):
    """Logistic curve K / (1 + exp(-r (t - t0))): symmetric S-shape around its midpoint."""

    capabilities = Capabilities(min_length=5, nonnegative=True, simplicity=90)
    curve = staticmethod(logistic)

    def _starts_and_bounds(self, t, y):
        n = len(t)
        capacity = min(2.0, self.max_capacity)
        return (
            [[capacity, rate, n] for rate in (0.1, 0.3, 1.0)],
            ([1.0, 1e-3, -5 * n], [self.max_capacity, 5.0, 10 * n]),
        )


@register("gompertz")
class Gompertz(_GrowthCurve):
    """Gompertz curve K exp(-b exp(-c t)): fast early growth, slow approach to the capacity."""

    capabilities = Capabilities(min_length=5, nonnegative=True, simplicity=100)
    curve = staticmethod(gompertz)

    def _starts_and_bounds(self, t, y):
        first = max(float(y[0]), 1e-3)
        capacity = min(2.0, self.max_capacity)
        return (
            [[capacity, max(np.log(capacity / first), 1e-2), rate] for rate in (0.03, 0.1, 0.3)],
            ([1.0, 1e-4, 1e-4], [self.max_capacity, 50.0, 3.0]),
        )
