"""Names → model classes; ``get_model("ets")`` builds one, ``available_models()`` lists what is registered."""

from __future__ import annotations

from typing import Callable

from forecast.errors import InputError
from forecast.models.base import Model

_REGISTRY: dict[str, Callable[..., Model]] = {}


def register(name: str) -> Callable[[type[Model]], type[Model]]:
    """Class decorator that makes a model available under ``name``."""

    def decorate(cls: type[Model]) -> type[Model]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def available_models() -> list[str]:
    """Every registered model name, sorted."""
    _load_families()
    return sorted(_REGISTRY)


def model_class(name: str) -> type[Model]:
    """The class registered under ``name``; an unknown name is an :class:`InputError` listing the known ones."""
    _load_families()
    try:
        return _REGISTRY[name.lower()]
    except KeyError:
        raise InputError(f"unknown model {name!r}; available: {', '.join(available_models())}") from None


def get_model(name: str, **params) -> Model:
    """A fresh, unfitted model instance."""
    return model_class(name)(**params)


def _load_families() -> None:
    """Import every model family module so their ``@register`` decorators run."""
    import forecast.models  # noqa: F401  (the package imports each family)
