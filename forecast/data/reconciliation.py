"""Reconcile sourced facts into consistent annual and monthly series with intervals, provenance and flags.

Method (one linear system per entity × metric × counting basis, see :mod:`forecast.data.constraints`):

1. **Conflicts.** Every fact is a band on a sum of monthly totals. An *elastic* linear programme finds the
   smallest weighted violation that makes all bands hold together; a fact that has to be violated is in
   conflict. A fact's weight is its support (``rule="corroborated"``, the default): its number of independent
   sources, plus its wording (exact, about, hedged: never worth one more source), plus recency as a tie-break
   (:mod:`forecast.data.constraints`); ``rule="latest"`` puts the most recent publication first. A violation
   counts relative to the larger of the stated and the reconciled value, so it costs at most the fact's
   weight: setting aside a figure far below the others (5 trains against 1,235) costs no more than setting
   aside a figure far above them, and one weakly supported fact gives way to independent sources that agree,
   however far apart the numbers. That measure depends on the solution, so the programme is solved again
   with violations measured at the previous solution (starting from the group's median monthly level) until
   the facts in conflict stop changing. Facts in conflict are *set aside* (never averaged) and listed in
   :attr:`Reconciliation.conflicts` with the amount they miss by, the kept facts they clash with and why those
   won (``resolution``). Users can override: ``exclude`` drops facts first, ``keep`` makes facts win every
   conflict.
2. **Intervals.** With the remaining facts, a year's (or month's) total ranges over what every fact allows:
   two linear programmes give its minimum and maximum (``y_lo``, ``y_hi``; ``y_hi`` is ``inf`` when nothing
   bounds it from above, e.g. only a year-to-date figure is known). The facts binding those bounds (non-zero
   dual values) are the value's ``sources``.
3. **Point values.** A year's ``y`` is its own full-year figure when one exists (exact before hedged, the most
   precise first), else the figure a growth rate implies from the next year, else the midpoint of a narrow
   interval (``derived``); it is always inside the interval. When the facts leave the year open (``partial``),
   ``y`` stays empty and the interval says what is known — the year is neither dropped nor invented.
4. **Year to date.** For every date a kept fact ends on inside a year, the interval of the total from 1 January
   to that date (rows with ``freq`` ``ytd`` and ``ds`` that date): what the year had run by then, as far as the
   facts say — a stated Jan-Oct figure, a quarter plus the months before it, a milestone after known years.

Flags: ``derived``, ``implied`` (from a growth rate), ``hedged`` (only "more than"/"nearly" figures), ``open``
(no upper bound), ``partial`` (no point value), ``conflict`` (a fact about this period was set aside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from forecast.data.basis import split_bases
from forecast.data.constraints import Constraint, build_constraints, magnitude, month_grid, period_coef, spread
from forecast.data.schema import COUNT_METRICS
from forecast.errors import InputError

RULES = ("corroborated", "latest")
NARROW = 0.05  # an interval narrower than 5 % of its top gives a derived point value
REWEIGHT_PASSES = 4  # re-solves with violations measured against the reconciled values (see module docstring)
SERIES_COLUMNS = ["unique_id", "entity", "metric", "basis", "freq", "ds", "y", "y_lo", "y_hi", "sources", "flags"]
CONFLICT_COLUMNS = [
    "unique_id",
    "entity",
    "metric",
    "basis",
    "fact_ids",
    "statement",
    "period_start",
    "period_end",
    "violation",
    "relative",
    "against",
    "resolution",
]


@dataclass
class GroupSystem:
    """The kept constraints of one series as LP rows (``A x ≤ b``), ready for interval queries."""

    months: pd.PeriodIndex
    scale: float
    kept: list[Constraint]
    set_aside: list[Constraint]
    A: np.ndarray
    b: np.ndarray
    row_owner: np.ndarray

    def bounds(self, coef: np.ndarray) -> tuple[float, float, set[str]]:
        """(min, max) of ``coef·x`` over every x the kept facts allow, and the ids of the facts binding them."""
        lo, src_lo = self._optimise(coef)
        neg_hi, src_hi = self._optimise(-coef)
        return lo * self.scale, -neg_hi * self.scale, src_lo | src_hi

    def _optimise(self, c: np.ndarray) -> tuple[float, set[str]]:
        result = _linprog(c, self.A, self.b)
        if result.status == 3:
            return -np.inf, set()
        if result.status != 0:
            raise RuntimeError(f"reconciliation LP failed: {result.message}")
        duals = result.ineqlin.marginals if len(self.b) else np.empty(0)
        binding = {i for i, d in zip(self.row_owner, duals) if abs(d) > 1e-9}
        return float(result.fun), {fid for i in binding for fid in self.kept[i].ids}


@dataclass
class Reconciliation:
    """Reconciled series (long format), the conflicts found and how they were resolved."""

    series: pd.DataFrame
    conflicts: pd.DataFrame
    facts: pd.DataFrame = field(repr=False)
    systems: dict[str, GroupSystem] = field(repr=False, default_factory=dict)

    def panel(self, freq: str = "annual", complete: bool = True) -> pd.DataFrame:
        """Series at ``freq`` in ``unique_id, ds, y`` (+ the rest); ``complete`` drops rows without a value."""
        rows = self.series[self.series["freq"] == freq]
        return (rows[rows["y"].notna()] if complete else rows).reset_index(drop=True)

    def period_bounds(self, unique_id: str, start, end) -> tuple[float, float]:
        """What the facts allow for the total of ``unique_id`` over any period [start, end]."""
        if unique_id not in self.systems:
            raise InputError(f"unknown series {unique_id!r}")
        system = self.systems[unique_id]
        lo, hi, _ = system.bounds(period_coef(system.months, pd.Timestamp(start), pd.Timestamp(end)))
        return lo, hi


@dataclass
class Group:
    """One reconciled series (entity × metric × basis): its rows of the series frame, its conflicts and the kept
    facts as a linear system (for interval queries over any period)."""

    uid: str
    entity: str
    metric: str
    basis: str
    series: pd.DataFrame
    conflicts: pd.DataFrame
    system: GroupSystem = field(repr=False)


def reconcile(observations: pd.DataFrame, rule: str = "corroborated", exclude=(), keep=()) -> Reconciliation:
    """Annual and monthly series for every entity × metric × basis of ``observations`` (see module docstring)."""
    return assemble(list(reconcile_groups(observations, rule, exclude, keep, reconcile_group)), observations)


def reconcile_groups(observations: pd.DataFrame, rule: str, exclude, keep, solve) -> Iterator[Group]:
    """``solve(facts, rule, keep)`` for each entity × metric × basis of the usable facts (counts; totals and
    cumulatives; not excluded), after checking the options."""
    if rule not in RULES:
        raise InputError(f"unknown conflict rule {rule!r}; choose from {', '.join(RULES)}")
    unknown = (set(exclude) | set(keep)) - set(observations["id"])
    if unknown:
        raise InputError(f"unknown fact id(s) {', '.join(sorted(unknown))}")
    observations = split_bases(observations)
    usable = observations[
        observations["metric"].isin(COUNT_METRICS)
        & observations["kind"].isin(("total", "cumulative"))
        & ~observations["id"].isin(set(exclude))
    ]
    for _, facts in usable.groupby(["entity", "metric", "basis"], sort=True):
        yield solve(facts, rule, frozenset(keep) & frozenset(facts["id"]))


def reconcile_group(facts: pd.DataFrame, rule: str = "corroborated", keep=frozenset()) -> Group:
    """Reconcile the facts of one entity × metric × basis (see the module docstring)."""
    entity, metric, basis = (str(facts[c].iloc[0]) for c in ("entity", "metric", "basis"))
    uid = f"{entity}/{metric}/{basis}"
    system, found = _resolve(facts, rule == "latest", set(keep))
    ident = {"unique_id": uid, "entity": entity, "metric": metric, "basis": basis}
    series = [
        {**ident, "freq": freq, **r}
        for freq, rows in (
            ("annual", _annual_rows(system, facts)),
            ("monthly", _monthly_rows(system)),
            ("ytd", _ytd_rows(system)),
        )
        for r in rows
    ]
    frame = pd.DataFrame(series, columns=SERIES_COLUMNS)
    frame["ds"] = pd.to_datetime(frame["ds"])
    conflicts = pd.DataFrame([{**ident, **row} for row in found], columns=CONFLICT_COLUMNS)
    return Group(uid, entity, metric, basis, frame, conflicts, system)


def assemble(groups: list[Group], observations: pd.DataFrame) -> Reconciliation:
    """One :class:`Reconciliation` from reconciled groups."""
    filled = [g.series for g in groups if len(g.series)]
    series = pd.concat(filled, ignore_index=True) if filled else pd.DataFrame(columns=SERIES_COLUMNS)
    series["ds"] = pd.to_datetime(series["ds"])
    conflicts = [g.conflicts for g in groups if len(g.conflicts)]
    return Reconciliation(
        series,
        pd.concat(conflicts, ignore_index=True) if conflicts else pd.DataFrame(columns=CONFLICT_COLUMNS),
        observations,
        {g.uid: g.system for g in groups},
    )


def _resolve(facts: pd.DataFrame, recency_first: bool, keep: set[str]) -> tuple[GroupSystem, list[dict]]:
    """Find the facts that cannot all hold, set aside the ones the rule weighs least, and report each with why."""
    months, scale = month_grid(facts), magnitude(facts)
    constraints = build_constraints(facts, months, scale, recency_weight=recency_first)
    for c in constraints:
        if keep & set(c.ids):
            c.weight *= 1e4
    A, b, owner = _rows(constraints, len(months))
    weight = np.array([c.weight for c in constraints])
    stated = np.array([c.scale for c in constraints])
    violation, duals, x = _elastic(A, b, owner, weight / np.maximum(stated, _typical_sizes(constraints)))
    for _ in range(REWEIGHT_PASSES):
        before = _violated(constraints, violation)
        if not before:
            break
        reconciled = np.array([float(c.coef @ x) for c in constraints])
        violation, duals, x = _elastic(A, b, owner, weight / np.maximum(stated, reconciled))
        if _violated(constraints, violation) == before:
            break
    bad = _readmitted(constraints, _violated(constraints, violation), len(months))
    active = {owner[r] for r in range(len(b)) if abs(duals[r]) > 1e-9}
    kept_index = [i for i in range(len(constraints)) if i not in bad]
    kept = [constraints[i] for i in kept_index]
    found = [
        _conflict_row(
            constraints[i], violation[i], [constraints[j] for j in active if j not in bad], scale, recency_first, keep
        )
        for i in bad
    ]
    A_kept, b_kept, owner_kept = _rows(kept, len(months))
    b_kept = b_kept + violation[np.asarray(kept_index, dtype=int)[owner_kept]]  # solver-tolerance slack only
    return GroupSystem(months, scale, kept, [constraints[i] for i in bad], A_kept, b_kept, owner_kept), found


def _elastic(A: np.ndarray, b: np.ndarray, owner: np.ndarray, per_unit: np.ndarray):
    """The smallest violation, costed ``per_unit`` per constraint: (violation per constraint, row duals, months)."""
    n, m = A.shape[1], len(per_unit)
    slack = np.zeros((len(b), m))
    slack[np.arange(len(b)), owner] = -1.0
    result = _linprog(np.concatenate([np.zeros(n), per_unit]), np.hstack([A, slack]), b)
    if result.status != 0:
        raise RuntimeError(f"elastic reconciliation LP failed: {result.message}")
    return result.x[n:], result.ineqlin.marginals, result.x[:n]


def _violated(constraints: list[Constraint], violation: np.ndarray) -> list[int]:
    return [i for i, c in enumerate(constraints) if violation[i] > 1e-7 * c.scale + 1e-9]


def _readmitted(constraints: list[Constraint], bad: list[int], width: int) -> list[int]:
    """``bad`` without the facts that hold once the others are set aside: the elastic programme may spread a
    violation over a fact that agrees with the rest (0.5 of a year stated as 1,235 beside a misprinted 5), so
    each set-aside fact, least violated first, is kept again when it and the kept facts can all hold together."""
    kept = [c for i, c in enumerate(constraints) if i not in bad]
    still = []
    for i in bad:
        trial = [*kept, constraints[i]]
        A, b, owner = _rows(trial, width)
        violation, _, _ = _elastic(A, b, owner, np.ones(len(trial)))
        if _violated(trial, violation):
            still.append(i)
        else:
            kept.append(constraints[i])
    return still


def _typical_sizes(constraints: list[Constraint]) -> np.ndarray:
    """What each constraint's period would hold at the group's median monthly level (from its stated facts):
    a yardstick no single fact can move, so the first pass treats a figure far below the others like its peers."""
    rates = [c.scale / c.coef.sum() for c in constraints if not c.is_growth and c.nominal and c.coef.sum() > 0]
    rate = float(np.median(rates)) if rates else 1.0
    return np.array([rate * c.coef.sum() for c in constraints])


def _linprog(c: np.ndarray, A: np.ndarray, b: np.ndarray):
    """HiGHS on ``min c·x, A x ≤ b, x ≥ 0``; its presolve can call an unbounded problem infeasible, so an
    'infeasible' answer (the kept facts are feasible by construction) is checked once without presolve."""
    rows = {"A_ub": sparse.csr_array(A), "b_ub": b} if len(b) else {}
    result = linprog(c, bounds=(0, None), method="highs", **rows)
    if result.status == 2:
        result = linprog(c, bounds=(0, None), method="highs", options={"presolve": False}, **rows)
    return result


def _rows(constraints: list[Constraint], width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A x ≤ b`` rows of the constraints and, per row, the index of the constraint it came from."""
    rows, rhs, owner = [], [], []
    for i, c in enumerate(constraints):
        low, high = spread(c.coef)
        if c.is_growth:  # lo·base ≤ coef ≤ hi·base, both sides homogeneous
            base_low, base_high = spread(c.base)
            rows += [c.lo * base_low - high, low - c.hi * base_high]
            rhs += [0.0, 0.0]
            owner += [i, i]
            continue
        rows.append(-high)
        rhs.append(-c.lo)
        owner.append(i)
        if np.isfinite(c.hi):
            rows.append(low)
            rhs.append(c.hi)
            owner.append(i)
    return np.array(rows).reshape(-1, width), np.array(rhs, dtype=float), np.array(owner, dtype=int)


def _conflict_row(
    c: Constraint, violation: float, active: list[Constraint], scale: float, recency_first: bool, keep: set[str]
) -> dict:
    """How much a set-aside fact misses by (in the metric's units), the kept facts it clashes with and why
    they, not it, were kept."""
    support = (c.coef > 0) | (c.base > 0 if c.base is not None else False)
    opponents = [
        a
        for a in active
        if a is not c and np.any(support & ((a.coef > 0) | (a.base > 0 if a.base is not None else False)))
    ]
    against = sorted({fid for a in opponents for fid in a.ids})
    return {
        "fact_ids": ";".join(c.ids),
        "statement": c.label,
        "period_start": c.period[0],
        "period_end": c.period[1],
        "violation": float(violation * scale),
        "relative": float(violation / c.scale),
        "against": ";".join(against),
        "resolution": _why(c, opponents, recency_first, keep),
    }


def _why(c: Constraint, kept: list[Constraint], recency_first: bool, keep: set[str]) -> str:
    """One line on which side won a conflict and by which part of the rule (see the module docstring)."""
    mine = f"{_count(len(c.sources), 'source')}, {c.qualifier}"
    if not kept:
        return f"set aside ({mine}): it cannot hold with the other facts"
    others = [a for a in kept if a.ids != c.ids]  # a fact's own level beside its set-aside growth rate is no rival
    sources = frozenset().union(*(a.sources for a in kept)) - c.sources
    theirs = f"{_count(len(others), 'kept fact')} from {_count(len(sources), 'other source')}"
    if keep & {fid for a in kept for fid in a.ids}:
        reason = "a fact given with --keep wins"
    elif recency_first:
        reason = "rule latest: the newest publication wins"
    elif len(c.sources) < len(sources):
        reason = "fewer independent sources"
    elif c.weight < sum(a.weight for a in kept):
        reason = "less support (sources, then wording, then recency)"
    else:
        reason = "setting it aside is the smallest change among equally supported choices"
    return f"set aside ({mine}) against {theirs}: {reason}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _years(facts: pd.DataFrame) -> range:
    """From the first year a within-year total (or the base of its growth) falls in, to the last year any fact
    reaches (a later milestone can bound the years after the last annual figure)."""
    within = facts[(facts["kind"] == "total") & (facts["period_start"].dt.year == facts["period_end"].dt.year)]
    if within.empty:
        return range(0)
    first = min(
        within["period_start"].dt.year.min(),
        within.loc[within["yoy_pct"].notna(), "period_start"].dt.year.min() - 1
        if within["yoy_pct"].notna().any()
        else np.inf,
    )
    return range(int(first), int(facts["period_end"].dt.year.max()) + 1)


def _annual_rows(system: GroupSystem, facts: pd.DataFrame) -> list[dict]:
    rows = []
    for year in _years(facts):
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        rows.append(_value_row(system, start, end, period_coef(system.months, start, end)))
    return rows


def _monthly_rows(system: GroupSystem) -> list[dict]:
    """Months whose total the facts pin down."""
    rows = []
    for month in _derivable_months(system):
        start, end = month.start_time, month.end_time.normalize()
        row = _value_row(system, start, end, period_coef(system.months, start, end))
        if "partial" not in row["flags"]:
            rows.append(row)
    return rows


def _ytd_rows(system: GroupSystem) -> list[dict]:
    """Year-to-date totals (1 January to the last day of a fact ending inside that year) that the facts bound from
    below: what each year had run by each date a fact speaks of (``ds`` is that date)."""
    rows = []
    ends = sorted({c.period[1] for c in system.kept if c.period[1] < c.period[1] + pd.offsets.YearEnd(0)})
    for end in ends:
        start = pd.Timestamp(end.year, 1, 1)
        row = _value_row(system, start, end, period_coef(system.months, start, end))
        if row["y_lo"] > 0:
            rows.append({**row, "ds": end})
    return rows


def _derivable_months(system: GroupSystem) -> list[pd.Period]:
    """Months that one bounded fact covers alone, or that two bounded facts differ by (Jan–Oct vs Jan–Nov):
    the only months whose total the facts can pin down, so the only ones worth two linear programmes."""
    bounded = {_key(c.coef): c.coef for c in system.kept if not c.is_growth and np.isfinite(c.hi)}
    whole = [coef for coef in bounded.values() if np.all(np.isin(np.round(coef, 9), (0.0, 1.0)))]
    found = {int(np.flatnonzero(coef)[0]) for coef in whole if np.count_nonzero(coef) == 1}
    supports = [set(np.flatnonzero(coef)) for coef in whole]
    for a in supports:
        for b in supports:
            if len(b) == len(a) + 1 and a < b:
                found |= b - a
    return [system.months[i] for i in sorted(found)]


def _value_row(system: GroupSystem, start: pd.Timestamp, end: pd.Timestamp, coef: np.ndarray) -> dict:
    """Interval, point value, sources and flags of one period's total."""
    lo, hi, sources = system.bounds(coef)
    stated = _stated_for(system.kept, coef)  # a period stated as "more than 700 to 7 March" is at least 700,
    if stated:  # whatever its part-month's day share — unless its facts only agree through that share's slack
        low = max(lo, *(c.lo * system.scale for c in stated))
        high = min(hi, *(c.hi * system.scale for c in stated))
        if low <= high:
            lo, hi = low, high
            sources |= {fid for c in stated for fid in c.ids}
    point, how, used = _point(system.kept, coef)
    if point is not None and how and "hedged" in how and not lo <= point * system.scale <= hi:
        point = None  # a hedge the other facts already exceed says nothing about the value
    flags = []
    if point is not None:
        y = float(np.clip(point * system.scale, lo, hi))
        flags += [how] if how else []
        sources |= used
    elif np.isfinite(hi) and hi - lo <= NARROW * max(hi, 1.0):
        y = (lo + hi) / 2
        flags.append("derived")
    else:
        y = np.nan
        flags.append("partial")
    if not np.isfinite(hi):
        flags.append("open")
    if any(
        np.any((c.coef > 0) & (coef > 0)) and c.period[1] - c.period[0] <= pd.Timedelta(days=366)
        for c in system.set_aside
    ):
        flags.append("conflict")
    return {
        "ds": start,
        "y": y,
        "y_lo": max(lo, 0.0),
        "y_hi": hi,
        "sources": ";".join(sorted(sources)),
        "flags": ";".join(flags),
    }


def _stated_for(kept: list[Constraint], coef: np.ndarray) -> list[Constraint]:
    """The level facts about exactly this period."""
    key = _key(coef)
    return [c for c in kept if not c.is_growth and _key(c.coef) == key]


_PRECISE = ("exact", "about")


def _point(kept: list[Constraint], coef: np.ndarray) -> tuple[float | None, str | None, set[str]]:
    """The best figure stated for exactly this period: direct precise, implied by growth, then hedged."""
    key = _key(coef)
    direct = [c for c in _stated_for(kept, coef) if c.nominal is not None]
    implied = [c for c in kept if c.is_growth and c.nominal is not None and _key(c.base) == key]
    tiers = (
        ([c for c in direct if c.qualifier in _PRECISE], None),
        ([c for c in implied if c.qualifier in _PRECISE], "implied"),
        ([c for c in direct if c.qualifier not in _PRECISE], "hedged"),
        ([c for c in implied if c.qualifier not in _PRECISE], "implied;hedged"),
    )
    for candidates, how in tiers:
        if candidates:
            best = min(candidates, key=lambda c: (c.unit if not c.is_growth else 0.0, -c.weight))
            return float(best.nominal), how, set(best.ids)
    return None, None, set()


def _key(coef: np.ndarray) -> bytes:
    """Hashable identity of a period's coefficient vector (equal periods, equal keys)."""
    return np.round(coef, 6).tobytes()
