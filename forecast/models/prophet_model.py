"""``prophet`` (linear growth) and ``prophet_logistic`` (logistic growth towards a capacity): Meta's Prophet with
Stan's output silenced, yearly seasonality only for sub-annual data, regressors (events, user columns) through
``add_regressor``, and paths from its predictive samples."""

from __future__ import annotations

import contextlib
import io
import logging

import numpy as np
import pandas as pd

from forecast.models.base import Capabilities, Model
from forecast.models.registry import register

for _name in ("cmdstanpy", "prophet"):
    logging.getLogger(_name).setLevel(logging.WARNING)
logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)  # "Importing plotly failed": we never plot

# Prophet needs dates; the season length says which spacing the array has (annual series sit on 1 January).
_SPACING = {1: "YS", 4: "QS", 12: "MS", 52: "W", 7: "D"}


@contextlib.contextmanager
def _quiet_and_seeded(seed: int | None):
    """Silence Stan/Prophet output and seed NumPy's global RNG (Prophet samples from it) without leaking state."""
    state = np.random.get_state()
    np.random.seed(None if seed is None else seed % 2**32)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        np.random.set_state(state)


class _ProphetBase(Model):
    growth = "linear"

    def _frame(self, n: int, season_length: int) -> pd.DataFrame:
        dates = pd.date_range("2000-01-01", periods=n, freq=_SPACING.get(season_length, "D"))
        return pd.DataFrame({"ds": dates})

    def _extra(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame

    @staticmethod
    def _with(frame: pd.DataFrame, X: np.ndarray | None) -> pd.DataFrame:
        """``frame`` with one column ``x<j>`` per regressor."""
        if X is None:
            return frame
        return frame.assign(**{f"x{j}": X[:, j] for j in range(X.shape[1])})

    def _fit(self, y, season_length):
        from prophet import Prophet

        frame = self._with(self._extra(self._frame(len(y), season_length).assign(y=y)), self.X_)
        self.model_ = Prophet(
            growth=self.growth,
            yearly_seasonality=season_length > 1 and len(y) >= 2 * season_length,
            weekly_seasonality=season_length == 7,
            daily_seasonality=False,
            changepoint_prior_scale=self.changepoint_prior_scale,
        )
        for j in range(0 if self.X_ is None else self.X_.shape[1]):
            self.model_.add_regressor(f"x{j}")
        with _quiet_and_seeded(0):
            self.model_.fit(frame)
        self.n_ = len(y)

    def sample_paths(self, h, n_paths, seed=None, X=None):
        future = self._extra(self._frame(self.n_ + h, self.season_length_).iloc[self.n_ :].reset_index(drop=True))
        future = self._with(future, self.future_regressors(X, h))
        self.model_.uncertainty_samples = n_paths
        with _quiet_and_seeded(seed):
            samples = self.model_.predictive_samples(future)["yhat"]
        return np.asarray(samples, dtype=float).T


@register("prophet")
class ProphetLinear(_ProphetBase):
    """Piecewise-linear trend with changepoints (+ yearly seasonality for sub-annual data)."""

    capabilities = Capabilities(min_length=3, seasonal=True, exogenous=True, simplicity=110)
    growth = "linear"

    def __init__(self, changepoint_prior_scale: float = 0.05):
        self.changepoint_prior_scale = changepoint_prior_scale


@register("prophet_logistic")
class ProphetLogistic(_ProphetBase):
    """Logistic trend saturating at ``cap`` (default ``cap_ratio`` × the series maximum), floor 0."""

    capabilities = Capabilities(min_length=3, seasonal=True, nonnegative=True, exogenous=True, simplicity=115)
    growth = "logistic"

    def __init__(self, cap: float | None = None, cap_ratio: float = 1.5, changepoint_prior_scale: float = 0.05):
        self.cap = cap
        self.cap_ratio = cap_ratio
        self.changepoint_prior_scale = changepoint_prior_scale

    def _fit(self, y, season_length):
        self.cap_ = float(self.cap) if self.cap is not None else self.cap_ratio * float(np.max(y))
        if self.cap_ <= 0:
            raise ValueError("prophet_logistic: capacity must be positive (series maximum is not)")
        super()._fit(y, season_length)

    def _extra(self, frame):
        return frame.assign(cap=self.cap_, floor=0.0)
