"""Forecasting models: one module per family, each registered by name (see :mod:`forecast.models.registry`)."""

from forecast.models import baselines  # noqa: F401  (registers naive, snaive, drift, mean)
from forecast.models import arima, auto, ensemble, ets, growth, prophet_model, sklearn_lags, theta  # noqa: F401
from forecast.models.base import Capabilities, Model
from forecast.models.registry import available_models, get_model, model_class, register

__all__ = ["Capabilities", "Model", "available_models", "get_model", "model_class", "register"]
