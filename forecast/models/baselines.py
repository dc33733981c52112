"""Benchmark models every forecaster compares against: naive, seasonal naive, drift and mean.

Paths are built from the model's own error structure (random-walk innovations for naive/drift, i.i.d. noise
for mean), so sums over steps get the right variance, as targets over a year of months need. Each model's
minimum length is the shortest series that leaves at least one residual degree of freedom for its error
scale: below it the model could only return a zero-width interval, so the orchestrator falls back instead.
"""

from __future__ import annotations

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


@register("drift")
class Drift(Model):
    """Random walk with drift: the line from the first to the last point, extended, plus slope uncertainty."""

    capabilities = Capabilities(min_length=3, simplicity=40)

    def _fit(self, y, season_length):
        diffs = np.diff(y)
        self.slope_ = float(np.mean(diffs))
        self.last_ = y[-1]
        self.n_diffs_ = len(diffs)
        self.sigma_, self.dof_ = residual_scale(diffs - self.slope_, n_params=1)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        steps = innovations(rng, n_paths, h, self.sigma_, self.dof_)
        slope = self.slope_ + innovations(rng, n_paths, 1, self.sigma_ / np.sqrt(self.n_diffs_), self.dof_)
        return self.last_ + slope * np.arange(1, h + 1) + np.cumsum(steps, axis=1)


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
