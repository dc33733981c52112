"""Why a fact was set aside: how much it misses by, the kept facts it clashes with and which part of the rule
made them win (the ``conflicts`` rows of :mod:`forecast.data.reconciliation`)."""

from __future__ import annotations

import numpy as np

from forecast.data.constraints import Constraint


def conflict_row(
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
        "resolution": why_set_aside(c, opponents, recency_first, keep),
    }


def why_set_aside(c: Constraint, kept: list[Constraint], recency_first: bool, keep: set[str]) -> str:
    """One line on which side won a conflict and by which part of the rule (see :mod:`forecast.data.reconciliation`)."""
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
