"""Targets: the probability that a published goal is met — a share of the series' outlook paths, so it always
agrees with the outlook's chart and intervals — with the run-rate still needed; one call for one target
(:func:`check_target`) or for every bundled one (:func:`check_all_targets`)."""

from __future__ import annotations

import pandas as pd

from forecast.errors import InputError
from forecast.outlook import DEFAULT_PATHS, Outlooks
from forecast.targets.check import TargetCheck, check
from forecast.targets.definitions import Target, targets_from_facts, year_target
from forecast.targets.files import read_targets_csv


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
    outlooks: Outlooks | None = None,
) -> TargetCheck:
    """P(``entity``'s ``metric`` total in ``year`` meets the goal), e.g. ``check_target("xian", year=2025,
    at_least=6000)``; ``as_of`` limits the data to what was public that day (default: the date the data runs to);
    ``model="selected"`` with a backtest ``selection`` (unique_id → model) uses the series' winner. Pass
    ``outlooks`` to share outlooks (and their settings) with other calls."""
    if year is None:
        raise InputError("year is required")
    target = year_target(
        entity,
        year,
        metric,
        at_least=at_least,
        more_than=more_than,
        at_most=at_most,
        growth_pct=growth_pct,
        basis=basis,
    )
    outlooks = outlooks or Outlooks(observations, model=model, n_paths=n_paths, seed=seed, selection=selection)
    return check(target, outlooks, as_of)


def check_all_targets(
    as_of: str | pd.Timestamp | None = None,
    model: str = "auto",
    targets: list[Target] | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    observations: pd.DataFrame | None = None,
    selection: dict[str, str] | None = None,
    outlooks: Outlooks | None = None,
) -> pd.DataFrame:
    """One row per target (bundled ones by default): probability, outcome interval, run-rate needed vs observed,
    outcome where known and whether it was met. Without ``as_of``, an *open* target (its period ends in the year
    the data runs to, or later) is judged with every fact — the odds today, from the same outlook as the charts —
    and a closed one with the data public when it was announced (its publication date, else the start of its
    period): what the toolkit would have said then, beside what happened."""
    outlooks = outlooks or Outlooks(observations, model=model, n_paths=n_paths, seed=seed, selection=selection)
    targets = targets_from_facts(outlooks.facts.facts) if targets is None else targets
    given = None if as_of is None else outlooks.facts.on(as_of)  # one vintage for every target
    rows = []
    for target in targets:
        if given is not None:
            when = given
        elif is_open(target, outlooks.facts.as_of):
            when = outlooks.facts.as_of
        else:
            when = target.published or target.period_start
        rows.append(check(target, outlooks, when).row())
    return pd.DataFrame(rows)


def is_open(target: Target, data_as_of: pd.Timestamp) -> bool:
    """Whether the target's period ends in the year the data runs to or later (its outcome is still to come)."""
    return target.period_end.year >= data_as_of.year


__all__ = [
    "Target",
    "TargetCheck",
    "check_all_targets",
    "check_target",
    "read_targets_csv",
    "targets_from_facts",
    "year_target",
]
