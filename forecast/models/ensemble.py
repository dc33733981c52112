"""``ensemble``: a weighted mixture of members' sample paths.

Pooling paths (each member contributes its share of the paths) keeps every member's uncertainty plus their
disagreement, which is what calibrated intervals need when members differ; its mean is the weighted mean of the
members' means. Weights are equal, or inversely proportional to each member's error on the last ``holdout``
points (members refitted without them). A member that fails is left out; the ensemble fails only if all do.
It takes no regressors (events, user columns): its members are fitted without them, and the forecast's notes
say the ensemble ignored them (:mod:`forecast.fitting`); forecast with ``arima`` or ``lags`` to use them.
"""

from __future__ import annotations

import numpy as np

from forecast.models.base import Capabilities, Model
from forecast.models.registry import get_model, register


@register("ensemble")
class Ensemble(Model):
    """Mixture of ``members``' paths with ``weights`` 'equal' or 'inverse_error'."""

    capabilities = Capabilities(seasonal=True, simplicity=120)

    def __init__(self, members: tuple[str, ...] = ("ets", "theta", "arima"), weights: str = "equal", holdout: int = 3):
        if weights not in ("equal", "inverse_error"):
            raise ValueError(f"ensemble: weights must be 'equal' or 'inverse_error', got {weights!r}")
        self.members = members
        self.weights = weights
        self.holdout = holdout

    def min_length(self) -> int:
        """The shortest member's minimum: members that cannot fit a series drop out."""
        return min(get_model(name).min_length() for name in self.members)

    def _fit(self, y, season_length):
        fitted, errors, self.failures_ = [], [], {}
        for name in self.members:
            try:
                model = get_model(name).fit(y, season_length)
                errors.append(self._holdout_error(name, y, season_length) if self.weights == "inverse_error" else 1.0)
            except Exception as err:  # noqa: BLE001 — a failing member is dropped, not fatal
                self.failures_[name] = f"{type(err).__name__}: {err}"
                continue
            fitted.append(model)
        if not fitted:
            raise ValueError(
                "ensemble: every member failed: " + "; ".join(f"{k}: {v}" for k, v in self.failures_.items())
            )
        inverse = 1.0 / np.maximum(np.asarray(errors, dtype=float), 1e-12)
        self.models_, self.weights_ = fitted, inverse / inverse.sum()

    def _holdout_error(self, name: str, y: np.ndarray, season_length: int) -> float:
        """Mean absolute error of the member's mean forecast of the last ``holdout`` points (inf if it cannot)."""
        k = self.holdout
        try:
            paths = get_model(name).fit(y[:-k], season_length).sample_paths(k, 200, 0)
        except Exception:  # noqa: BLE001 — too short without the holdout: weight it as the worst member
            return np.inf
        return float(np.mean(np.abs(paths.mean(axis=0) - y[-k:])))

    def sample_paths(self, h, n_paths, seed=None):
        rng = np.random.default_rng(seed)
        counts = rng.multinomial(n_paths, self.weights_) if len(self.models_) > 1 else [n_paths]
        seeds = rng.integers(0, 2**32, len(self.models_))
        parts = [m.sample_paths(h, int(c), int(s)) for m, c, s in zip(self.models_, counts, seeds) if c > 0]
        pooled = np.concatenate(parts, axis=0)
        return pooled[rng.permutation(n_paths)]
