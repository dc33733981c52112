"""Benchmark models every forecaster compares against: naive, seasonal naive, drift and mean.

Paths are built from the model's own error structure (random-walk innovations for naive/drift, i.i.d. noise
for mean), so sums over steps get the right variance, as targets over a year of months need. Each model's
minimum length is the shortest series that leaves at least one residual degree of freedom for its error
scale: below it the model could only return a zero-width interval, so the orchestrator falls back instead.
Drift's maths is :class:`DriftFit`, which is also ``auto``'s drift member (:mod:`forecast.models.auto`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.models.base import Capabilities, Model, innovations, residual_scale
from forecast.models.registry import register


@register("naive")
class Naive(Model):
    """Random walk: tomorrow is today plus noise whose scale is the spread of past one-step changes."""

    capabilities = Capabilities(min_length=2, simplicity=10)

    def _fit(self, y, season_length):
        self.last_ = y[-1]
        self.sigma_, self.dof_ = residual_scale(np.diff(y))

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        steps = innovations(rng, n_paths, h, self.sigma_, self.dof_)
        return self.last_ + np.cumsum(steps, axis=1)


@register("snaive")
class SeasonalNaive(Model):
    """Each season repeats last year's value, with noise from past seasonal differences."""

    capabilities = Capabilities(min_length=2, seasonal=True, simplicity=20)

    def _fit(self, y, season_length):
        m = season_length if len(y) > season_length else 1
        self.m_ = m
        self.last_season_ = y[-m:]
        diffs = y[m:] - y[:-m]
        self.sigma_, self.dof_ = residual_scale(diffs) if len(diffs) else (0.0, None)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        m = self.m_
        cycles = -(-h // m)
        noise = innovations(rng, n_paths, cycles * m, self.sigma_, self.dof_).reshape(n_paths, cycles, m)
        seasonal_walk = np.cumsum(noise, axis=1).reshape(n_paths, cycles * m)[:, :h]
        base = np.tile(self.last_season_, cycles)[:h]
        return base + seasonal_walk


@dataclass(frozen=True)
class DriftFit:
    """A fitted random walk with drift: the line from the first to the last point, extended, with steps of scale
    ``sigma`` and the slope's own uncertainty, σ/√(number of changes)."""

    last: float
    slope: float
    sigma: float
    n_diffs: int

    def point(self, h: int) -> np.ndarray:
        return self.last + self.slope * np.arange(1, h + 1)

    def paths(self, h: int, z: np.ndarray, slope_z: np.ndarray | None = None) -> np.ndarray:
        """Paths under standard innovations ``z`` (n_paths × h). The slope's error is drawn from ``slope_z``
        (n_paths × 1) or, without it, rides on the first innovation, as ``auto``'s members share one draw; either
        way sums over steps keep it."""
        slope_error = self.sigma / np.sqrt(self.n_diffs) * (z[:, :1] if slope_z is None else slope_z)
        return self.point(h) + slope_error * np.arange(1, h + 1) + np.cumsum(self.sigma * z, axis=1)


def fit_drift(y: np.ndarray) -> DriftFit:
    """Drift of ``y`` (3+ points): the mean change, and the spread of the changes around it (one dof used)."""
    diffs = np.diff(y)
    slope = float(diffs.mean())
    sigma, _ = residual_scale(diffs - slope, n_params=1)
    return DriftFit(float(y[-1]), slope, sigma, len(diffs))


@register("drift")
class Drift(Model):
    """Random walk with drift: the line from the first to the last point, extended, plus slope uncertainty."""

    capabilities = Capabilities(min_length=3, simplicity=40)

    def _fit(self, y, season_length):
        self.fit_ = fit_drift(y)
        self.dof_ = float(self.fit_.n_diffs - 1)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        steps = innovations(rng, n_paths, h, 1.0, self.dof_)
        return self.fit_.paths(h, steps, slope_z=innovations(rng, n_paths, 1, 1.0, self.dof_))


@register("mean")
class Mean(Model):
    """Historical mean, with the variance of a new draw plus the uncertainty of the mean itself; gaps are
    simply not counted."""

    capabilities = Capabilities(min_length=2, handles_missing=True, simplicity=30)

    def _fit(self, y, season_length):
        observed = y[np.isfinite(y)]
        self.mean_ = float(np.mean(observed))
        self.n_ = len(observed)
        self.sigma_, self.dof_ = residual_scale(observed - self.mean_, n_params=1)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        level = self.mean_ + innovations(rng, n_paths, 1, self.sigma_ / np.sqrt(self.n_), self.dof_)
        return level + innovations(rng, n_paths, h, self.sigma_, self.dof_)
