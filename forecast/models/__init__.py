"""Forecasting models: one module per family, each registered by name (see :mod:`forecast.models.registry`)."""

from forecast.models import (  # noqa: F401  (importing a family registers its models)
    arima,
    auto,
    baselines,
    ensemble,
    ets,
    growth,
    prophet_model,
    sklearn_lags,
    theta,
)
from forecast.models.base import Capabilities, Model
from forecast.models.registry import available_models, get_model, model_class, register

__all__ = ["Capabilities", "Model", "available_models", "get_model", "model_class", "register"]
