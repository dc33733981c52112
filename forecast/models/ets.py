"""``ets``: statsmodels' ETSModel with error, trend and season chosen by AICc; paths from the fitted model's own
simulation, so multiplicative errors and damping shape the spread as the model says."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from forecast.models.base import Capabilities, Model
from forecast.models.registry import register

SHORT_SERIES = 10  # below this, an undamped linear trend is too easily over-fitted; try only none and damped


def candidate_specs(y: np.ndarray, season_length: int) -> list[dict]:
    """ETS specifications worth trying for ``y``: multiplicative error only when y > 0, seasonal with 2+ seasons."""
    errors = ["add", "mul"] if np.all(y > 0) else ["add"]
    trends = [(None, False), ("add", True)] + ([("add", False)] if len(y) >= SHORT_SERIES else [])
    seasonal = season_length > 1 and len(y) >= 2 * season_length
    seasons = [None, "mul" if np.all(y > 0) else "add"] if seasonal else [None]
    return [
        {"error": e, "trend": t, "damped_trend": d, "seasonal": s, "seasonal_periods": season_length if s else None}
        for e in errors
        for t, d in trends
        for s in seasons
    ]


def _score(result, criterion: str) -> tuple[int, float]:
    """Rank by ``criterion``; where it is undefined (AICc with too few points) fall back to AIC, ranked after."""
    value = getattr(result, criterion)
    return (0, float(value)) if np.isfinite(value) else (1, float(result.aic))


def _valid(result, spec: dict) -> bool:
    """A multiplicative error or season scales by the level, so every fitted value must stay positive; statsmodels
    can still return a negative initial level (on fast-growing series), which makes the relative errors and the
    simulated paths meaningless."""
    if spec["error"] != "mul" and spec["seasonal"] != "mul":
        return True
    return bool(np.all(np.asarray(result.fittedvalues) > 0))


@register("ets")
class Ets(Model):
    """Exponential smoothing (ETS) with automatic selection among additive/multiplicative, damped, seasonal forms."""

    capabilities = Capabilities(min_length=4, seasonal=True, simplicity=60, updatable=True)

    def __init__(self, criterion: str = "aicc", maxiter: int = 200):
        self.criterion = criterion
        self.maxiter = maxiter

    def _fit(self, y, season_length):
        best, failures = None, []
        for spec in candidate_specs(y, season_length):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = ETSModel(y, **spec).fit(disp=False, maxiter=self.maxiter)
            except Exception as err:  # noqa: BLE001 — one failing specification must not end the selection
                failures.append(f"{spec}: {err}")
                continue
            if not _valid(result, spec):
                failures.append(f"{spec}: non-positive fitted values under a multiplicative component")
                continue
            score = _score(result, self.criterion)
            if np.all(np.isfinite(score)) and (best is None or score < best[0]):
                best = (score, spec, result)
        if best is None:
            raise ValueError("ets: no specification could be fitted: " + "; ".join(failures)[:300])
        _, self.spec_, self.result_ = best

    def _update(self, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = ETSModel(y, **self.spec_).smooth(self.result_.params)

    def sample_paths(self, h, n_paths, seed=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sims = self.result_.simulate(h, anchor="end", repetitions=n_paths, rng=np.random.default_rng(seed))
        return np.asarray(sims, dtype=float).reshape(h, n_paths).T
