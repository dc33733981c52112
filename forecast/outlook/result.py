"""An outlook: sample paths of one series' annual (and monthly) totals from an as-of date, and what they rest on.

Every number a user sees about a series — a chart's band, ``forecast predict --entity``, a target's probability —
is read from these paths: means, intervals and exceedance probabilities are summaries of the same array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.data.vintage import ReconciledSeries
from forecast.defaults import LEVELS
from forecast.hierarchy.coherent import Way

IN_PROGRESS, FORECAST, UNPUBLISHED = "in progress", "forecast", "not yet published"


@dataclass(frozen=True)
class Observed:
    """What the facts say a year has run by ``through``: a value pinned to [lo, hi], or only a lower bound; and
    the latest figure they pin down exactly (``exact``: value and date), which may be earlier."""

    lo: float
    hi: float
    through: pd.Timestamp
    pinned: bool
    sources: str
    exact: tuple[float, pd.Timestamp] | None = None

    @property
    def value(self) -> float:
        """The figure to quote: the middle of a pinned interval, else the bound."""
        return (self.lo + self.hi) / 2 if self.pinned else self.lo

    def short(self) -> str:
        """``4,250 to 31 Mar``, or ``≥ 7,295 to 10 Jun (4,250 to 31 Mar)``: for a table cell."""
        if self.pinned:
            return f"{self.value:,.0f} to {self.through:%d %b}"
        exact = f" ({self.exact[0]:,.0f} to {self.exact[1]:%d %b})" if self.exact else ""
        return f"≥ {self.lo:,.0f} to {self.through:%d %b}{exact}"

    def describe(self) -> str:
        """``4,250 through 2025-03-31``, or ``≥ 7,295 through 2025-06-10 (4,250 through 2025-03-31)``."""
        if self.pinned:
            return f"{self.value:,.0f} through {self.through.date()}"
        exact = f" ({self.exact[0]:,.0f} through {self.exact[1].date()})" if self.exact else ""
        return f"≥ {self.lo:,.0f} through {self.through.date()}{exact}"


@dataclass(frozen=True)
class Reconciled:
    """How an outlook was made coherent with the catalogue's sums (:mod:`forecast.outlook.coherence`): by
    ``method``, and how each of its years was reconciled (``ways``: by the method, in proportion to level, or left
    as forecast alone)."""

    method: str
    ways: dict[int, Way]


@dataclass
class Outlook:
    """Paths of one series from ``as_of``: ``annual`` (n_paths × years) and, where the series has sub-annual
    facts, ``monthly`` (n_paths × months, summing to ``annual`` year by year)."""

    series: ReconciledSeries
    as_of: pd.Timestamp
    model: str
    used: str
    method: str
    years: np.ndarray
    annual: np.ndarray
    months: pd.PeriodIndex | None
    monthly: np.ndarray | None
    observed: dict[int, Observed]
    prior_mean: np.ndarray
    notes: list[str] = field(default_factory=list)
    sources: tuple[str, ...] = ()
    seed: int = 0
    until: int | None = None  # the last year shown by the tables (paths may run further)
    reconciled: Reconciled | None = None  # None: the series alone, reconciled with no sum

    @property
    def uid(self) -> str:
        return self.series.uid

    @property
    def n_paths(self) -> int:
        return self.annual.shape[0]

    @property
    def last_known_year(self) -> int | None:
        """The latest year the facts pin down (None when no year is known in full)."""
        pinned = self.series.pinned
        return int(pinned.index.max()) if len(pinned) else None

    def status(self, year: int) -> str:
        """``in progress`` (the as-of year), ``forecast`` (later) or ``not yet published`` (over, total unknown)."""
        return IN_PROGRESS if year == self.as_of.year else FORECAST if year > self.as_of.year else UNPUBLISHED

    def year_paths(self, year: int) -> np.ndarray | None:
        """One total of ``year`` per path: the outlook's for its years; a pinned past year within what the facts
        allow for it, half the paths on either side of its value (a hedged "more than 4,900" read at 4,983 keeps
        its reading's spread: 4,900 .. 6,125); a past year the facts only bound drawn evenly between the bounds;
        None when nothing known can produce it."""
        if year in self.years:
            return self.annual[:, int(np.flatnonzero(self.years == year)[0])]
        rng = np.random.default_rng(self.seed + year)
        bounds = self.series.year_interval(year)
        if year in self.series.pinned.index:
            value, (lo, hi) = float(self.series.pinned[year]), bounds[:2]
            below = rng.random(self.n_paths) < 0.5
            return np.where(
                below,
                rng.uniform(min(lo, value), value, self.n_paths),
                rng.uniform(value, max(hi, value), self.n_paths),
            )
        if bounds is not None and np.isfinite(bounds[1]) and bounds[1] > bounds[0]:
            return rng.uniform(bounds[0], bounds[1], self.n_paths)
        return None

    @property
    def shown(self) -> np.ndarray:
        """The outlook years the tables show (up to :attr:`until`)."""
        return self.years if self.until is None else self.years[self.years <= max(self.until, self.years[0])]

    def table(self, levels=LEVELS) -> pd.DataFrame:
        """One row per shown year: status, observed so far, mean, median and central intervals."""
        years = self.shown
        return _summary(
            self.uid,
            self.used,
            [pd.Timestamp(int(y), 1, 1) for y in years],
            self.annual[:, : len(years)],
            levels,
            status=[self.status(int(y)) for y in years],
            observed=[self.observed.get(int(y)) for y in years],
        )

    def monthly_table(self, levels=LEVELS) -> pd.DataFrame:
        """One row per month of the shown years (empty when the series has no sub-annual facts)."""
        if self.monthly is None:
            return _summary(self.uid, self.used, [], np.empty((self.n_paths, 0)), levels)
        n = 12 * len(self.shown)
        return _summary(self.uid, self.used, list(self.months[:n].to_timestamp()), self.monthly[:, :n], levels)


def _summary(uid, used, ds, paths, levels, status=None, observed=None) -> pd.DataFrame:
    frame = {"unique_id": uid, "ds": pd.DatetimeIndex(ds), "model": used}
    if status is not None:
        frame["status"] = status
        frame["observed"] = [o.value if o else np.nan for o in observed]
        frame["observed_pinned"] = [o.pinned if o else None for o in observed]
        frame["observed_through"] = pd.DatetimeIndex([o.through if o else pd.NaT for o in observed])
    frame["mean"], frame["median"] = paths.mean(axis=0), np.median(paths, axis=0)
    for level in levels:
        tail = (100 - level) / 200
        frame[f"lo_{level:g}"], frame[f"hi_{level:g}"] = np.quantile(paths, [tail, 1 - tail], axis=0)
    return pd.DataFrame(frame)
