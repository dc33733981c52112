"""``theta``: the standard Theta method — θ = 2, the trend line through all points — fitted by the numpy Theta of
:mod:`forecast.models.smoothing` that ``auto``'s Theta members use (as statsforecast's ``Theta``): SES with drift,
α and the initial level by least squares. A series that an ACF test finds seasonal (three seasons, positive values)
is adjusted by classical multiplicative indices, which its forecasts get back. Paths from the state-space form: each
error is carried into the level with weight α, so sums over steps have the model's variance."""

from __future__ import annotations

import numpy as np

from forecast.models.base import Capabilities, Model, innovations
from forecast.models.registry import register
from forecast.models.smoothing import ClassicalSeason, Reseasonalised, fit_theta, seasonal_indices


@register("theta")
class Theta(Model):
    """The Theta method of Assimakopoulos & Nikolopoulos (2000), in the state-space form of Fiorucci et al. (2016)."""

    capabilities = Capabilities(min_length=3, seasonal=True, simplicity=50)

    def __init__(self, theta: float = 2.0):
        if not theta >= 1:
            raise ValueError(f"theta: theta must be at least 1 (1 is simple exponential smoothing), got {theta}")
        self.theta = theta

    def _fit(self, y, season_length):
        indices = seasonal_indices(y, season_length)
        if indices is None:
            self.fit_ = fit_theta(y, dynamic=False, theta=self.theta)
        else:
            season = ClassicalSeason(indices, len(y))
            self.fit_ = Reseasonalised(fit_theta(season.adjust(y), dynamic=False, theta=self.theta), season)
        self.dof_ = float(len(y) - 3)

    def sample_paths(self, h, n_paths, seed=None):
        return self.fit_.paths(h, innovations(np.random.default_rng(seed), n_paths, h, 1.0, self.dof_))
