"""How a year's total spreads over its months: a share profile learnt from past years where both the total and
a year-to-date sum are known, with its year-to-year spread, and monthly share paths drawn from it.

The share ``s`` run by year fraction ``t`` is modelled on the log-odds scale, ``u = logit(s) - logit(t)``
(0 = an even pace through the year; the scale keeps every share inside (0, 1) and shrinks to 1 as ``t`` → 1).
Each donor year gives one ``u`` near ``t`` (a kernel-weighted mean of that year's points); the profile at ``t`` is
the mean and spread of those yearly values, and a share drawn from it carries the year-to-year variation: a
Student-t with ``years - 1`` degrees of freedom scaled by ``sd * sqrt(1 + 1/years)`` (the predictive distribution
of one more year when mean and spread are both estimated from a handful of years).

Points come from the data layer: for every past year a vintage pins down, the year-to-date total up to each date a
fact about that year ends on, as far as the reconciled facts pin it (a stated Jan-Oct figure, a quarter plus the
months before it, a milestone after a known year). Donors, nearest first: the series itself, its parents, the
national series, then every series of the metric pooled; the first with :data:`MIN_YEARS` years near ``t`` is
used. A borrowed profile is at least as uncertain as the spread across every entity-year near ``t`` (measured
robustly): a hub's January is not the nation's January.

Monthly share paths (:meth:`MonthProfile.month_shares`): the cumulative share at each month end follows the
profile there, with one draw shared by the whole year (a year ahead of its usual pace in March tends to stay
ahead) plus a month-to-month part (AR(1) across month ends), so several facts about one year do not pin its total
down more than the history of such years warrants.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from forecast.data.vintage import ReconciledSeries, Vintage

BANDWIDTH = 0.15  # in year fractions: points within ~2 months weigh most
MIN_YEARS = 3
RECENCY = 0.5  # weight of a donor year relative to the year after it: the centre follows the latest years
FALLBACK_SD = 0.5  # log-odds spread when no donor has data: shares between ~t/2 and ~2t in odds terms
YTD_PINNED = 0.02  # a year-to-date sum counts as a share point when the facts pin it to 2%
SHARED = 0.5  # share of the year-to-year variance common to the whole year (the rest moves month to month)
MONTH_TO_MONTH = 0.8  # AR(1) correlation of the month-to-month part between consecutive month ends
MIN_MONTH_SHARE = 0.2 / 12  # no month runs less than a fifth of an even month in a drawn profile
MONTH_ENDS = np.arange(1, 12) / 12.0


@dataclass(frozen=True)
class Points:
    """Share points of one donor: per point its donor year (an integer code), year fraction ``t`` and ``u``."""

    year: np.ndarray
    t: np.ndarray
    u: np.ndarray

    def __len__(self) -> int:
        return len(self.u)

    def yearly_u(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """One kernel-weighted ``u`` per donor year having a point within two bandwidths of ``t``, and the
        years' codes (ascending)."""
        near = np.abs(self.t - t) <= 2 * BANDWIDTH
        if not near.any():
            return np.empty(0, int), np.empty(0)
        codes, year = np.unique(self.year[near], return_inverse=True)
        w = np.exp(-0.5 * ((self.t[near] - t) / BANDWIDTH) ** 2)
        return codes, np.bincount(year, w * self.u[near], len(codes)) / np.bincount(year, w, len(codes))

    @staticmethod
    def concat(parts: list["Points"]) -> "Points":
        """Several donors pooled, each of their years a separate donor year."""
        offset, years = 0, []
        for part in parts:
            years.append(part.year - (int(part.year.min()) if len(part) else 0) + offset)
            offset += int(np.ptp(part.year)) + 1 if len(part) else 0
        if not parts:
            return Points(np.empty(0, int), np.empty(0), np.empty(0))
        return Points(
            np.concatenate(years).astype(int),
            np.concatenate([p.t for p in parts]),
            np.concatenate([p.u for p in parts]),
        )


@dataclass(frozen=True)
class ShareProfile:
    """Share of the annual total run by year fraction ``t``, for one donor; ``recency`` weighs a donor year by
    RECENCY ** (years before the latest), for donors whose years are calendar years."""

    donor: str
    points: Points
    floor_sd: float = 0.0
    recency: bool = False

    def at(self, t: float) -> tuple[float, float, int]:
        """Centre and predictive scale of ``u`` at ``t``, and how many donor years back them: a weighted median,
        so one odd year (the 2020 surge, a total dated against the wrong year) does not move the profile every
        other year agrees on, and the standard deviation, so that such years still widen it — a year like them
        can come again (``benchmarks/README.md``, decisions log)."""
        codes, yearly = self.points.yearly_u(t)
        if len(yearly) == 0:
            return 0.0, max(FALLBACK_SD, self.floor_sd), 0
        n = len(yearly)
        weights = RECENCY ** (codes.max() - codes) if self.recency else np.ones(n)
        sd = max(float(np.std(yearly, ddof=1)) if n > 2 else FALLBACK_SD, self.floor_sd)  # how much a year differs
        return _weighted_median(yearly, weights), sd * float(np.sqrt(1.0 + 1.0 / n)), n


@dataclass(frozen=True)
class MonthProfile:
    """The cumulative share at each month end (January to November): mean and predictive scale of ``u``, the
    donor years behind them and the donor used at each."""

    mu: np.ndarray
    sd: np.ndarray
    years: np.ndarray
    donors: tuple[str, ...]

    def mean_share(self, t: float) -> float:
        """The typical share run by year fraction ``t`` (interpolated between month ends)."""
        grid = np.r_[0.0, MONTH_ENDS, 1.0]
        shares = np.r_[0.0, _share(MONTH_ENDS, self.mu), 1.0]
        return float(np.interp(t, grid, shares))

    def describe(self) -> str:
        """Which donors the profile comes from, e.g. ``national/trains/reported``."""
        return ", ".join(dict.fromkeys(self.donors))

    def month_shares(self, n_paths: int, n_years: int, rng: np.random.Generator) -> np.ndarray:
        """``(n_paths, 12 · n_years)`` monthly shares of ``n_years`` years, each year's twelve summing to 1 (see
        the module docstring)."""
        years = int(np.median(self.years))
        shape = (n_paths, n_years)
        common = rng.standard_t(years - 1, shape) if years > 1 else rng.standard_normal(shape)
        local = np.empty((*shape, len(MONTH_ENDS)))
        local[..., 0] = rng.standard_normal(shape)
        innovations = rng.standard_normal((*shape, len(MONTH_ENDS))) * np.sqrt(1 - MONTH_TO_MONTH**2)
        for k in range(1, len(MONTH_ENDS)):
            local[..., k] = MONTH_TO_MONTH * local[..., k - 1] + innovations[..., k]
        u = self.mu + self.sd * (np.sqrt(SHARED) * common[..., None] + np.sqrt(1 - SHARED) * local)
        edges = np.concatenate([np.zeros((*shape, 1)), _share(MONTH_ENDS, u), np.ones((*shape, 1))], axis=-1)
        shares = np.maximum(np.diff(np.maximum.accumulate(edges, axis=-1), axis=-1), MIN_MONTH_SHARE)
        return (shares / shares.sum(axis=-1, keepdims=True)).reshape(n_paths, 12 * n_years)


def donor_chain(series: ReconciledSeries) -> list[str]:
    """The series a profile may borrow from, nearest first: the entity's parents, then the nation (headline
    basis)."""
    from forecast.data.entities import lineage
    from forecast.data.schema import DEFAULT_BASIS
    from forecast.data.vintage import series_uid

    return [series_uid(p, series.metric, DEFAULT_BASIS) for p in [*lineage(series.entity), "national"]]


def year_fraction(day: pd.Timestamp) -> float:
    """Fraction of the calendar year elapsed at the end of ``day``."""
    day = pd.Timestamp(day)
    return day.dayofyear / (366.0 if day.is_leap_year else 365.0)


def share_points(series: ReconciledSeries) -> Points:
    """Every (year, t, u) of one series: a year-to-date total the facts pin down (to :data:`YTD_PINNED`, or to
    the unit for small counts) over its year's total, where the facts pin that year down."""
    ytd = series.ytd
    if ytd.empty:
        return Points(np.empty(0, int), np.empty(0), np.empty(0))
    lo, hi = ytd["y_lo"].astype(float), ytd["y_hi"].astype(float)
    ytd = ytd[np.isfinite(hi) & (hi - lo <= np.maximum(YTD_PINNED * hi, 1.0))]
    year = np.asarray(ytd.index.year, dtype=int)
    total = series.pinned.reindex(year).to_numpy(dtype=float)
    share = ((ytd["y_lo"] + ytd["y_hi"]) / 2).to_numpy(dtype=float) / total
    t = np.array([year_fraction(day) for day in ytd.index], dtype=float)
    keep = np.isfinite(share) & (share > 0) & (share < 1)
    return Points(year[keep], t[keep], _logit(share[keep]) - _logit(t[keep]))


class ProfileBook:
    """Share points of every series of a vintage, computed once each, and the donor profile of any series."""

    def __init__(self, vintage: Vintage, memo: dict):
        self.vintage = vintage
        self._memo = memo  # series key (uid + facts) → points, shared across vintages
        self._pooled: dict[str, tuple[Points, np.ndarray]] = {}

    def points(self, series: ReconciledSeries) -> Points:
        if series.key not in self._memo:
            self._memo[series.key] = share_points(series)
        return self._memo[series.key]

    def pooled(self, metric: str) -> tuple[Points, np.ndarray]:
        """Every series' points of ``metric`` (all counting bases) pooled, and their robust spread at each month
        end (the floor of a borrowed profile)."""
        if metric not in self._pooled:
            parts = [self.points(self.vintage.series(*key)) for key in self.vintage.keys(metrics=(metric,))]
            points = Points.concat(parts)
            floor = np.array(
                [_robust_sd(y) if len(y := points.yearly_u(t)[1]) > 2 else FALLBACK_SD for t in MONTH_ENDS]
            )
            self._pooled[metric] = points, floor
        return self._pooled[metric]

    def profile(self, series: ReconciledSeries, chain: list[str]) -> MonthProfile:
        """At each month end, the first donor of ``[series, *chain]`` (series ids, nearest first) with
        :data:`MIN_YEARS` years of shares near it, else every series of the metric pooled; a borrowed profile is
        at least as uncertain as the pooled spread there."""
        pooled, floor = self.pooled(series.metric)
        donors = [series] + [self.vintage.series(*uid.split("/")) for uid in chain if uid != series.uid]
        stats, names = [], []
        for k, t in enumerate(MONTH_ENDS):
            for donor in donors:
                own = ShareProfile(donor.uid, self.points(donor), 0.0 if donor is series else floor[k], recency=True)
                found = own.at(t)
                if found[2] >= MIN_YEARS:
                    break
            else:
                own = ShareProfile(f"all {series.metric} series" if len(pooled) else "even pace", pooled)
                found = own.at(t)
            stats.append(found)
            names.append(own.donor)
        mu, sd, years = (np.array(column) for column in zip(*stats))
        return MonthProfile(mu, sd, years, tuple(names))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The value below which half the weight lies (the plain median for equal weights)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    half = cumulative[-1] / 2
    k = int(np.searchsorted(cumulative, half))
    if np.isclose(cumulative[k], half) and k + 1 < len(order):  # an even split: the midpoint, as np.median
        return float((values[order[k]] + values[order[k + 1]]) / 2)
    return float(values[order[k]])


def _robust_sd(values: np.ndarray) -> float:
    """1.4826 × the median absolute deviation: the standard deviation of the bulk of the values."""
    return 1.4826 * float(np.median(np.abs(values - np.median(values))))


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _share(t, u):
    return expit(_logit(np.asarray(t, dtype=float)) + np.asarray(u, dtype=float))
