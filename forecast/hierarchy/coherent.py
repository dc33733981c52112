"""Coherent paths: the base paths of one metric and basis reconciled to its sums year by year, path by path.

For each year the caller gives the structure's entity nodes (:class:`YearNodes`): their base paths, their floors
(the least each path may end at) and which are fixed (a year the facts pin down). One "other / not itemised"
node per sum is added, whose base paths are

- where the history pins the parent and all its parts: the parent's paths × the not-itemised share of those years
  (mean, spread at least :data:`GAP_SPREAD`), drawn independently of the rest;
- else vague: the size of the gap between the parent's paths and the sum of the parts', each shuffled
  (``|parent − Σ parts|``): never negative, as wide as all of them together, and as large as the base forecasts
  disagree — so a parent forecast below its known parts ends at the parts plus a spread of "other", not at a
  point mass on the parts' sum.

A parent's floor is at least the sum of its parts'. Each year is reconciled by the method's bounded projection
(:func:`forecast.hierarchy.projection.reconcile_paths`); a year where that would put a series at zero or at its
floor (nothing more to run this year) on more than :data:`ZEROED` of its paths, or cannot meet the sums above the
floors (a :class:`Failure`), is reconciled on the log scale instead
(:func:`forecast.hierarchy.projection.reconcile_relative_paths`); a year where that fails too is left as forecast
alone. :class:`Way` says which, per year. :mod:`forecast.outlook.coherence` applies this to outlooks.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.hierarchy.projection import reconcile_paths, reconcile_relative_paths, weights
from forecast.hierarchy.structure import Structure

GAP_SPREAD = 0.05  # least spread of a not-itemised share learnt from a few years of history
ZEROED = 0.01  # a reconciliation may put at most this share more of a series' paths at zero (or its floor)
NEAR_ZERO = 0.01  # "at zero or its floor": within this share of the series' median amount above the floor
GAP_TOLERANCE = 1e-6  # a reconciled year whose sums miss by more than this share of the parent is not used


class Way(enum.Enum):
    """How a year was reconciled."""

    METHOD = "method"  # by the method's bounded projection
    RELATIVE = "relative"  # in proportion to each node's level: the projection failed
    LEFT = "left"  # left as forecast alone: the log-scale reconciliation failed too


@dataclass(frozen=True)
class Failure:
    """Why a reconciled year is not used: the series it puts at their floor on more than :data:`ZEROED` more of
    their paths than their base does (name → that share), else its largest gap between a sum and its parts (a
    share of the parent), above :data:`GAP_TOLERANCE`."""

    floored: dict[str, float]
    gap: float

    def __str__(self) -> str:
        if self.floored:
            return ", ".join(f"{name} at its floor on {100 * v:.0f}% of paths" for name, v in self.floored.items())
        return f"the floors leave no coherent paths (gap {100 * self.gap:.1f}%)"


@dataclass(frozen=True)
class YearNodes:
    """The entity nodes of one year, in the structure's order: names, base paths and floors (paths × nodes), and
    which are fixed (the facts pin the year: the same value on every path, its own floor)."""

    names: list[str]
    base: np.ndarray
    floor: np.ndarray
    fixed: np.ndarray


@dataclass
class CoherentPaths:
    """One metric and basis reconciled by ``method``: per year reconciled the node names (the entities, then one
    not-itemised node per sum), base and coherent paths (paths × nodes) and the sums' constraint matrix; ``ways``
    how each year was reconciled, and ``failures`` why a year was not reconciled by the method (the projection's
    failure for a relative year, the log scale's for a year left alone)."""

    structure: Structure
    method: str
    nodes: dict[int, list[str]] = field(default_factory=dict)
    base: dict[int, np.ndarray] = field(default_factory=dict)
    paths: dict[int, np.ndarray] = field(default_factory=dict)
    constraints: dict[int, np.ndarray] = field(default_factory=dict)
    ways: dict[int, Way] = field(default_factory=dict)
    failures: dict[int, Failure] = field(default_factory=dict)

    def frame(self, year: int, base: bool = False) -> pd.DataFrame:
        """The paths of ``year`` as a frame, one column per node."""
        return pd.DataFrame((self.base if base else self.paths)[year], columns=self.nodes[year])


def largest_gap(paths: np.ndarray, c: np.ndarray) -> float:
    """The largest |parent − Σ parts − other| of ``paths`` under the sums ``c``, relative to the parent."""
    if not len(c):
        return 0.0
    scale = np.maximum(np.abs(paths) @ np.maximum(c, 0).T, 1.0)
    return float(np.max(np.abs(paths @ c.T) / scale))


def cohere_paths(
    structure: Structure, years: dict[int, YearNodes], method: str = "mint", seed: int = 0
) -> CoherentPaths:
    """The entity nodes of each year (see :class:`YearNodes`) reconciled to the structure's sums (see the module
    docstring); a year whose nodes are all fixed is left out."""
    coherent = CoherentPaths(structure, method)
    for year, given in years.items():
        if given.fixed.all():
            continue
        n = given.base.shape[0]
        names, columns, floors, fixed = list(given.names), list(given.base.T), list(given.floor.T), list(given.fixed)
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
        series = np.flatnonzero(~given.fixed)  # the entities forecast this year: none may be driven to its floor
        out = reconcile_paths(base, c, weights(method, base, c), floor, np.array(fixed))
        way, failure = Way.METHOD, _failure(out, base, floor, c, names, series)
        # where the linear projection crosses zero (or the floors leave it no coherent answer), move each node in
        # proportion to itself instead; where that fails too, leave the year as forecast alone
        if failure is not None:
            out = reconcile_relative_paths(base, c, floor, np.array(fixed))
            way = Way.RELATIVE
            if (still := _failure(out, base, floor, c, names, series)) is not None:
                way, failure = Way.LEFT, still
            coherent.failures[year] = failure
        coherent.ways[year] = way
        if way is not Way.LEFT:
            coherent.nodes[year], coherent.paths[year] = names, out
            coherent.base[year], coherent.constraints[year] = base, c
    return coherent


def _failure(out, base, floor, c, names: list[str], series: np.ndarray) -> Failure | None:
    """Why ``out`` is not used (:class:`Failure`), or None: the ``series`` it puts at zero or at their floor on
    more than :data:`ZEROED` of their paths beyond their base's share ("at" is within :data:`NEAR_ZERO` of the
    series' median amount above the floor), and its largest gap between a sum and its parts."""

    def stuck(values, j):
        near = NEAR_ZERO * np.median(np.abs(base[:, j] - floor[:, j]))
        return np.mean(values - floor[:, j] <= near)

    shares = {names[j]: stuck(out[:, j], j) - stuck(base[:, j], j) for j in series}
    floored = {name: v for name, v in shares.items() if v > ZEROED}
    gap = largest_gap(out, c)
    return Failure(floored, gap) if floored or gap > GAP_TOLERANCE else None


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


def describe_sums(coherent: CoherentPaths, entity: str, year: int) -> list[str]:
    """One line per sum ``entity`` is in, with the means of ``year`` (the year in progress; else the first
    reconciled year with the sum): ``xinjiang-ports = alashankou + khorgos + not itemised: 18,746 = 8,431 + 9,903 +
    412 (2025)``."""
    lines = []
    for s in coherent.structure.sums:
        if entity != s.parent and entity not in s.parts:
            continue
        years = [y for y, names in coherent.nodes.items() if s.parent in names and s.other in names]
        if not years:
            continue
        shown = year if year in years else years[0]
        mean = coherent.frame(shown).mean()
        names = [p for p in s.parts if p in mean.index]
        terms = " + ".join([*names, "not itemised"])
        values = " + ".join(f"{mean[p]:,.0f}" for p in [*names, s.other])
        line = f"{s.parent} = {terms}: {mean[s.parent]:,.0f} = {values} ({shown})"
        missing = [p for p in s.parts if p not in names]
        lines.append(line + (f"; no figure for {', '.join(missing)} (in not itemised)" if missing else ""))
    return lines
