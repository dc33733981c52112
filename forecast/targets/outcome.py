"""A target's outcome, once published: decided from what every fact now allows for the period, on the target's own
counting basis (a "more than 1,800" settles "at least 1,000" but not "at least 2,500")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.vintage import ReconciledSeries
from forecast.targets.definitions import Target


@dataclass(frozen=True)
class Outcome:
    """The period's value where the facts give one, the interval they allow, the facts behind it, and whether
    every value in that interval meets the target (None: the facts allow both)."""

    value: float | None
    lo: float
    hi: float
    sources: str
    met: bool | None
    conflict: bool


def outcome(target: Target, series: ReconciledSeries) -> Outcome | None:
    """The outcome of ``target`` from ``series`` reconciled from every fact; None while nothing is known of it."""
    final = series.year_interval(target.year)
    base = series.year_interval(target.base_end.year) if target.kind == "growth" else None
    if final is None or (target.kind == "growth" and (base is None or base[0] <= 0)):
        return None
    lo, hi, flags = final
    point = series.annual.get(target.year)
    if base is not None:
        base_point = series.annual.get(target.base_end.year)
        lo, hi = 100.0 * (lo / base[1] - 1.0), 100.0 * (hi / base[0] - 1.0)
        point = None if point is None or base_point is None else 100.0 * (point / base_point - 1.0)
        flags = ";".join(f for f in (flags, base[2]) if f)
    sources = series.sources(target.year, target.base_end.year if base is not None else None)
    return Outcome(
        None if point is None else float(point),
        float(lo),
        float(hi),
        sources,
        decided(target.met_by, lo, hi),
        "conflict" in flags,
    )


def decided(comparison_met, lo: float, hi: float) -> bool | None:
    """Whether a target is met by every value in [lo, hi] (True), by none (False), or undecidable (None)."""
    at_lo, at_hi = bool(comparison_met(lo)), bool(comparison_met(hi if np.isfinite(hi) else 1e300))
    return at_lo if at_lo == at_hi else None


def outcome_label(point, lo, hi) -> str:
    """How a reconciled outcome reads: its value, else what the facts allow ("1,800 – 3,016", "≥ 5,063",
    "≤ 162"), else "" (nothing known)."""

    def known(v):
        return v is not None and not pd.isna(v)

    if known(point):
        return f"{point:,.0f}"
    bounded_below, bounded_above = known(lo) and lo > 0, known(hi) and np.isfinite(hi)
    if bounded_below and bounded_above:
        return f"{lo:,.0f} – {hi:,.0f}"
    if bounded_below or bounded_above:
        return f"≥ {lo:,.0f}" if bounded_below else f"≤ {hi:,.0f}"
    return ""
