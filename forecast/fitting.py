"""The one fit-with-fallback path: sample paths for one series from a model, or from the next simpler model when
it cannot fit the series or its paths are unusable — with the reason kept, so a fallback is never silent.

predict, the backtest and the outlook all forecast through :func:`forecast_array`. Paths are unusable when they
are non-finite or mis-shaped, when an interval has no width (a model that found no variation in the history says
nothing about the future), or when a series far from zero gets a point mass at zero (clipping counts at zero is
right for a series that is dying out, not for a hub that runs thousands of trains).

Regressors (events, user columns: :mod:`forecast.regressors`) are decided here too: a model declaring
``exogenous`` gets the columns that vary over the history it is fitted on (one constant there but not over the
forecast steps is left out, and the note says so); any other model — ``auto``, ``ensemble`` and the fallbacks
included — is fitted without them and the note says "<model> ignored events/regressors: it takes none".
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass

import numpy as np

from forecast.defaults import LIBRARY_PATHS
from forecast.distribution import SamplePaths
from forecast.errors import InputError
from forecast.executor import check_engine, limited_threads
from forecast.limits import check_forecast_size
from forecast.models.base import Model
from forecast.models.registry import get_model, model_label
from forecast.regressors import Design, Regressors

FALLBACK_CHAIN = ("drift", "naive")
ZERO_MASS = 0.05  # at most this share of paths may sit at zero for a series far from zero
FAR_FROM_ZERO = 10.0  # "far from zero": the last three values at least this, and not collapsing


def check_request(
    models, levels, season_length: int | None, n_paths: int, h: int, engine: str = "serial", jobs: int | None = None
) -> None:
    """The request checks predict and the backtest share, after their model specs became labels
    (:func:`forecast.models.registry.model_label`): at least one model; interval levels strictly between 0 and
    100; a season length of at least 1; a known engine; sizes within :mod:`forecast.limits`."""
    if not models:
        raise InputError("give at least one model")
    for lv in levels:
        if not 0 < lv < 100:
            raise InputError(f"level must be between 0 and 100, got {lv:g}")
    if season_length is not None and season_length < 1:
        raise InputError(f"season length must be at least 1, got {season_length}")
    check_engine(engine)
    check_forecast_size(n_paths, h, jobs or 1)


def series_seed(seed: int, unique_id: str, model: str) -> int:
    """A seed fixed by (seed, series, model), identical whichever process or order runs it."""
    return (int(seed) * 1_000_003 + zlib.crc32(f"{unique_id}\x1f{model}".encode())) % (2**32)


def prepare(y: np.ndarray) -> tuple[np.ndarray, int]:
    """Trim leading/trailing missing values and linearly fill interior gaps; returns the array and gaps filled."""
    y = np.asarray(y, dtype=float)
    known = np.flatnonzero(np.isfinite(y))
    if len(known) == 0:
        return y[:0], 0
    y = y[known[0] : known[-1] + 1]
    missing = ~np.isfinite(y)
    if missing.any():
        idx = np.arange(len(y))
        y = y.copy()
        y[missing] = np.interp(idx[missing], idx[~missing], y[~missing])
    return y, int(missing.sum())


@dataclass(frozen=True)
class Fitted:
    """A model fitted to one series by :func:`fit_with_fallback`: the model that was used, why another one was
    (None when none was), whether its paths are counts floored at zero and the regressors it was fitted with
    (None when it took none). ``sample`` draws paths as the fit did, so a saved and reloaded ``Fitted`` gives
    the same paths for the same seed; its regressors' future rows come with it (events for any horizon, user
    regressors as far as their file gave values: further is an :class:`InputError`)."""

    model: Model
    used: str
    reason: str | None
    nonnegative: bool
    design: Design | None = None

    def update(self, y: np.ndarray) -> "Fitted":
        """This fit with its model's history extended to ``y`` (:meth:`forecast.models.base.Model.update`),
        prepared as for fitting (gaps filled: no updatable model takes them)."""
        return dataclasses.replace(self, model=self.model.update(prepare(y)[0]))

    def sample(self, h: int, n_paths: int, seed: int) -> SamplePaths:
        future = self.design.future(h) if self.design is not None else None
        with limited_threads():
            if future is None:
                paths = SamplePaths(self.model.sample_paths(h, n_paths, seed))
            else:
                paths = SamplePaths(self.model.sample_paths(h, n_paths, seed, X=future))
        return paths.clip_at_zero() if self.nonnegative else paths


def forecast_array(*args, **kwargs) -> tuple[SamplePaths, str, str | None]:
    """The paths of :func:`fit_with_fallback` (same arguments), the model that produced them and why a fallback
    happened (None when none did): what predict, the backtest and the outlook need."""
    fitted, paths = fit_with_fallback(*args, **kwargs)
    return paths, fitted.used, fitted.reason


def fit_with_fallback(
    y: np.ndarray,
    h: int,
    model,
    season_length: int = 1,
    n_paths: int = LIBRARY_PATHS,
    seed: int = 0,
    nonnegative: bool | None = None,
    regressors: Regressors | None = None,
) -> tuple[Fitted, SamplePaths]:
    """Fit ``model`` (a spec: :func:`forecast.models.registry.model_label`) to one series, falling back along
    :data:`FALLBACK_CHAIN` when it cannot fit or its paths are unusable (see the module docstring); returns the
    :class:`Fitted` model and the paths (``h`` steps, ``n_paths``, ``seed``) that judged it usable. Counts
    (``nonnegative``, by default: no negative value in the history) are floored at zero. ``regressors`` (on
    the dates of ``y``) go to the models that take them (see the module docstring)."""
    raw = np.asarray(y, dtype=float)
    filled, gaps = prepare(raw)
    if len(filled) == 0:
        raise InputError("series has no observed values")
    known = np.flatnonzero(np.isfinite(raw))
    trimmed = raw[known[0] : known[-1] + 1]  # gaps kept, for models that take them
    design = None if regressors is None else Design.of(regressors, int(known[0]), int(known[-1]) + 1, h)
    if nonnegative is None:
        nonnegative = bool(np.all(filled >= 0))
    reasons: list[str] = []
    first_flawed = None
    model = model_label(model)
    for name in (model, *[m for m in FALLBACK_CHAIN if m != model]):
        instance = get_model(name)
        takes_gaps = instance.capabilities.handles_missing
        series = trimmed if takes_gaps else filled
        refusal = instance.refusal(series)
        if refusal:
            reasons.append(f"{name}: {refusal}")
            continue
        takes = design if design is not None and instance.capabilities.exogenous and design.columns else None
        try:
            with limited_threads():
                instance.fit(series, season_length, *([design.history] if takes else []))
            result = Fitted(instance, name, None, nonnegative, takes).sample(h, n_paths, seed)
            if result.paths.shape != (n_paths, h) or not np.all(np.isfinite(result.paths)):
                raise ValueError("produced non-finite or mis-shaped paths")
        except Exception as err:  # noqa: BLE001 — any model failure must fall back, never end the run
            reasons.append(f"{name}: {type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}")
            continue
        problem = unusable(result.paths, filled)
        if problem:
            reasons.append(f"{name}: {problem}")
            first_flawed = first_flawed or (instance, name, result, takes)
            continue
        if gaps and not takes_gaps and name == model:
            reasons.append(f"filled {gaps} missing value(s) by linear interpolation")
        reasons += regressor_notes(name, instance, design)
        return Fitted(instance, name, "; ".join(reasons) or None, nonnegative, takes), result
    if first_flawed is not None:  # every model's paths were flawed: keep the first, and say so
        instance, name, result, takes = first_flawed
        notes = reasons + regressor_notes(name, instance, design)
        note = "; ".join(notes) + f"; kept {name}'s paths: no model did better"
        return Fitted(instance, name, note, nonnegative, takes), result
    # Naive needs one point and cannot fail; reaching here means the series itself is unusable.
    raise InputError("no model could forecast the series: " + "; ".join(reasons))


def regressor_notes(name: str, model: Model, design: Design | None) -> list[str]:
    """What became of the regressors in the fit of ``model``: ignored (it takes none), or some left out."""
    if design is None or not (design.columns or design.constant):
        return []  # no regressor varies over the history or the forecast steps: nothing was there to use
    if not model.capabilities.exogenous:
        return [f"{name} ignored events/regressors: it takes none"]
    if design.constant:
        return [f"{name} left out {', '.join(design.constant)}: constant over the history, no effect to estimate"]
    return []


def unusable(paths: np.ndarray, history: np.ndarray) -> str | None:
    """Why ``paths`` cannot stand for a forecast of ``history`` (see the module docstring), or None."""
    lo, hi = np.quantile(paths, [0.1, 0.9], axis=0)
    flat = (hi - lo <= 0) & (hi > 0)  # all paths at zero is a series dying out, judged below
    if flat.any() and np.ptp(history) > 0:
        step = int(np.argmax(flat)) + 1
        return f"its 80% interval has no width (step {step})"
    recent = history[-3:]
    if len(recent) == 3 and recent.min() >= FAR_FROM_ZERO and recent[-1] >= 0.5 * recent.max():
        zeros = np.mean(paths <= 0, axis=0)
        if zeros.max() > ZERO_MASS:
            step = int(np.argmax(zeros)) + 1
            return f"{zeros.max():.0%} of its paths are at zero by step {step} for a series at {recent[-1]:,.0f}"
    return None
