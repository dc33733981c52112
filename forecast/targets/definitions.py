"""What a target is (an entity's total over a period compared with a value, or growth over a base period) and
where targets come from: the bundled facts of kind ``target`` or command-line flags (a user targets CSV:
:mod:`forecast.targets.files`).

Published wording maps to a comparison as follows (the source's qualifier is kept in ``Target.qualifier``):

=============  ===========  ==========================================================================
qualifier      comparison   why
=============  ===========  ==========================================================================
more_than      more_than    "run more than 900 trains" is met only above 900 (strict ``>``)
at_least       at_least     "at least 1,000" is met at 1,000 (``>=``)
exact          at_least     a plan of "1,000 trains" is met once 1,000 are reached (``>=``)
about          at_least     "about 500" as a goal is read as reaching 500 (``>=``)
nearly         at_least     "nearly N" is read as reaching N: the strictest reading, so the probability
                            is a lower bound on the source's meaning
at_most        at_most      a cap: met when the total stays at or below the value (``<=``)
=============  ===========  ==========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.data.basis import is_basis
from forecast.data.schema import BASES, DEFAULT_BASIS
from forecast.data.vintage import series_uid
from forecast.errors import InputError
from forecast.limits import ceiling_problem

COMPARISONS = ("more_than", "at_least", "at_most")
QUALIFIER_COMPARISON = {
    "more_than": "more_than",
    "at_least": "at_least",
    "exact": "at_least",
    "about": "at_least",
    "nearly": "at_least",
    "at_most": "at_most",
}
SYMBOL = {"more_than": ">", "at_least": ">=", "at_most": "<="}


@dataclass(frozen=True)
class Target:
    """A published or user goal: total of ``metric`` for ``entity`` over [period_start, period_end] compared
    with ``value`` (kind ``absolute``) or growth over the base period above ``growth_pct`` (kind ``growth``)."""

    entity: str
    metric: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    kind: str = "absolute"
    comparison: str = "at_least"
    value: float | None = None
    growth_pct: float | None = None
    base_start: pd.Timestamp | None = None
    base_end: pd.Timestamp | None = None
    basis: str | None = None
    sources: tuple[str, ...] = ()
    qualifier: str | None = None
    published: pd.Timestamp | None = None
    label: str = field(default="")

    def __post_init__(self):
        problems = _problems(self)
        if problems:
            raise InputError(f"target {self.entity}/{self.metric}: {problems[0]}")
        if not self.label:
            object.__setattr__(self, "label", self.describe())

    @property
    def uid(self) -> str:
        """The series the target is about (see :func:`series_uid`)."""
        return series_uid(self.entity, self.metric, self.basis)

    @property
    def year(self) -> int:
        return self.period_end.year

    @property
    def is_calendar_year(self) -> bool:
        return _is_calendar_year(self.period_start, self.period_end)

    @property
    def threshold(self) -> float:
        """The number the outcome is compared with: a total, or a growth in percent."""
        return float(self.value if self.kind == "absolute" else self.growth_pct)

    @property
    def key(self) -> str:
        """What makes two targets the same across runs, whatever their labels say: series, period, comparison,
        number (and base period for growth)."""
        base = f"/base {self.base_start.date()}..{self.base_end.date()}" if self.kind == "growth" else ""
        return (
            f"{self.uid}/{self.period_start.date()}..{self.period_end.date()}/{self.kind}/{self.comparison}/"
            f"{self.threshold:g}{base}"
        )

    def describe(self) -> str:
        """Short human label, e.g. ``shandong-central-asia trains 2024 > 900``."""
        period = (
            str(self.year)
            if _is_calendar_year(self.period_start, self.period_end)
            else (f"{self.period_start.date()}..{self.period_end.date()}")
        )
        basis = f" [{self.basis}]" if self.basis and self.basis != DEFAULT_BASIS else ""  # the usual basis goes unsaid
        if self.kind == "growth":
            return f"{self.entity} {self.metric}{basis} {period} growth {SYMBOL[self.comparison]} {self.growth_pct:g}%"
        return f"{self.entity} {self.metric}{basis} {period} {SYMBOL[self.comparison]} {self.value:g}"

    def met_by(self, values: np.ndarray | float) -> np.ndarray | bool:
        """Whether outcome(s) meet the target (a total for absolute targets, growth in percent for growth)."""
        values = np.asarray(values, dtype=float)
        if self.comparison == "more_than":
            return values > self.threshold
        if self.comparison == "at_least":
            return values >= self.threshold
        return values <= self.threshold


def year_target(
    entity: str,
    year: int,
    metric: str = "trains",
    *,
    at_least: float | None = None,
    more_than: float | None = None,
    at_most: float | None = None,
    growth_pct: float | None = None,
    basis: str | None = None,
) -> Target:
    """A calendar-year target from keyword flags (exactly one of at_least / more_than / at_most / growth_pct);
    growth is measured against the previous calendar year and is met when strictly above ``growth_pct``."""
    given = {
        k: v
        for k, v in dict(at_least=at_least, more_than=more_than, at_most=at_most, growth_pct=growth_pct).items()
        if v is not None
    }
    if len(given) != 1:
        raise InputError("give exactly one of --at-least, --more-than, --at-most, --growth")
    ((how, number),) = given.items()
    start, end = calendar_year(year)
    if how == "growth_pct":
        base_start, base_end = calendar_year(year - 1)
        return Target(
            entity,
            metric,
            start,
            end,
            "growth",
            "more_than",
            growth_pct=float(number),
            base_start=base_start,
            base_end=base_end,
            basis=basis,
        )
    if np.isfinite(number) and ceiling_problem(float(number), metric):
        raise InputError(f"--{how.replace('_', '-')}: {ceiling_problem(float(number), metric)}")
    return Target(entity, metric, start, end, "absolute", how, value=float(number), basis=basis)


def targets_from_facts(facts: pd.DataFrame) -> list[Target]:
    """Targets from observation facts of kind ``target``; the same goal from several sources becomes one target
    whose ``sources`` lists every fact id (e.g. S0001 and H0252 for Shandong's Central Asia plan)."""
    rows = facts[facts["kind"] == "target"]
    merged: dict[str, Target] = {}
    for row in rows.itertuples(index=False):
        target = _from_fact(row)
        key = target.key
        if key in merged:
            kept = merged[key]
            published = min((p for p in (kept.published, target.published) if p is not None), default=None)
            merged[key] = replace(kept, sources=kept.sources + target.sources, published=published)
        else:
            merged[key] = target
    return sorted(merged.values(), key=lambda t: (t.period_end, t.entity, t.metric, t.sources))


def _from_fact(row) -> Target:
    qualifier = str(row.qualifier) if isinstance(row.qualifier, str) else "exact"
    start, end = pd.Timestamp(row.period_start), pd.Timestamp(row.period_end)
    published = _timestamp_or_none(getattr(row, "published", None))
    basis = getattr(row, "basis", None)
    common = dict(
        basis=basis if isinstance(basis, str) and basis else None,
        sources=(str(row.id),),
        qualifier=qualifier,
        published=published,
    )
    comparison = QUALIFIER_COMPARISON.get(qualifier, "at_least")
    if _is_number(row.value):
        return Target(
            str(row.entity), str(row.metric), start, end, "absolute", comparison, value=float(row.value), **common
        )
    # A growth-only target ("grow by more than 20%") is measured against the same period one year earlier.
    base_start, base_end = start - pd.DateOffset(years=1), end - pd.DateOffset(years=1)
    return Target(
        str(row.entity),
        str(row.metric),
        start,
        end,
        "growth",
        comparison,
        growth_pct=float(row.yoy_pct),
        base_start=base_start,
        base_end=base_end,
        **common,
    )


def _problems(target: Target) -> list[str]:
    if target.comparison not in COMPARISONS:
        return [f"comparison: {target.comparison!r} is not one of {', '.join(COMPARISONS)}"]
    if target.basis is not None and not is_basis(target.basis):
        return [f"basis: {target.basis!r} is not one of {', '.join(BASES)}"]
    return target_problems(
        target.entity,
        target.period_start,
        target.period_end,
        kind=target.kind,
        comparison=target.comparison,
        value=target.value,
        growth_pct=target.growth_pct,
        base_start=target.base_start,
        base_end=target.base_end,
    )


def target_problems(
    entity, start, end, *, kind, comparison, value=None, growth_pct=None, base_start=None, base_end=None
) -> list[str]:
    """Every reason the fields cannot make a target, as ``field: reason`` strings."""
    problems = []
    if not entity:
        problems.append("entity: empty")
    if end < start:
        problems.append(f"period_end: {end.date()} is before period_start {start.date()}")
    if kind == "absolute":
        if value is None or not np.isfinite(value):
            problems.append(
                "value: missing for an absolute target" if value is None else f"value: {value} is not a finite number"
            )
        elif value < 0:
            problems.append(f"value: negative ({value:g})")
    elif kind == "growth":
        if growth_pct is None or not np.isfinite(growth_pct):
            problems.append(
                "growth_pct: missing for a growth target"
                if growth_pct is None
                else f"growth_pct: {growth_pct} is not a finite number"
            )
        elif growth_pct <= -100:
            problems.append(f"growth_pct: {growth_pct:g} is not above -100")
        if base_start is None or base_end is None or base_end >= start:
            problems.append("base_year: the base period must end before the target period starts")
    else:
        problems.append(f"kind: {kind!r} is not absolute or growth")
    return problems


def calendar_year(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not 1900 <= int(year) <= 2200:
        raise InputError(f"year {year} is out of range")
    return pd.Timestamp(int(year), 1, 1), pd.Timestamp(int(year), 12, 31)


def _is_calendar_year(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year


def _is_number(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


def _timestamp_or_none(value) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    try:
        return pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
