"""statsmodels' ETSModel run with the parameters of one of our ETS fits, estimating nothing: the reference a
re-filtered fit (``fast_ets.refilter``, a saved model's ``update``) is checked against."""

from __future__ import annotations

import numpy as np
from statsmodels.tsa.exponential_smoothing.ets import ETSModel


def smoothed(fit, y: np.ndarray, m: int = 1):
    """``ETSModel(y, <fit's form>).smooth(<fit's parameters>)``; ``m``: the season length of a seasonal form."""
    form = fit.form
    seasonal = form.season != "none"
    model = ETSModel(
        y,
        error=form.error,
        trend=None if form.trend == "none" else "add",
        damped_trend=form.trend == "damped",
        seasonal=form.season if seasonal else None,
        seasonal_periods=m if seasonal else None,
    )
    values = {
        "smoothing_level": fit.alpha,
        "smoothing_trend": fit.beta,
        "smoothing_seasonal": fit.gamma,
        "damping_trend": fit.phi,
        "initial_level": fit.theta[4] * fit.scale,
        "initial_trend": fit.theta[5] * fit.scale,
    }
    if seasonal:  # ours: s_0 .. s_{m-2} free, the last making them sum to zero; statsmodels: newest first
        seasons = np.r_[fit.theta[6:], -fit.theta[6:].sum()] * fit.scale
        values.update({f"initial_seasonal.{k}": seasons[::-1][k] for k in range(m)})
    return model.smooth(np.array([values[name] for name in model.param_names]))
