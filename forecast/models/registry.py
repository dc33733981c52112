"""Names → model classes; ``get_model("ets")`` builds one, ``available_models()`` lists what is registered.

Model families register themselves at import with :func:`register`. Code that needs a model only for a while
(a test's throw-away model) uses :func:`registered`, which removes it again on exit, so it never leaks into
what :func:`available_models` reports to other code (the conformance test runs over every registered model).
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

from forecast.errors import InputError
from forecast.models.base import Model

_REGISTRY: dict[str, Callable[..., Model]] = {}
SELECTED = "selected"  # pseudo-model name: each series' own model from a backtest selection


def register(name: str) -> Callable[[type[Model]], type[Model]]:
    """Class decorator that makes a model available under ``name``."""

    def decorate(cls: type[Model]) -> type[Model]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


@contextlib.contextmanager
def registered(name: str, cls: type[Model]) -> Iterator[type[Model]]:
    """Make ``cls`` available under ``name`` inside the ``with`` block only; whatever was registered under
    that name before (usually nothing) is restored on exit."""
    _load_families()
    previous = _REGISTRY.get(name)
    register(name)(cls)
    try:
        yield cls
    finally:
        if previous is None:
            del _REGISTRY[name]
        else:
            _REGISTRY[name] = previous


def available_models() -> list[str]:
    """Every registered model name, sorted."""
    _load_families()
    return sorted(_REGISTRY)


def model_table():
    """One row per registered model: name, what it does (its docstring's first line) and its capabilities."""
    import dataclasses

    import pandas as pd

    rows = []
    for name in available_models():
        cls = _REGISTRY[name]
        doc = (cls.__doc__ or "").strip().splitlines()
        rows.append({"model": name, "description": doc[0] if doc else "", **dataclasses.asdict(cls.capabilities)})
    return pd.DataFrame(rows)


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
