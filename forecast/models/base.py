"""The model protocol: fit one series (an array with its season length), return sample paths (n_paths × h).

Every model family lives in its own module, subclasses :class:`Model` and registers itself in
:mod:`forecast.models.registry`. Means, quantiles, intervals and target probabilities are all derived from the
paths (:class:`forecast.distribution.SamplePaths`), so every model answers every question the same way.

The families ``auto`` combines (ETS, Theta, drift) keep their maths in a :class:`Fit`, which turns given standard
innovations into paths, so ``auto`` can drive all its members with the same draws; their registered models are
thin adapters that fit one and draw its innovations.
"""

from __future__ import annotations

import copy
import inspect
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from forecast.executor import limited_threads


@dataclass(frozen=True)
class Capabilities:
    """What a model can take, declared as data and acted on by the orchestrator (:mod:`forecast.fitting`):

    - ``min_length``: the fewest points it fits (an instance may compute it from its parameters:
      :meth:`Model.min_length`); shorter series go to the fallback.
    - ``seasonal``: it uses the season length; models that do not are fitted with season length 1.
    - ``handles_missing``: it takes interior gaps (NaN); others get them linearly filled, and the fill is reported.
    - ``nonnegative``: it needs values ≥ 0 (growth curves of counts); a series with a negative value falls back.
    - ``exogenous``: it takes regressors (events, user columns: :mod:`forecast.regressors`) as a matrix ``X``
      in :meth:`Model.fit` and their future rows in ``sample_paths(..., X=...)``; for the others the orchestrator
      leaves them out and says so.
    - ``simplicity``: rank for ties in backtest selection (lower is simpler and wins).
    - ``updatable``: a fitted model takes new observations without estimating again (:meth:`Model.update`).
    """

    min_length: int = 1
    seasonal: bool = False
    handles_missing: bool = False
    nonnegative: bool = False
    exogenous: bool = False
    simplicity: int = 100
    updatable: bool = False


class Model(ABC):
    """A forecasting model for one series. Hyper-parameters follow scikit-learn's estimator contract: keyword
    arguments of ``__init__``, each kept unchanged in an attribute of the same name, read and written by
    :meth:`get_params` and :meth:`set_params` (so ``sklearn.base.clone`` copies an unfitted model); what ``fit``
    estimates ends in ``_``."""

    name: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()

    @classmethod
    def param_defaults(cls) -> dict[str, Any]:
        """The hyper-parameters ``__init__`` takes, with their defaults."""
        parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
        return {p.name: p.default for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD}

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyper-parameters of this instance (scikit-learn's ``get_params``; none is a model, so ``deep``
        adds nothing)."""
        return {name: getattr(self, name) for name in self.param_defaults()}

    def set_params(self, **params) -> "Model":
        """Change hyper-parameters (scikit-learn's ``set_params``), checked as ``__init__`` checks them; returns
        ``self``."""
        unknown = sorted(set(params) - set(self.param_defaults()))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter {', '.join(unknown)}")
        checked = type(self)(**{**self.get_params(), **params})
        vars(self).update(checked.get_params())
        return self

    def min_length(self) -> int:
        """The fewest points this instance fits; the declared ``capabilities.min_length`` unless its parameters
        change it."""
        return self.capabilities.min_length

    def refusal(self, y: np.ndarray) -> str | None:
        """Why the capabilities rule out series ``y`` (1-d, gaps as NaN), or None when the model can take it."""
        observed = int(np.count_nonzero(np.isfinite(y)))
        if observed < self.min_length():
            return f"needs at least {self.min_length()} points, got {observed}"
        if not self.capabilities.handles_missing and np.isnan(y).any():
            return "series has missing values"
        if self.capabilities.nonnegative and np.nanmin(y) < 0:
            return "needs non-negative values"
        return None

    def fit(self, y: np.ndarray, season_length: int = 1, X: np.ndarray | None = None) -> "Model":
        """Check the input against the capabilities, then fit; returns ``self``. ``X`` (``len(y)`` rows, one
        column per regressor) only for models declaring ``exogenous``; they read it as ``self.X_`` (None
        without regressors)."""
        y = np.asarray(y, dtype=float)
        if y.ndim != 1:
            raise ValueError(f"{self.name}: expected a 1-d series, got shape {y.shape}")
        problem = self.refusal(y)
        if problem:
            raise ValueError(f"{self.name}: {problem}")
        self.X_ = None if X is None else self._regressors(X, len(y))
        self.y_ = y
        self.season_length_ = int(season_length) if season_length and self.capabilities.seasonal else 1
        with limited_threads():
            self._fit(y, self.season_length_)
        return self

    def _regressors(self, X, rows: int) -> np.ndarray:
        """``X`` as a finite float matrix of ``rows`` rows, for a model that takes regressors."""
        if not self.capabilities.exogenous:
            raise ValueError(f"{self.name}: takes no regressors")
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] != rows or not np.all(np.isfinite(X)):
            raise ValueError(f"{self.name}: regressors must be a finite matrix of {rows} rows, got shape {X.shape}")
        return X

    def future_regressors(self, X, h: int) -> np.ndarray | None:
        """The ``h`` future rows of the regressors this model was fitted with, checked (None for a fit without)."""
        if self.X_ is None:
            return None
        if X is None or np.shape(X) != (h, self.X_.shape[1]):
            raise ValueError(f"{self.name}: fitted with {self.X_.shape[1]} regressor(s): give their {h} future rows")
        return np.asarray(X, dtype=float)

    @abstractmethod
    def _fit(self, y: np.ndarray, season_length: int) -> None:
        """Estimate the model on a validated series."""

    def update(self, y: np.ndarray) -> "Model":
        """A copy of this fitted model whose history is ``y`` — the history it was fitted on, then new
        observations — with its filter re-run under the parameters already estimated, which stay as they are
        (statsforecast's ``forward``). Only models whose capabilities say ``updatable``."""
        y = np.asarray(y, dtype=float)
        if not self.capabilities.updatable:
            raise ValueError(f"{self.name} cannot take new observations without being fitted again")
        if self.X_ is not None:
            raise ValueError(f"{self.name} was fitted with events/regressors: fit it again to take new observations")
        n = len(self.y_)
        if len(y) < n or not np.array_equal(y[:n], self.y_, equal_nan=True):
            raise ValueError(f"{self.name}: the new history does not begin with the {n} values it was fitted on")
        updated = copy.copy(self)
        updated.y_ = y
        with limited_threads():
            updated._update(y)
        return updated

    def _update(self, y: np.ndarray) -> None:
        """Re-run the filter over the whole history ``y`` with the estimated parameters (updatable models)."""
        raise NotImplementedError

    @abstractmethod
    def sample_paths(self, h: int, n_paths: int, seed: int | None = None) -> np.ndarray:
        """Draw ``n_paths`` joint future trajectories of length ``h``; shape ``(n_paths, h)``."""

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"


class Fit(Protocol):
    """A fitted family's maths: the point forecast, and paths under standard innovations ``z`` (n_paths × h)."""

    def point(self, h: int) -> np.ndarray: ...

    def paths(self, h: int, z: np.ndarray) -> np.ndarray: ...


def innovations(
    rng: np.random.Generator, n_paths: int, h: int, sigma: float, dof: float | None, unit_variance: bool = False
) -> np.ndarray:
    """Draws of future errors when their scale ``sigma`` was estimated from ``dof`` residual degrees of freedom:
    Gaussian from 30 dof on, else ``sigma`` × Student-t(dof) — the predictive distribution of a new error under an
    estimated scale, so short series get wider intervals, not only heavier tails (a t rescaled to variance sigma²
    gives narrower central intervals than the Gaussian; benchmarks/README.md). ``unit_variance`` keeps that
    rescaling for ``auto``, whose member mixture already widens its intervals and was calibrated with it
    (:mod:`forecast.models.auto`)."""
    sigma = float(sigma) if np.isfinite(sigma) and sigma > 0 else 0.0
    if dof is None or dof >= 30:
        return rng.normal(0.0, sigma, size=(n_paths, h))
    dof = max(dof, 2.5)  # below this a path mean (the point forecast) would not settle
    scale = sigma * np.sqrt((dof - 2) / dof) if unit_variance else sigma
    return rng.standard_t(dof, size=(n_paths, h)) * scale


def residual_scale(residuals: np.ndarray, n_params: int = 0) -> tuple[float, float | None]:
    """Standard deviation of residuals (degrees-of-freedom corrected) and the dof for Student-t innovations."""
    r = np.asarray(residuals, dtype=float)
    r = r[np.isfinite(r)]
    dof = len(r) - n_params
    if dof < 1:
        return 0.0, None
    return float(np.sqrt(np.sum(r**2) / dof)), float(dof)
