"""Annual totals before the sub-annual facts are used: the prior of the outlook's years.

The years after the last one the facts pin down are forecast from the latest run of pinned years: by the chosen
model (through the one fit-with-fallback path, :func:`forecast.fitting.forecast_array`) when the run is long
enough for a model to measure its own uncertainty, else by the growth every series of the metric has shown at that
size (:mod:`forecast.outlook.growth`). A series with no year pinned at all starts from a deliberately vague level
read off its own facts, so that the facts about the year, not the guess, decide where it lies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.errors import InputError
from forecast.fitting import forecast_array
from forecast.outlook.growth import (
    BOOM,
    MIN_HISTORY,
    MIN_POOLED_RATES,
    GrowthPool,
    growth_paths,
    settled_start,
)

VAGUE_SD = 0.7  # log-scale spread of a level read off partial facts: a factor of two either way is plausible


def settled(history) -> tuple[object, str | None]:
    """The part of ``history`` (year → value) since its last regime change — a year-on-year change beyond
    :data:`BOOM` followed by at least :data:`CALM_YEARS` calmer ones — and a note saying what was left out, so a
    prior never extrapolates a start-up boom (Xi'an 2017-2018: 194 → 1,235) that the recent years (+3 %, +21 %,
    +15 %) do not show; a boom the latest years still show (the nation in 2011-2017) is the history itself."""
    y = history.to_numpy(dtype=float)
    if len(y) < 2 or np.any(y <= 0):
        return history, None
    start = settled_start(np.diff(np.log(y)))
    if start == 0:
        return history, None
    kept = history.iloc[start:]
    first, dropped = int(history.index[start]), int(history.index[start - 1])
    span = f"{int(history.index[0])}–{dropped}" if dropped > int(history.index[0]) else f"{dropped}"
    return kept, (
        f"history from {first}: a change of more than {BOOM:.0%} into {first} after {span}, a regime the recent "
        "years do not show"
    )


@dataclass(frozen=True)
class AnnualPrior:
    """Paths of the annual totals of ``years`` (one column each) and how they were made."""

    years: np.ndarray
    paths: np.ndarray
    used: str
    method: str
    notes: tuple[str, ...] = ()


def annual_prior(
    history,
    years: np.ndarray,
    entity: str,
    metric: str,
    model: str,
    pool: GrowthPool,
    n_paths: int,
    seed: int,
    rng: np.random.Generator,
    level: float | None = None,
) -> AnnualPrior:
    """Prior paths for ``years`` (consecutive, starting the year after ``history`` ends); ``history`` is the
    latest run of pinned years (a year → value Series, possibly empty), ``level`` a rough size of the first year
    for a series without one. An :class:`InputError` says why none can be made."""
    h = len(years)
    pooled = len(pool) >= MIN_POOLED_RATES
    if len(history) == 0:
        if level is None:
            raise InputError("no year of the series is known in full, nor how much any year had run by a date")
        first = level * np.exp(VAGUE_SD * rng.standard_normal(n_paths))
        later, how = (
            _grow(pool, entity, first, h - 1, n_paths, rng)
            if pooled
            else (_vague_walk(first, h - 1, rng), "a vague random walk")
        )
        return AnnualPrior(
            years,
            np.column_stack([first, later]),
            "pooled-growth" if pooled else "vague",
            f"no year known in full: a vague level near {level:,.0f}, then {how}",
            (
                f"no {metric} total of a whole year is known: {years[0]} starts from a vague level "
                "read off its own facts",
            ),
        )
    history, regime = settled(history)
    y = history.to_numpy(dtype=float)
    span = f"{int(history.index[0])}–{int(history.index[-1])}" if len(y) > 1 else f"{int(history.index[0])}"
    built_on = (regime,) if regime else ()
    if len(y) < MIN_HISTORY:
        if not pooled:
            return AnnualPrior(
                years,
                _vague_walk(np.full(n_paths, y[-1]), h, rng),
                "vague",
                f"{span}, then a vague random walk",
                (*built_on, f"{len(y)} year(s) of history and too few pooled growth rates for a model"),
            )
        paths, how = _grow(pool, entity, float(y[-1]), h, n_paths, rng)
        return AnnualPrior(
            years,
            paths,
            "pooled-growth",
            f"{span} grown by the {how}",
            (*built_on, f"{len(y)} year(s) of history is too short for {model}"),
        )
    forecast, used, reason = forecast_array(y, h, model, 1, n_paths, seed)
    notes = (*built_on, *((f"{model}: {reason}",) if reason else ()))
    return AnnualPrior(years, forecast.paths, used, f"{used} on {span}", notes)


def _grow(pool: GrowthPool, entity: str, last, h: int, n_paths: int, rng: np.random.Generator):
    """Paths grown ``h`` years from ``last`` by the pooled growth model, and how it was fitted."""
    growth = pool.fit(entity)
    how = {
        "mixed": f"size-dependent growth of {len(pool)} pooled year-on-year rates, its own effect "
        f"{growth.effect_mean:+.2f} ± {growth.effect_sd:.2f}",
        "ols": f"size-dependent growth of {len(pool)} pooled year-on-year rates",
        "mean": f"mean of only {len(pool)} pooled year-on-year rates",
    }[growth.method]
    return growth_paths(growth, last, h, n_paths, rng), how


def _vague_walk(start: np.ndarray, h: int, rng: np.random.Generator) -> np.ndarray:
    """``h`` years of a log random walk from ``start`` with :data:`VAGUE_SD` a year: a prior that lets the facts
    decide when neither a model nor a growth pool can."""
    steps = VAGUE_SD * rng.standard_normal((len(start), h))
    return start[:, None] * np.exp(np.cumsum(steps, axis=1))
