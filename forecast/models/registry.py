"""Names → model classes; ``get_model("ets")`` builds one, ``available_models()`` lists what is registered.

A model is addressed by a **spec**: a name (``"lags"``), a name with parameters as the CLI takes them
(``"lags(regressor=gbr, n_lags=4)"``), a ``(name, params)`` pair or a model instance. :func:`model_label`
turns any of them into one canonical string — the name, then the parameters that differ from the defaults,
sorted (``"lags(n_lags=4, regressor=gbr)"``) — which is what runs in workers, names output columns and is
stored in a run's settings, so a vintage says exactly what ran.

Model families register themselves at import with :func:`register`. Code that needs a model only for a while
(a test's throw-away model) uses :func:`registered`, which removes it again on exit, so it never leaks into
what :func:`available_models` reports to other code (the conformance test runs over every registered model).
"""

from __future__ import annotations

import ast
import contextlib
from typing import Any, Callable, Iterator

from forecast.defaults import SELECTED
from forecast.errors import InputError
from forecast.models.base import Model

_REGISTRY: dict[str, Callable[..., Model]] = {}
UNSELECTED = "auto"  # the model of a series that a selection does not name


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
    """One row per registered model: name, what it does (its docstring's first sentence) and its capabilities
    (the minimum length of its default parameters)."""
    import dataclasses

    import pandas as pd

    rows = []
    for name in available_models():
        cls = _REGISTRY[name]
        paragraph = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        sentence = paragraph.split(". ")[0].rstrip(".") + "." if paragraph else ""
        capabilities = {**dataclasses.asdict(cls.capabilities), "min_length": cls().min_length()}
        rows.append({"model": name, "description": sentence, **capabilities})
    return pd.DataFrame(rows)


def model_class(spec) -> type[Model]:
    """The class of a model spec; an unknown name is an :class:`InputError` listing the known ones."""
    return _parsed(model_label(spec))[0]


def get_model(spec, **params) -> Model:
    """A fresh, unfitted instance of a model spec, ``params`` added to the spec's own."""
    cls, own = _parsed(model_label(spec))
    return cls(**{**dict(own), **params})


def model_label(spec) -> str:
    """The canonical string of a model spec (see the module docstring); a bad spec is an :class:`InputError`."""
    if isinstance(spec, Model):
        name, params = _name_of(type(spec)), spec.get_params()
    elif isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], dict):
        name, params = str(spec[0]).strip().lower(), dict(spec[1])
    elif isinstance(spec, str):
        return _label_of_text(spec)
    else:
        raise InputError(f"a model is a name, 'name(key=value, ...)', (name, params) or a model; got {spec!r}")
    return _label(name, params)


def _label_of_text(text: str) -> str:
    text = text.strip()
    if "(" not in text:  # a bare name, whatever its characters
        return _label(text.lower(), {})
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise InputError(f"model {text!r}: write it as name or name(key=value, ...)") from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.args:
        raise InputError(f"model {text!r}: write it as name or name(key=value, ...)")
    try:
        params = {kw.arg: _value(kw.value) for kw in node.keywords}
    except ValueError as err:
        raise InputError(f"model {text!r}: {err}") from None
    return _label(node.func.id.lower(), params)


def _value(node: ast.AST) -> Any:
    """A parameter value: a literal, a bare word (a string: ``regressor=gbr``), a tuple or list of those, or a
    model spec (``members=(ets, lags(n_lags=2))``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_value(item) for item in node.elts)
    if isinstance(node, ast.Call):
        return model_label(ast.unparse(node))
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise ValueError(f"cannot read the value {ast.unparse(node)!r}") from None


def _label(name: str, params: dict) -> str:
    """Check ``name`` and ``params`` by building the model, then write the non-default parameters, sorted."""
    _load_families()
    if name not in _REGISTRY:
        raise InputError(f"unknown model {name!r}; available: {', '.join(available_models())}")
    cls = _REGISTRY[name]
    defaults = cls.param_defaults()
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        known = ", ".join(defaults) or "none"
        raise InputError(f"model {name!r} has no parameter {', '.join(unknown)}; its parameters: {known}")
    try:
        cls(**params)
    except (TypeError, ValueError) as err:
        raise InputError(f"model {name!r}: {err}") from None
    changed = {k: v for k, v in sorted(params.items()) if _plain(v) != _plain(defaults[k])}
    if not changed:
        return name
    return f"{name}({', '.join(f'{k}={_text(v)}' for k, v in changed.items())})"


def _plain(value):
    return tuple(_plain(v) for v in value) if isinstance(value, (tuple, list)) else value


def _text(value) -> str:
    """A parameter value as :func:`_value` reads it back: bare words for identifiers, tuples in brackets."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, str) and (value.isidentifier() or _is_spec(value)):
        return value
    return repr(value)


def _is_spec(value: str) -> bool:
    try:
        return isinstance(ast.parse(value, mode="eval").body, ast.Call)
    except SyntaxError:
        return False


def _name_of(cls: type[Model]) -> str:
    _load_families()
    for name, registered_cls in _REGISTRY.items():
        if registered_cls is cls:
            return name
    raise InputError(f"model class {cls.__name__} is not registered")


def _parsed(label: str) -> tuple[type[Model], tuple]:
    """The class and parameters of a canonical label."""
    node = ast.parse(label, mode="eval").body
    if isinstance(node, ast.Name):
        return _REGISTRY[node.id], ()
    return _REGISTRY[node.func.id], tuple((kw.arg, _value(kw.value)) for kw in node.keywords)


def selected_model(selection: dict[str, str] | None, uid: str) -> str:
    """The model a backtest selection chose for series ``uid`` (:data:`UNSELECTED` when it names none)."""
    return (selection or {}).get(uid, UNSELECTED)


def label_models(models, selection: dict | None = None) -> tuple[tuple[str, ...], dict[str, str] | None]:
    """Labels of ``models`` (:data:`SELECTED` kept as it is) and of the models of ``selection`` (``unique_id →
    spec``); :data:`SELECTED` without a selection is an :class:`InputError`."""
    if SELECTED in models and selection is None:
        raise InputError(f"model {SELECTED!r} needs a selection (the per-series best models of a backtest)")
    labels = tuple(m if m == SELECTED else model_label(m) for m in models)
    return labels, None if selection is None else {uid: model_label(m) for uid, m in selection.items()}


def _load_families() -> None:
    """Import every model family module so their ``@register`` decorators run."""
    import forecast.models  # noqa: F401  (the package imports each family)
