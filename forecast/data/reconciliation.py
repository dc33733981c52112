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

This module finds the conflicts (step 1); :mod:`forecast.data.conflicts` says why each fact was set aside and
:mod:`forecast.data.periods` reads each period's interval and point value from the kept facts (steps 2 to 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from forecast.data.basis import split_bases
from forecast.data.conflicts import conflict_row
from forecast.data.constraints import Constraint, build_constraints, magnitude, month_grid, period_coef, spread
from forecast.data.periods import annual_rows, monthly_rows, ytd_rows
from forecast.data.schema import COUNT_METRICS, SERIES_KINDS
from forecast.errors import InputError

RULES = ("corroborated", "latest")
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
    """Annual and monthly series for every entity × metric × basis of ``observations`` (see module docstring),
    solved afresh; :meth:`forecast.data.vintage.Vintage.reconciliation` is the cached way every command takes."""
    check_choices(observations, rule, exclude, keep)
    groups = series_groups(split_bases(observations), exclude)
    found = [reconcile_group(rows, rule, frozenset(keep) & frozenset(rows["id"])) for rows in groups.values()]
    return assemble(found, observations)


def check_choices(observations: pd.DataFrame, rule: str, exclude=(), keep=()) -> None:
    """An unknown conflict rule, or a fact id to exclude or keep that is not among ``observations``, is an
    :class:`InputError`."""
    if rule not in RULES:
        raise InputError(f"unknown conflict rule {rule!r}; choose from {', '.join(RULES)}")
    unknown = (set(exclude) | set(keep)) - set(observations["id"])
    if unknown:
        raise InputError(f"unknown fact id(s) {', '.join(sorted(unknown))}")


def series_groups(facts: pd.DataFrame, exclude=()) -> dict[tuple[str, str, str], pd.DataFrame]:
    """The facts a series is reconciled from (counts; totals and cumulatives; not excluded), by (entity, metric,
    basis) in sorted order; ``facts`` already split by counting basis (:func:`forecast.data.basis.split_bases`)."""
    usable = facts[
        facts["metric"].isin(COUNT_METRICS) & facts["kind"].isin(SERIES_KINDS) & ~facts["id"].isin(set(exclude))
    ]
    return {key: rows for key, rows in usable.groupby(["entity", "metric", "basis"], sort=True)}


def reconcile_group(facts: pd.DataFrame, rule: str = "corroborated", keep=frozenset()) -> Group:
    """Reconcile the facts of one entity × metric × basis (see the module docstring)."""
    entity, metric, basis = (str(facts[c].iloc[0]) for c in ("entity", "metric", "basis"))
    uid = f"{entity}/{metric}/{basis}"
    system, found = _resolve(facts, rule == "latest", set(keep))
    ident = {"unique_id": uid, "entity": entity, "metric": metric, "basis": basis}
    series = [
        {**ident, "freq": freq, **r}
        for freq, rows in (
            ("annual", annual_rows(system, facts)),
            ("monthly", monthly_rows(system)),
            ("ytd", ytd_rows(system)),
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
        conflict_row(
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
