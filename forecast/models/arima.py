"""``arima``: ARIMA with automatic order selection (statsmodels): d from KPSS tests, then a small grid over
(p, q) and the deterministic terms — and a seasonal (P, D, Q) for long enough seasonal series — ranked by AICc;
paths from the fitted model's simulation.

Deterministic terms, as in R's ``auto.arima`` plus one: with d = 1 drift is optional; with d = 0 a constant or a
constant and a linear trend. KPSS has almost no power on the 5–10 points of a short annual series, so it
keeps d = 0 for a series that plainly grows; without the trend term that series would be forecast back to its
mean (measured on the bundled national series: a flat forecast at a third of the last value).
Fits with an AR or MA root within 1.01 of the unit circle are discarded (R does the same).

Regressors (events, user columns) enter as statsmodels' ``exog``: a regression with ARIMA errors, the same
order search with one parameter more per column, and their future rows in the simulation.
"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.stattools import kpss

from forecast.models.base import Capabilities, Model
from forecast.models.registry import register

MAX_D = 2
SEASONAL_ORDERS = ((0, 0, 0), (1, 0, 0), (0, 1, 1))
MIN_ROOT_MODULUS = 1.01  # as R's auto.arima: a root this close to the unit circle is a unit root in disguise


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


TRENDS = {0: ("c", "ct"), 1: ("n", "t"), 2: ("n",)}  # statsmodels' names; with d = 1, "t" is the drift


def _invertible_and_stationary(result) -> bool:
    """Every AR and MA root (seasonal ones included) clearly outside the unit circle. Boundary estimates come from
    over-fitting short series; their simulated paths explode or never forget a shock."""
    roots = np.concatenate([np.atleast_1d(result.arroots), np.atleast_1d(result.maroots)])
    return bool(np.all(np.abs(roots) > MIN_ROOT_MODULUS)) if roots.size else True


@register("arima")
class Arima(Model):
    """Automatic ARIMA: KPSS for d, AICc over p, q in 0..max_order and the trend terms (and a few seasonal orders)."""

    capabilities = Capabilities(min_length=5, seasonal=True, exogenous=True, simplicity=70, updatable=True)

    def __init__(self, max_order: int = 2):
        self.max_order = max_order

    def _fit(self, y, season_length):
        d = differences_needed(y)
        n_free = len(y) - d - (0 if self.X_ is None else self.X_.shape[1])
        candidates = [
            ((p, d, q), (0, 0, 0, 0), trend)
            for p in range(self.max_order + 1)
            for q in range(self.max_order + 1)
            for trend in TRENDS[d]
            if p + q + len(trend.strip("n")) + 2 < n_free
        ]
        if not candidates:
            k = 0 if self.X_ is None else self.X_.shape[1]
            raise ValueError(f"arima: {len(y)} points are too few for an ARIMA with d = {d} and {k} regressor(s)")
        best = self._best(y, candidates)
        if season_length > 1 and len(y) >= 3 * season_length:
            # a seasonal difference takes one more integration order: the trend term must follow (statsmodels)
            seasonal = [
                (best[1], (*s, season_length), best[3] if s[1] == 0 else TRENDS[d + 1][-1] if d < 2 else "n")
                for s in SEASONAL_ORDERS[1:]
            ]
            best = min([best, self._best(y, seasonal)], key=lambda b: b[0])
        _, self.order_, self.seasonal_order_, self.trend_, self.result_ = best

    def _best(self, y, candidates):
        best, failures = None, []
        for order, seasonal_order, trend in candidates:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = ARIMA(y, exog=self.X_, order=order, seasonal_order=seasonal_order, trend=trend).fit()
            except Exception as err:  # noqa: BLE001 — try the next order
                failures.append(f"{order}x{seasonal_order}: {err}")
                continue
            if not _invertible_and_stationary(result):
                failures.append(f"{order}x{seasonal_order}: AR or MA root on the unit circle")
                continue
            if np.isfinite(result.aicc) and (best is None or result.aicc < best[0]):
                best = (result.aicc, order, seasonal_order, trend, result)
        if best is None:
            raise ValueError("arima: no order could be fitted: " + "; ".join(failures)[:300])
        return best

    def _update(self, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.result_ = self.result_.append(y[self.result_.nobs :], refit=False)

    def sample_paths(self, h, n_paths, seed=None, X=None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "covariance is not symmetric positive-semidefinite" on tiny fits
            sims = self.result_.simulate(
                h, anchor="end", repetitions=n_paths, rng=np.random.default_rng(seed), exog=self.future_regressors(X, h)
            )
        return np.asarray(sims, dtype=float).reshape(h, n_paths).T
