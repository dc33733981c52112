"""Facts → linear constraints on a group's monthly totals (one group = entity × metric × basis).

Unknowns are the totals of each calendar month of the group's span. A fact about any period is a linear
functional of them: a month counts with the share of its days the period covers (flow is taken as even within a
month). Facts become constraints by these documented conventions:

* **Rounding**: a stated number is rounded at its last non-zero digit but never coarser than two significant
  figures: 5,351 → ±0.5; 12,400 → ±50; 15,000 ("1.5 wan") → ±500; 900 → ±5.
* **Qualifiers**: ``exact`` = value ± rounding; the hedges (``more_than``, ``at_least``, ``nearly``, ``about``)
  as :mod:`forecast.data.hedges` reads them, measured on our own facts: "more than 5,700" lies between 5,700
  and 25 % above it, most likely near 5,800 (the *nominal* value a point estimate aims at), never an open bound.
* **Cumulative** figures are totals over their own period (launch → milestone), so two milestones give the
  total between them and a milestone with annual figures bounds the years before it. A milestone is a loose
  observation of a long sum, often on another basis: its band widens by :data:`MILESTONE_NOISE_PER_YEAR` of its
  value for each year it spans and :data:`MILESTONE_NOISE_PER_UNKNOWN_YEAR` for each year inside it that no
  total of the group speaks of, and it carries :data:`MILESTONE_STANDING` of a total's support, so it never
  outvotes a period total.
* **Growth**: ``yoy_pct`` g on a period P with value V says ``total(P) = (1 + g) · total(P − 1 year)``; g is
  taken as stated to within one unit of its last digit (press growth rates are often truncated: "+50 %" for
  50.8 %). The constraint is linear (a ratio band between two sums), so it also works for hedged values.
* **Days within a month**: a period that ends (or starts) inside a month takes that month's share of days, give
  or take 30 % of it (traffic is not even from day to day), so day-dated milestones do not clash spuriously.
* **Scale**: values are divided by a power of ten per group (USD figures are in billions) so the solver's
  tolerances mean the same for every metric; results are scaled back.
* **Support** (what a statement weighs when facts disagree, see :mod:`forecast.data.reconciliation`): one source
  per distinct statement — the same figure for the same period from several outlets is one release copied, so
  identical statements are one constraint that remembers every id and counts once — plus its wording (exact
  0.4, about 0.3, hedged 0.2: never as much as one more source), plus up to 0.01 for the most recent
  publication (a tie-break).
* A growth statement counts half a source less than a level statement (a rate is more often computed on
  another basis), so a level stated exactly outweighs a rate that disagrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from forecast.data.hedges import HEDGED, hedged_band

WORDING_WEIGHT = {"exact": 0.4, "about": 0.3, "more_than": 0.2, "at_least": 0.2, "nearly": 0.2}
"""What a statement's wording adds to its support: less than one more independent source ever does."""
RECENCY_WEIGHT = 0.01
PARTIAL_MONTH_SLACK = 0.30
MILESTONE_NOISE_PER_YEAR = 0.003
MILESTONE_NOISE_PER_UNKNOWN_YEAR = 0.02
MILESTONE_STANDING = 0.25
GROWTH_DISCOUNT = 0.5


@dataclass
class Constraint:
    """One (deduplicated) statement as a band on ``coef·x`` (level) or on ``coef·x / base·x`` (growth)."""

    ids: tuple[str, ...]
    coef: np.ndarray
    lo: float
    hi: float
    nominal: float | None
    qualifier: str
    unit: float
    weight: float
    period: tuple[pd.Timestamp, pd.Timestamp]
    base: np.ndarray | None = None
    label: str = ""
    sources: frozenset[str] = frozenset()

    @property
    def is_growth(self) -> bool:
        return self.base is not None

    @property
    def scale(self) -> float:
        """Typical size of the constrained quantity, so slacks of different facts compare as relative errors."""
        return max(abs(self.nominal or self.lo or 0.0), 1.0)


def spread(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest day shares a partly covered month may take (see ``PARTIAL_MONTH_SLACK``)."""
    partial = (vector > 0) & (vector < 1)
    low = np.where(partial, vector * (1 - PARTIAL_MONTH_SLACK), vector)
    high = np.where(partial, np.minimum(vector * (1 + PARTIAL_MONTH_SLACK), 1.0), vector)
    return low, high


def rounding_unit(text: str) -> float:
    """The unit a stated number is rounded to (see the module docstring)."""
    digits = str(text).replace(",", "").strip().lstrip("-")
    if "." in digits:
        return 10.0 ** -len(digits.split(".", 1)[1])
    digits = digits.lstrip("0")
    if not digits:
        return 1.0
    zeros = len(digits) - len(digits.rstrip("0"))
    return 10.0 ** min(zeros, max(len(digits) - 2, 0))


def growth_unit(text: str) -> float:
    """A growth rate is good to one unit of its last stated digit (in percent)."""
    digits = str(text).strip()
    return 10.0 ** -len(digits.split(".", 1)[1]) if "." in digits else 1.0


def month_grid(facts: pd.DataFrame) -> pd.PeriodIndex:
    """Every month of every calendar year the group's facts (and the year before each growth statement) touch."""
    starts = facts["period_start"].where(facts["yoy_pct"].isna(), facts["period_start"] - pd.DateOffset(years=1))
    return pd.period_range(f"{starts.min().year}-01", f"{facts['period_end'].max().year}-12", freq="M")


def period_coef(months: pd.PeriodIndex, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Share of each month's days inside [start, end] (both inclusive)."""
    first, last, days = _month_edges(str(months[0]), len(months))
    lo = np.maximum(first, np.datetime64(pd.Timestamp(start), "D"))
    hi = np.minimum(last, np.datetime64(pd.Timestamp(end), "D"))
    covered = np.clip((hi - lo).astype(float) + 1, 0, None)
    return covered / days


@lru_cache(maxsize=512)
def _month_edges(first: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First day, last day and length of ``n`` months from ``first`` (computed once per grid: hot path)."""
    starts = np.arange(np.datetime64(first, "M"), np.datetime64(first, "M") + n)
    first_days = starts.astype("datetime64[D]")
    last_days = (starts + 1).astype("datetime64[D]") - 1
    return first_days, last_days, (last_days - first_days).astype(float) + 1


def level_band(value: float, qualifier: str, unit: float, text: str | None = None) -> tuple[float, float, float]:
    """(lo, hi, nominal) for a value stated as ``text`` (its precision; default: ``value`` as written) under its
    qualifier."""
    if qualifier in HEDGED:
        return hedged_band(value, qualifier, text if text is not None else f"{value:g}", unit)
    return value - unit / 2, value + unit / 2, value


def milestone_noise(start: pd.Timestamp, end: pd.Timestamp, stated_years: set[int]) -> float:
    """The relative widening of a milestone over [start, end] (see "Cumulative" in the module docstring)."""
    years = range(start.year, end.year + 1)
    return MILESTONE_NOISE_PER_YEAR * len(years) + MILESTONE_NOISE_PER_UNKNOWN_YEAR * sum(
        y not in stated_years for y in years
    )


def stated_years(facts: pd.DataFrame) -> set[int]:
    """Years a within-year total of the group speaks of (and the year before each such total with a growth rate)."""
    within = facts[(facts["kind"] == "total") & (facts["period_start"].dt.year == facts["period_end"].dt.year)]
    years = set(within["period_start"].dt.year)
    return years | {y - 1 for y in within.loc[within["yoy_pct"].notna(), "period_start"].dt.year}


def magnitude(facts: pd.DataFrame) -> float:
    """The power of ten a group's values are divided by (see "Scale" in the module docstring)."""
    typical = float(facts["value"].abs().median()) if facts["value"].notna().any() else 1.0
    return 10.0 ** max(np.floor(np.log10(max(typical, 1.0))) - 3, 0)


def build_constraints(
    facts: pd.DataFrame, months: pd.PeriodIndex, scale: float = 1.0, recency_weight: bool = False
) -> list[Constraint]:
    """Level and growth constraints of one group's total/cumulative facts (values divided by ``scale``),
    identical statements merged."""
    keys = ["period_start", "period_end", "kind", "value_text", "qualifier", "yoy_text"]
    facts = facts.assign(yoy_text=facts["yoy_text"].fillna(""), value_text=facts["value_text"].fillna(""))
    recency = _recency(facts)
    known_years = stated_years(facts)
    out: list[Constraint] = []
    for key, group in facts.groupby(keys, sort=True, dropna=False):
        start, end, kind, value_text, qualifier, yoy_text = key
        ids = tuple(sorted(group["id"]))
        stated = f"{start.date()}..{end.date()} {kind} {value_text or '-'} {qualifier}"
        sources = frozenset({stated})  # copies of one release are one source
        newest = float(recency[group.index].max())
        support = 1.0 + WORDING_WEIGHT.get(qualifier, 0.2) + RECENCY_WEIGHT * newest
        if kind == "cumulative":
            support *= MILESTONE_STANDING

        def weight(support: float, newest: float = newest) -> float:
            return 1.0 + 100.0 * newest + 0.01 * support if recency_weight else support

        coef = period_coef(months, start, end)
        if value_text:
            value, unit = float(value_text.replace(",", "")) / scale, rounding_unit(value_text) / scale
            lo, hi, nominal = level_band(value, qualifier, unit, value_text)
            if kind == "cumulative":
                noise = milestone_noise(start, end, known_years) * value
                lo, hi = max(lo - noise, 0.0), hi + noise
            out.append(
                Constraint(
                    ids,
                    coef,
                    lo,
                    hi,
                    nominal,
                    qualifier,
                    unit,
                    weight(support),
                    (start, end),
                    label=stated,
                    sources=sources,
                )
            )
        if yoy_text and kind == "total":
            g, tol = float(yoy_text) / 100, growth_unit(yoy_text) / 100
            base = period_coef(months, start - pd.DateOffset(years=1), end - pd.DateOffset(years=1))
            nominal = float(value_text.replace(",", "")) / scale / (1 + g) if value_text else None
            out.append(
                Constraint(
                    ids,
                    coef,
                    1 + g - tol,
                    1 + g + tol,
                    nominal,
                    qualifier,
                    tol,
                    weight(support - GROWTH_DISCOUNT),
                    (start, end),
                    base=base,
                    label=f"{stated} {float(yoy_text):+g}%",
                    sources=sources,
                )
            )
    return out


def _recency(facts: pd.DataFrame) -> pd.Series:
    """Publication order within the group scaled to [0, 1] (period end stands in for a missing date)."""
    published = pd.to_datetime(facts["published"].fillna("").str.slice(0, 10), errors="coerce", format="mixed")
    stamp = published.fillna(facts["period_end"])
    ranks = stamp.rank(method="average")
    return (ranks - 1) / max(len(ranks) - 1, 1)
