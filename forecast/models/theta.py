"""``theta``: statsmodels' ThetaModel (θ = 2, deseasonalised when seasonal and long enough), with paths from its
state-space form (SES with drift): each error is carried into the level with weight α, so sums over steps have
the model's variance, and the path mean is statsmodels' own forecast."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.forecasting.theta import ThetaModel

from forecast.models.base import Capabilities, Model, innovations
from forecast.models.registry import register


@register("theta")
class Theta(Model):
    """The Theta method of Assimakopoulos & Nikolopoulos (2000), as statsmodels implements it."""

    capabilities = Capabilities(min_length=3, seasonal=True, simplicity=50)

    def __init__(self, theta: float = 2.0):
        self.theta = theta

    def _fit(self, y, season_length):
        seasonal = season_length > 1 and len(y) >= 2 * season_length
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ThetaModel(y, period=season_length if seasonal else 1, deseasonalize=seasonal)
            self.result_ = model.fit()
            self.sigma_ = float(np.sqrt(max(self.result_.sigma2, 0.0)))
        self.dof_ = float(len(y) - 3)

    def point(self, h: int) -> np.ndarray:
        """statsmodels' forecast."""
        return np.asarray(self.result_.forecast(h, theta=self.theta), dtype=float)

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        comp = self.result_.forecast_components(h)
        weight = 1 - 1 / self.theta
        deseasonalised = weight * comp["trend"].to_numpy() + comp["ses"].to_numpy()
        alpha = float(self.result_.params["alpha"])
        e = innovations(rng, n_paths, h, self.sigma_, self.dof_)
        paths = deseasonalised + np.cumsum(alpha * e, axis=1) - alpha * e + e
        season = comp["seasonal"].to_numpy()
        if not self.result_.model.deseasonalize:
            return paths
        return paths * season if self.result_.model.method.startswith("mul") else paths + season
