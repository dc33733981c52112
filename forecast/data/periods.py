"""A period's total as the kept facts allow it: the interval, the point value, the sources and the flags of each
year, pinned month and year to date (steps 2 to 4 of :mod:`forecast.data.reconciliation`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from forecast.data.constraints import Constraint, period_coef

if TYPE_CHECKING:  # the reconciliation imports this module
    from forecast.data.reconciliation import GroupSystem

NARROW = 0.05  # an interval narrower than 5 % of its top gives a derived point value


def years_spanned(facts: pd.DataFrame) -> range:
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


def annual_rows(system: GroupSystem, facts: pd.DataFrame) -> list[dict]:
    rows = []
    for year in years_spanned(facts):
        start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
        rows.append(_value_row(system, start, end, period_coef(system.months, start, end)))
    return rows


def monthly_rows(system: GroupSystem) -> list[dict]:
    """Months whose total the facts pin down."""
    rows = []
    for month in _derivable_months(system):
        start, end = month.start_time, month.end_time.normalize()
        row = _value_row(system, start, end, period_coef(system.months, start, end))
        if "partial" not in row["flags"]:
            rows.append(row)
    return rows


def ytd_rows(system: GroupSystem) -> list[dict]:
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
