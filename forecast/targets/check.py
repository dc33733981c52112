"""The probability that a target is met: the share of the series' outlook paths meeting it.

A target is judged on its entity × metric × basis as known on ``as_of`` (:mod:`forecast.outlook`): its year's
paths are the outlook's — conditioned on every fact about that year published by then — or, for a year already
over, the value the facts pin down (drawn evenly between the bounds they allow when they only bound it). A growth
target compares two years of the same paths, so an uncertain base year moves jointly with the target year. The
outcome, once published, comes from every fact (:mod:`forecast.targets.outcome`). An entity with no figures of its
own answers a growth target with its parent's growth, widened by how much parts differ from their whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.data.entities import lineage
from forecast.defaults import TARGET_LEVEL
from forecast.errors import InputError
from forecast.fitting import series_seed
from forecast.outlook import NoOutlook, Outlooks
from forecast.outlook.growth import MIN_POOLED_RATES
from forecast.targets.definitions import Target
from forecast.targets.outcome import outcome
from forecast.targets.runrate import RunRate, run_rate

LEVEL = TARGET_LEVEL
OBSERVED, BOUNDED = "observed", "between stated bounds"


@dataclass
class TargetCheck:
    """The answer for one target: probability, outcome distribution, what was observed, and the known outcome."""

    target: Target
    as_of: pd.Timestamp | None
    model: str
    used: str | None = None
    values: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    totals: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    observed: float | None = None
    observed_through: pd.Timestamp | None = None
    observed_note: str | None = None
    method: str | None = None
    notes: list[str] = field(default_factory=list)
    run_rate: RunRate | None = None
    outcome: float | None = None
    outcome_lo: float | None = None
    outcome_hi: float | None = None
    outcome_sources: str | None = None
    met: bool | None = None

    @property
    def assessed(self) -> bool:
        return len(self.values) > 0

    @property
    def probability(self) -> float:
        """Share of paths whose outcome meets the target (NaN when the target could not be assessed)."""
        return float(np.mean(self.target.met_by(self.values))) if self.assessed else math.nan

    @property
    def expected(self) -> float:
        return float(np.mean(self.values)) if self.assessed else math.nan

    def quantiles(self, qs=(0.1, 0.5, 0.9)) -> dict[float, float]:
        return {q: float(np.quantile(self.values, q)) if self.assessed else math.nan for q in qs}

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        tail = (100.0 - level) / 200.0
        q = self.quantiles((tail, 1.0 - tail))
        return q[tail], q[1.0 - tail]

    def row(self) -> dict:
        """One flat record (what ``check_all_targets`` and ``--format json`` show)."""
        lo, hi = self.interval()
        rate = self.run_rate
        return {
            "target": self.target.label,
            "target_key": self.target.key,
            "entity": self.target.entity,
            "metric": self.target.metric,
            "period_end": self.target.period_end.date().isoformat(),
            "kind": self.target.kind,
            "comparison": self.target.comparison,
            "threshold": self.target.threshold,
            "sources": ";".join(self.target.sources),
            "as_of": None if self.as_of is None else self.as_of.date().isoformat(),
            "probability": self.probability,
            "expected": self.expected,
            f"lo_{LEVEL}": lo,
            f"hi_{LEVEL}": hi,
            "observed": self.observed,
            "observed_through": None if self.observed_through is None else self.observed_through.date().isoformat(),
            "needed_per_day": rate.needed_per_day if rate else None,
            "observed_per_day": rate.observed_per_day if rate else None,
            "stated_per_day": rate.stated_per_day if rate else None,
            "model": self.model,
            "used": self.used,
            "method": self.method,
            "outcome": self.outcome,
            "outcome_lo": self.outcome_lo,
            "outcome_hi": self.outcome_hi,
            "met": self.met,
            "notes": "; ".join(self.notes),
        }


def check(target: Target, outlooks: Outlooks, as_of=None) -> TargetCheck:
    """P(``target`` met) from the outlook of its series known on ``as_of`` (a date or a vintage of the outlooks'
    facts; default: the date the data runs to). The vintage is made once here and passed down."""
    entity = outlooks.facts.check(target.entity, target.metric, target.basis)
    if entity != target.entity:
        target = replace(target, entity=entity, label="")
    if not target.is_calendar_year:
        raise InputError(f"{target.label}: only calendar-year targets can be checked (period 1 Jan - 31 Dec)")
    vintage = outlooks.facts.on(as_of)
    result = TargetCheck(target, vintage.as_of, outlooks.model)
    _record_outcome(result, outlooks)
    try:
        view = outlooks.get(target.entity, target.metric, target.basis, vintage)
    except NoOutlook as err:
        result.notes.append(str(err))
        if target.kind == "growth":
            _growth_from_parent(result, outlooks, vintage)
        return result
    result.used, result.notes = view.used, [*result.notes, *view.notes]
    main = view.year_paths(target.year)
    base = view.year_paths(target.base_end.year) if target.kind == "growth" else None
    if main is None or (target.kind == "growth" and base is None):
        missing = target.year if main is None else target.base_end.year
        result.notes.append(f"no {target.metric} total of {target.entity} for {missing} is known or forecast")
        return result
    result.method = _method(view, target.year)
    result.totals = main
    if target.kind == "growth":
        result.values = 100.0 * (main / np.maximum(base, 1e-9) - 1.0)
        result.method += f"; base {target.base_end.year}: {_method(view, target.base_end.year)}"
        required = float(np.median(base)) * (1.0 + target.growth_pct / 100.0)
    else:
        result.values, required = main, target.value
    seen = view.observed.get(target.year)
    if seen is not None:
        result.observed, result.observed_through, result.observed_note = seen.value, seen.through, seen.describe()
    if target.year in view.years:  # the period is not over, or its total is not out yet: a rate still matters
        stated = (
            vintage.stated(target.entity, "trains_per_day", "average", target.year)
            if target.metric == "trains"
            else None
        )
        result.run_rate = run_rate(
            required, target.period_start, target.period_end, result.observed or 0.0, result.observed_through, stated
        )
    return result


def _method(view, year: int) -> str:
    if year in view.years:
        return view.method
    return OBSERVED if year in view.series.pinned.index else BOUNDED


def _record_outcome(result: TargetCheck, outlooks: Outlooks) -> None:
    """The outcome from the series reconciled from every fact (published any time)."""
    target = result.target
    found = outcome(target, outlooks.facts.on().series(target.entity, target.metric, target.basis))
    if found is None:
        return
    result.outcome, result.outcome_lo, result.outcome_hi = found.value, found.lo, found.hi
    result.outcome_sources, result.met = found.sources, found.met
    if found.conflict:
        result.notes.append("outcome: conflicting sources, see `forecast data conflicts`")


def _growth_from_parent(result: TargetCheck, outlooks: Outlooks, vintage) -> None:
    """A growth target of an entity with no figures of its own: its nearest assessable parent's growth paths,
    each moved by a deviation of a part from its whole — the pooled growth model's spread for an entity it has not
    seen (between-entity effect and yearly noise, :mod:`forecast.outlook.growth`). Left unassessed without a pool."""
    target = result.target
    pool = outlooks.pool(vintage, target.metric)
    if len(pool) < MIN_POOLED_RATES:
        return
    for parent in lineage(target.entity):
        proxy = check(replace(target, entity=parent, label=""), outlooks, vintage)
        if not proxy.assessed:
            continue
        growth = pool.fit(target.entity)
        spread = float(np.hypot(growth.effect_sd, growth.noise_sd))
        rng = np.random.default_rng(series_seed(outlooks.seed, target.uid, outlooks.model) + 2)
        n = len(proxy.values)
        result.values = 100.0 * ((1.0 + proxy.values / 100.0) * np.exp(spread * rng.standard_normal(n)) - 1.0)
        result.used, result.method = proxy.used, f"growth of {parent} ({proxy.method})"
        result.notes.append(
            f"{parent}'s growth used as a proxy, widened by a part's deviation from its whole "
            f"(sd {spread:.2f} in log growth)"
        )
        return
