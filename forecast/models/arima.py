"""``arima``: ARIMA with automatic order selection (statsmodels): d from KPSS tests, then a small grid over
(p, q) — and a seasonal (P, D, Q) for long enough seasonal series — ranked by AICc; paths from the fitted model's
simulation."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.stattools import kpss

from forecast.models.base import Capabilities, Model
from forecast.models.registry import register

MAX_D = 2
SEASONAL_ORDERS = ((0, 0, 0), (1, 0, 0), (0, 1, 1))


def differences_needed(y: np.ndarray, alpha: float = 0.05) -> int:
    """Number of differences until KPSS no longer rejects level-stationarity (at most 2)."""
    d = 0
    x = np.asarray(y, dtype=float)
    while d < MAX_D and len(x) >= 5 and np.ptp(x) > 0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # KPSS warns when the p-value is outside its table
            p_value = kpss(x, regression="c", nlags="auto")[1]
        if p_value >= alpha:
            break
        x = np.diff(x)
        d += 1
    return d


def _trend(d: int) -> str:
    """Constant for stationary models, drift for once-differenced ones, none beyond."""
    return {0: "c", 1: "t"}.get(d, "n")


@register("arima")
class Arima(Model):
    """Automatic ARIMA: KPSS for d, AICc over p, q in 0..max_order (and a few seasonal orders)."""

    capabilities = Capabilities(min_length=5, seasonal=True)

    def __init__(self, max_order: int = 2):
        self.max_order = max_order

    def _fit(self, y, season_length):
        d = differences_needed(y)
        n_free = len(y) - d
        orders = [(p, d, q) for p in range(self.max_order + 1) for q in range(self.max_order + 1)
                  if p + q + 2 < n_free - 1]
        best = self._best(y, [(order, (0, 0, 0, 0)) for order in orders])
        if season_length > 1 and len(y) >= 3 * season_length:
            seasonal = [(best[1], (*s, season_length)) for s in SEASONAL_ORDERS[1:]]
            best = min([best, self._best(y, seasonal)], key=lambda b: b[0])
        _, self.order_, self.seasonal_order_, self.result_ = best

    def _best(self, y, candidates):
        best, failures = None, []
        for order, seasonal_order in candidates:
            d = order[1] + seasonal_order[1]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = ARIMA(y, order=order, seasonal_order=seasonal_order, trend=_trend(d)).fit()
            except Exception as err:  # noqa: BLE001 — try the next order
                failures.append(f"{order}x{seasonal_order}: {err}")
                continue
            if np.isfinite(result.aicc) and (best is None or result.aicc < best[0]):
                best = (result.aicc, order, seasonal_order, result)
        if best is None:
            raise ValueError("arima: no order could be fitted: " + "; ".join(failures)[:300])
        return best

    def sample_paths(self, h, n_paths, seed=None):
        sims = self.result_.simulate(h, anchor="end", repetitions=n_paths, rng=np.random.default_rng(seed))
        return np.asarray(sims, dtype=float).reshape(h, n_paths).T
