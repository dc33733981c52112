"""The reconciled series a target check stands on: one entity × metric × basis reconciled by :mod:`forecast.data`
from the facts public on a date, so a target's history and outcome are the numbers ``forecast data show`` prints
(conflicting facts set aside, years implied by growth rates filled in, hedged years as intervals).

Reconciling one group takes 0.05–1.5 s; results are memoised by the exact set of facts, so checks on many dates
reconcile a group again only when a new fact about it has been published.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.reconciliation import reconcile


@dataclass(frozen=True)
class GroupSeries:
    """Reconciled annual and monthly totals of one series, with the year intervals and the facts set aside."""

    uid: str
    annual: pd.Series  # year → point value (years without one left out)
    years: pd.DataFrame  # index year: y, y_lo, y_hi, flags, sources (every year the facts touch)
    monthly: pd.Series  # month start → point value
    set_aside: frozenset[str]  # facts whose figure was set aside as conflicting
    growth_set_aside: frozenset[str] = frozenset()  # facts whose stated growth rate was

    def conflict_note(self) -> str | None:
        """One line naming what was set aside, or None."""
        parts = [*sorted(self.set_aside), *(f"{fid} (its growth rate)" for fid in sorted(self.growth_set_aside))]
        return f"set aside as conflicting: {', '.join(parts)} (see `forecast data conflicts`)" if parts else None

    def year_interval(self, year: int) -> tuple[float, float, str] | None:
        """(lowest, highest, flags) the facts allow for ``year``'s total, or None when no fact touches it."""
        if year not in self.years.index:
            return None
        row = self.years.loc[year]
        return float(row["y_lo"]), float(row["y_hi"]), str(row["flags"])

    def sources(self, *years: int | None) -> str:
        """The facts behind the given years' values and bounds (``;``-joined ids)."""
        ids = {fid for year in years if year in self.years.index for fid in str(self.years.loc[year, "sources"]).split(";")}
        return ";".join(sorted(ids - {""}))


EMPTY = GroupSeries("", pd.Series(dtype=float), pd.DataFrame(columns=["y", "y_lo", "y_hi", "flags", "sources"]),
                    pd.Series(dtype=float), frozenset())  # fmt: skip


def group_series(rows: pd.DataFrame, uid: str, memo: dict) -> GroupSeries:
    """Reconcile the facts ``rows`` (one entity, metric and basis; totals and cumulatives) into a
    :class:`GroupSeries`, reusing ``memo`` when the same facts were reconciled before."""
    usable = rows[rows["kind"].isin(("total", "cumulative"))]
    if usable.empty:
        return EMPTY
    key = (uid, tuple(sorted(usable["id"].astype(str))))
    if key not in memo:
        memo[key] = _reconciled(usable, uid)
    return memo[key]


def _reconciled(rows: pd.DataFrame, uid: str) -> GroupSeries:
    result = reconcile(rows)
    series = result.series
    annual = series[series["freq"] == "annual"]
    years = annual.assign(year=annual["ds"].dt.year).set_index("year")[["y", "y_lo", "y_hi", "flags", "sources"]]
    monthly = series[(series["freq"] == "monthly") & series["y"].notna()]
    # A fact can state a level and a growth rate; only a level set aside takes the figure itself out of use.
    set_aside = {fid for system in result.systems.values() for c in system.set_aside if not c.is_growth
                 for fid in c.ids}  # fmt: skip
    growth_set_aside = {fid for system in result.systems.values() for c in system.set_aside if c.is_growth
                        for fid in c.ids}  # fmt: skip
    return GroupSeries(
        uid=uid,
        annual=years["y"].dropna().astype(float),
        years=years,
        monthly=pd.Series(monthly["y"].to_numpy(dtype=float), index=pd.DatetimeIndex(monthly["ds"])).sort_index(),
        set_aside=frozenset(set_aside),
        growth_set_aside=frozenset(growth_set_aside),
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
