"""Targets: the probability that a published goal is met, conditioned on year-to-date figures, with the run-rate
still needed — one call for one target (:func:`check_target`) or for every bundled one (:func:`check_all_targets`)."""

from __future__ import annotations

import pandas as pd

from forecast.errors import InputError
from forecast.targets import facts as F
from forecast.targets.definitions import Target, read_targets_csv, targets_from_facts, year_target
from forecast.targets.probability import DEFAULT_PATHS, Session, TargetCheck, check, target_probability


def check_target(
    entity: str,
    metric: str = "trains",
    year: int | None = None,
    *,
    at_least: float | None = None,
    more_than: float | None = None,
    at_most: float | None = None,
    growth_pct: float | None = None,
    basis: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    model: str = "auto",
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    observations: pd.DataFrame | None = None,
    selection: dict[str, str] | None = None,
) -> TargetCheck:
    """P(``entity``'s ``metric`` total in ``year`` meets the goal), e.g. ``check_target("xian", year=2025,
    at_least=6000)``; ``as_of`` limits the data to what was public that day (default: everything);
    ``model="selected"`` with a backtest ``selection`` (unique_id → model) uses the series' winner."""
    if year is None:
        raise InputError("year is required")
    target = year_target(entity, year, metric, at_least=at_least, more_than=more_than, at_most=at_most,
                         growth_pct=growth_pct, basis=basis)  # fmt: skip
    return target_probability(target, model, as_of, n_paths, seed, observations, selection)


def check_all_targets(
    as_of: str | pd.Timestamp | None = None,
    model: str = "auto",
    targets: list[Target] | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    observations: pd.DataFrame | None = None,
    selection: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per target (bundled ones by default): probability, outcome interval, run-rate needed vs observed,
    outcome where known and whether it was met. Without ``as_of`` each target is judged with the data public
    when it was announced (its publication date, else the start of its period): what the toolkit would have said
    then, beside what happened."""
    session = Session(F.load_facts(observations))
    targets = targets_from_facts(session.every) if targets is None else targets
    rows = []
    for target in targets:
        when = as_of if as_of is not None else (target.published or target.period_start)
        rows.append(check(target, session, model, when, n_paths, seed, selection).row())
    return pd.DataFrame(rows)


__all__ = [
    "Target",
    "TargetCheck",
    "check_all_targets",
    "check_target",
    "read_targets_csv",
    "target_probability",
    "targets_from_facts",
    "year_target",
]
