"""Forecasting models: one module per family, each registered by name (see :mod:`forecast.models.registry`).

Every module of this package is imported here, so a new family is one file: its ``@register`` runs on import.
"""

import importlib
import pkgutil

from forecast.models.base import Capabilities, Model
from forecast.models.registry import available_models, get_model, model_class, register

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Capabilities", "Model", "available_models", "get_model", "model_class", "register"]
