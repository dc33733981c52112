"""Coherent outlooks: the base outlooks of one metric and basis reconciled with the catalogue's sums
(:mod:`forecast.hierarchy.coherent`, on their paths), and each outlook given its reconciled years back.

Before reconciling, each outlook's trajectories are put in rank order (:func:`in_rank_order`), so path i of a
parent and of its parts are coupled. Each outlook gives, per year, its paths and their floors: a year cannot end
below what the facts say has run (:class:`~forecast.outlook.result.Observed`), nor a path below what its own
months had run through the month of the latest fact about the year; an entity without an outlook counts where the
facts pin its year (a fixed node) and is left to the not-itemised nodes elsewhere. After the reconciliation, only
each outlook's months after that month are scaled so they sum to the reconciled year again: months and years
still agree, and every fact the outlook was conditioned on (year-to-date figures, quarters, bounds) still holds on
every path. The outlook's :attr:`~forecast.outlook.result.Outlook.reconciled` says how each of its years was
reconciled; its notes say so in words, and why a year was reconciled in proportion to level or left alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from forecast.hierarchy.coherent import CoherentPaths, Way, YearNodes, cohere_paths
from forecast.hierarchy.structure import Structure
from forecast.outlook.result import Outlook, Reconciled

NOTE = "reconciled with its hierarchy"  # begins the note a reconciled outlook carries
MOVED_NOTE = 0.005  # a year's mean moving by less than this share goes unmentioned (here and in the report)


@dataclass(frozen=True)
class CoherentOutlooks:
    """One metric and basis reconciled: the coherent paths of its sums (``paths``) and the entities' outlooks
    carrying them (by entity)."""

    paths: CoherentPaths
    outlooks: dict[str, Outlook]


def cohere(
    outlooks: dict[str, Outlook], structure: Structure, vintage, method: str = "mint", seed: int = 0
) -> CoherentOutlooks:
    """The outlooks (entity → base outlook, one metric and basis, one as-of date and path count) of the
    structure's entities reconciled (see the module docstring); entities without an outlook count where the
    ``vintage`` pins their years."""
    present = {e: in_rank_order(o) for e, o in outlooks.items() if e in structure.entities}
    if not present:
        return CoherentOutlooks(CoherentPaths(structure, method), {})
    n = next(iter(present.values())).n_paths
    pinned = {e: vintage.series(e, structure.metric, structure.basis).pinned for e in structure.entities}
    years = sorted({int(y) for o in present.values() for y in o.years})
    nodes = {year: _year_nodes(structure, present, pinned, year, n) for year in years}
    coherent = cohere_paths(structure, nodes, method, seed)
    return CoherentOutlooks(coherent, {e: _with_paths(o, e, coherent) for e, o in present.items()})


def _year_nodes(structure: Structure, present: dict[str, Outlook], pinned: dict, year: int, n: int) -> YearNodes:
    """The entity nodes of ``year``: each outlook's paths and floors, else the value the facts pin (fixed)."""
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
    return YearNodes(names, np.column_stack(columns), np.column_stack(floors), np.array(fixed))


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


def _with_paths(view: Outlook, entity: str, coherent: CoherentPaths) -> Outlook:
    """``view`` with its reconciled years' paths from ``coherent``: the months after the observed date of each
    year scaled to match; :attr:`~Outlook.reconciled` says how each year was reconciled, and its notes which
    years were reconciled in proportion to level, or left as forecast alone, and why."""
    annual = view.annual.copy()
    for k, year in enumerate(view.years):
        if int(year) in coherent.nodes:
            annual[:, k] = coherent.paths[int(year)][:, coherent.nodes[int(year)].index(entity)]
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
    method = coherent.method
    moved = annual.mean(axis=0) / np.where(view.annual.mean(axis=0) > 0, view.annual.mean(axis=0), 1.0) - 1
    notes = list(view.notes)
    shown = [f"{int(y)} {100 * m:+.0f}%" for y, m in zip(view.years, moved) if abs(m) >= MOVED_NOTE][:3]
    notes.append(f"{NOTE} ({method})" + (f": mean moved {', '.join(shown)}" if shown else ""))
    until = view.until or int(view.years[-1])
    ways = {int(y): coherent.ways[int(y)] for y in view.years}
    why = {year: coherent.failures[year] for year, way in ways.items() if way is not Way.METHOD and year <= until}
    if scaled := [f"{year} ({fail} by {method})" for year, fail in why.items() if ways[year] is Way.RELATIVE]:
        notes.append("reconciled in proportion to each series' level, not by a shift: " + "; ".join(scaled))
    if kept := [f"{year} ({fail})" for year, fail in why.items() if ways[year] is Way.LEFT]:
        notes.append(
            "left as forecast alone, as no reconciliation kept every series above its floor: " + "; ".join(kept)
        )
    reconciled = Reconciled(method, ways)
    return dataclasses.replace(view, annual=annual, monthly=monthly, notes=notes, reconciled=reconciled)
