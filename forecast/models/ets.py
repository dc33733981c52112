"""``ets``: exponential smoothing of every error, trend and season form, chosen by AICc as statsforecast's AutoETS
does, fitted by the numpy engine of :mod:`forecast.models.fast_ets` that ``auto``'s ETS members use; paths from
the chosen form's own state equations under Gaussian errors, so multiplicative errors and damping shape the spread
as the model says."""

from __future__ import annotations

import numpy as np

from forecast.models.base import Capabilities, Model
from forecast.models.fast_ets import fit_ets, refilter
from forecast.models.registry import register


@register("ets")
class Ets(Model):
    """Exponential smoothing (ETS) with automatic selection among additive/multiplicative, damped, seasonal forms."""

    capabilities = Capabilities(min_length=4, seasonal=True, simplicity=60, updatable=True)

    def _fit(self, y, season_length):
        self.fit_ = fit_ets(y, season_length)

    def _update(self, y):
        self.fit_ = refilter(self.fit_, y)

    def sample_paths(self, h, n_paths, seed=None):
        return self.fit_.paths(h, np.random.default_rng(seed).standard_normal((n_paths, h)))
