"""Coherent outlooks: the base outlooks of one metric and basis reconciled year by year, path by path.

For each year, the nodes are the structure's entities (their outlook's paths; a year the facts pin down is a
fixed value) and one "other / not itemised" node per sum, whose base paths are

- where the history pins the parent and all its parts: the parent's paths × the not-itemised share of those years
  (mean, spread at least :data:`GAP_SPREAD`), drawn independently of the rest;
- else vague: the size of the gap between the parent's paths and the sum of the parts', each shuffled
  (``|parent − Σ parts|``): never negative, as wide as all of them together, and as large as the base forecasts
  disagree — so a parent forecast below its known parts ends at the parts plus a spread of "other", not at a
  point mass on the parts' sum.

Floors: a node cannot end below what the facts say has run this year (:class:`Observed`), nor a path below what
its own months had run through the month of the latest fact about the year; a parent's floor is at least the sum
of its parts'. After the reconciliation (:func:`forecast.hierarchy.reconcile.reconcile`), only each outlook's
months after that month are scaled so they sum to the reconciled year again: months and years still agree, and
every fact the outlook was conditioned on (year-to-date figures, quarters, bounds) still holds on every path.

Before reconciling, each outlook's trajectories are put in rank order (:func:`in_rank_order`), so path i of a
parent and of its parts are coupled. A year where the linear projection would put a series at zero or at its
floor (nothing more to run this year) on more than :data:`ZEROED` of its paths, or cannot meet the sums above the
floors, is reconciled on the log scale instead
(:func:`forecast.hierarchy.reconcile.reconcile_relative`); a year where that fails too is left as forecast alone.
Each outlook's notes say which years took either way, and why.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.hierarchy.reconcile import reconcile, reconcile_relative, weights
from forecast.hierarchy.structure import Structure

if TYPE_CHECKING:  # the outlook package imports this module
    from forecast.outlook.result import Outlook

GAP_SPREAD = 0.05  # least spread of a not-itemised share learnt from a few years of history
NOTE = "reconciled with its hierarchy"  # begins the note a reconciled outlook carries (the report reads it)
MOVED_NOTE = 0.005  # a year's mean moving by less than this share goes unmentioned (here and in the report)
ZEROED = 0.01  # a reconciliation may put at most this share more of a series' paths at zero (or its floor)
NEAR_ZERO = 0.01  # "at zero or its floor": within this share of the series' median amount above the floor
GAP_TOLERANCE = 1e-6  # a reconciled year whose sums miss by more than this share of the parent is not used


@dataclass
class Coherent:
    """One metric and basis reconciled: per year the node names, base and coherent paths (paths × nodes) and the
    sums' constraint matrix; ``outlooks`` the entities' outlooks with coherent paths (by entity); ``relative``
    the years reconciled in proportion to each node's level because ``method`` would have driven a series to
    zero or its floor (:data:`ZEROED`), and ``left`` those left unreconciled because both would (with why)."""

    structure: Structure
    method: str
    nodes: dict[int, list[str]]
    base: dict[int, np.ndarray]
    paths: dict[int, np.ndarray]
    constraints: dict[int, np.ndarray]
    outlooks: dict[str, Outlook]
    left: dict[int, str] = dataclasses.field(default_factory=dict)
    relative: dict[int, str] = dataclasses.field(default_factory=dict)

    def frame(self, year: int, base: bool = False) -> pd.DataFrame:
        """The paths of ``year`` as a frame, one column per node."""
        return pd.DataFrame((self.base if base else self.paths)[year], columns=self.nodes[year])


def largest_gap(paths: np.ndarray, c: np.ndarray) -> float:
    """The largest |parent − Σ parts − other| of ``paths`` under the sums ``c``, relative to the parent."""
    if not len(c):
        return 0.0
    scale = np.maximum(np.abs(paths) @ np.maximum(c, 0).T, 1.0)
    return float(np.max(np.abs(paths @ c.T) / scale))


def cohere(
    outlooks: dict[str, Outlook], structure: Structure, vintage, method: str = "mint", seed: int = 0
) -> Coherent:
    """The outlooks (entity → base outlook, one metric and basis, one as-of date and path count) of the
    structure's entities reconciled (see the module docstring); entities without an outlook count where the
    ``vintage`` pins their years, and are left to the not-itemised nodes elsewhere."""
    present = {e: in_rank_order(o) for e, o in outlooks.items() if e in structure.entities}
    if not present:
        return Coherent(structure, method, {}, {}, {}, {}, {})
    n = next(iter(present.values())).n_paths
    years = sorted({int(y) for o in present.values() for y in o.years})
    pinned = {e: vintage.series(e, structure.metric, structure.basis).pinned for e in structure.entities}
    nodes_by, base_by, paths_by, c_by, left, relative = {}, {}, {}, {}, {}, {}
    new_annual = {e: o.annual.copy() for e, o in present.items()}
    for year in years:
        names, columns, floors, fixed = [], [], [], []
        for entity in structure.entities:
            view = present.get(entity)
            if view is not None and year in view.years:
                k = int(np.flatnonzero(view.years == year)[0])
                names.append(entity)
                columns.append(view.annual[:, k])
                floors.append(_floor(view, year, k))
                fixed.append(False)
            elif year in pinned[entity].index:
                names.append(entity)
                columns.append(np.full(n, float(pinned[entity][year])))
                floors.append(columns[-1])
                fixed.append(True)
        if not any(not f for f in fixed):
            continue
        index = {name: i for i, name in enumerate(names)}
        rng = np.random.default_rng([seed, year])
        for s in structure.sums:
            if s.parent not in index:
                continue
            parent = columns[index[s.parent]]
            parts = [columns[index[p]] for p in s.parts if p in index]
            hold = fixed[index[s.parent]] and len(parts) == len(s.parts) and all(fixed[index[p]] for p in s.parts)
            other = parent - sum(parts) if hold else _other_paths(structure, s, parent, parts, rng)
            names.append(s.other)
            index[s.other] = len(names) - 1
            columns.append(other)
            floors.append(np.minimum(0.0, other) if hold else np.zeros(n))
            fixed.append(hold)
        base = np.column_stack(columns)
        c = structure.constraints(names)
        floor = _lifted(np.column_stack(floors), c)
        w = weights(method, base, c)
        out = reconcile(base, c, w, floor, np.array(fixed))
        # where the linear projection crosses zero (or the floors leave it no coherent answer), move each node in
        # proportion to itself instead; where that fails too, leave the year as forecast alone
        if problem := _stuck(out, base, floor, index, present) or _gap_note(out, c):
            out = reconcile_relative(base, c, floor, np.array(fixed))
            if still := _stuck(out, base, floor, index, present) or _gap_note(out, c):
                left[year] = still
                continue
            relative[year] = problem
        nodes_by[year], base_by[year], paths_by[year], c_by[year] = names, base, out, c
        for entity, view in present.items():
            if year in view.years and entity in index:
                new_annual[entity][:, int(np.flatnonzero(view.years == year)[0])] = out[:, index[entity]]
    coherent = {e: _with_paths(o, new_annual[e], method, left, relative) for e, o in present.items()}
    return Coherent(structure, method, nodes_by, base_by, paths_by, c_by, coherent, left, relative)


def _gap_note(out: np.ndarray, c: np.ndarray) -> str:
    """Why ``out`` is not coherent (its largest gap between a sum and its parts, as a share of the parent's
    values), or empty when every sum holds to :data:`GAP_TOLERANCE`."""
    gap = largest_gap(out, c)
    return f"the floors leave no coherent paths (gap {100 * gap:.1f}%)" if gap > GAP_TOLERANCE else ""


def _stuck(out: np.ndarray, base: np.ndarray, floor: np.ndarray, index: dict[str, int], present: dict) -> str:
    """Which outlooks ``out`` puts at zero, or at their floor (nothing more to run this year), on more than
    :data:`ZEROED` of their paths beyond their base's share (as a phrase; empty when none). "At" is within
    :data:`NEAR_ZERO` of the series' median amount above the floor."""

    def stuck(values, j):
        near = NEAR_ZERO * np.median(np.abs(base[:, j] - floor[:, j]))
        return np.mean(values - floor[:, j] <= near)

    shares = {name: stuck(out[:, j], j) - stuck(base[:, j], j) for name, j in index.items() if name in present}
    return ", ".join(f"{name} at its floor on {100 * v:.0f}% of paths" for name, v in shares.items() if v > ZEROED)


def in_rank_order(view: Outlook) -> Outlook:
    """``view`` with its paths (whole trajectories, months and years together) in the order of their totals.

    Each outlook draws its paths on its own seed, so path i of a parent and path i of its parts are unrelated:
    independent parts, whose sums spread too little and which a path-by-path projection pulls far apart, to zero
    on many paths. Ordered by rank, path i of every node is its i-th smallest trajectory — a comonotone coupling
    (the empirical-copula reordering of probabilistic reconciliation, with the ranks of a common shock): every
    outlook keeps its own distribution, and the sums it is reconciled to see parts that move together."""
    order = np.argsort(view.annual.sum(axis=1), kind="stable")
    monthly = view.monthly[order] if view.monthly is not None else None
    return dataclasses.replace(view, annual=view.annual[order], monthly=monthly)


def _through_months(view: Outlook, year: int) -> int:
    """How many of ``year``'s months reach to the latest fact about it, the month it falls in included: the
    months reconciliation leaves as they are, so every fact (a pinned year-to-date figure, a bound, the exact
    figures before it) still holds on every path (0 when nothing about the year is known)."""
    seen = view.observed.get(year)
    if seen is None or view.monthly is None:
        return 0
    return seen.through.month


def _month_slice(view: Outlook, year: int) -> slice:
    start = int(np.flatnonzero(view.years == year)[0]) * 12
    return slice(start, start + 12)


def _floor(view: Outlook, year: int, k: int) -> np.ndarray:
    """Per path, the least the year can end at: what the facts say has run, and what the path's own months had
    run by then."""
    seen = view.observed.get(year)
    floor = np.full(view.n_paths, max(seen.lo, 0.0) if seen is not None else 0.0)
    done = _through_months(view, year)
    if done:
        months = view.monthly[:, _month_slice(view, year)]
        floor = np.maximum(floor, months[:, :done].sum(axis=1))
    return np.minimum(floor, view.annual[:, k])  # a base path below its floor keeps its value as the floor


def _other_paths(structure: Structure, s, parent, parts, rng) -> np.ndarray:
    """Base paths of the not-itemised node of ``s`` (see the module docstring)."""
    rows = structure.history[
        (structure.history["parent"] == s.parent)
        & (structure.history["family"] == s.family)
        & (structure.history["parts_known"] == len(s.parts))
    ]
    n = len(parent)
    if len(rows) and len(parts) == len(s.parts):
        share = float(np.clip(rows["gap_share"].mean(), 0.0, 1.0))
        spread = max(float(rows["gap_share"].std(ddof=0)) if len(rows) > 1 else 0.0, GAP_SPREAD)
        return rng.permutation(parent) * (share + spread * rng.standard_normal(n))
    return np.abs(rng.permutation(parent) - sum((rng.permutation(p) for p in parts), np.zeros(n)))


def _lifted(floor: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Floors with every parent's at least the sum of its parts' (and other's), up the structure."""
    floor = floor.copy()
    for _ in range(len(c)):
        changed = False
        for row in c:
            parent = int(np.flatnonzero(row > 0)[0])
            need = floor[:, row < 0].sum(axis=1)
            if (need > floor[:, parent]).any():
                floor[:, parent] = np.maximum(floor[:, parent], need)
                changed = True
        if not changed:
            break
    return floor


def _with_paths(
    view: Outlook, annual: np.ndarray, method: str, unreconciled: dict[int, str], relative: dict[int, str]
) -> Outlook:
    """``view`` with ``annual`` as its paths: the months after the observed date of each year scaled to match;
    its notes say which years of the outlook were reconciled in proportion to level, or left ``unreconciled``,
    and why."""
    monthly = view.monthly
    if monthly is not None:
        monthly = monthly.copy()
        for k, year in enumerate(view.years):
            cut = _month_slice(view, int(year))
            done = min(_through_months(view, int(year)), 11)  # a year run in full still takes a change in December
            months = monthly[:, cut]
            head = months[:, :done].sum(axis=1)
            tail = months[:, done:]
            left = np.maximum(annual[:, k] - head, 0.0)
            total = tail.sum(axis=1)
            even = np.full_like(tail, 1.0 / tail.shape[1])
            shares = np.where(total[:, None] > 0, tail / np.where(total > 0, total, 1.0)[:, None], even)
            months[:, done:] = shares * left[:, None]
            monthly[:, cut] = months
        annual = monthly.reshape(view.n_paths, len(view.years), 12).sum(axis=2)
    moved = annual.mean(axis=0) / np.where(view.annual.mean(axis=0) > 0, view.annual.mean(axis=0), 1.0) - 1
    notes = list(view.notes)
    shown = [f"{int(y)} {100 * m:+.0f}%" for y, m in zip(view.years, moved) if abs(m) >= MOVED_NOTE][:3]
    notes.append(f"{NOTE} ({method})" + (f": mean moved {', '.join(shown)}" if shown else ""))
    until = view.until or int(view.years[-1])
    years_shown = [int(y) for y in view.years if y <= until]
    if scaled := [f"{year} ({why} by {method})" for year, why in relative.items() if year in years_shown]:
        notes.append("reconciled in proportion to each series' level, not by a shift: " + "; ".join(scaled))
    if kept := [f"{year} ({why})" for year, why in unreconciled.items() if year in years_shown]:
        notes.append(
            "left as forecast alone, as no reconciliation kept every series above its floor: " + "; ".join(kept)
        )
    return dataclasses.replace(view, annual=annual, monthly=monthly, notes=notes)


def describe_sums(coherent: Coherent | None, entity: str) -> list[str]:
    """One line per sum ``entity`` is in, with the means of the year in progress (else the first reconciled year
    with the sum): ``xinjiang-ports = alashankou + khorgos + not itemised: 18,746 = 8,431 + 9,903 + 412 (2025)``."""
    if coherent is None or not coherent.outlooks:
        return []
    now = next(iter(coherent.outlooks.values())).as_of.year
    lines = []
    for s in coherent.structure.sums:
        if entity != s.parent and entity not in s.parts:
            continue
        years = [y for y, names in coherent.nodes.items() if s.parent in names and s.other in names]
        if not years:
            continue
        year = now if now in years else years[0]
        mean = coherent.frame(year).mean()
        names = [p for p in s.parts if p in mean.index]
        terms = " + ".join([*names, "not itemised"])
        values = " + ".join(f"{mean[p]:,.0f}" for p in [*names, s.other])
        line = f"{s.parent} = {terms}: {mean[s.parent]:,.0f} = {values} ({year})"
        missing = [p for p in s.parts if p not in names]
        lines.append(line + (f"; no figure for {', '.join(missing)} (in not itemised)" if missing else ""))
    return lines
