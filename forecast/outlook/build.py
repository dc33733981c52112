"""Build the outlook of one series from the facts known on an as-of date.

1. **Origin**: the as-of date. The outlook covers every year after the last one the facts pin down — years
   over but not yet published, the year in progress, and the years after — so an old series forecasts its missing
   years too, with the widening that implies.
2. **Annual prior** (:mod:`forecast.outlook.prior`): the model (or pooled growth for short histories) on the
   latest run of pinned years.
3. **Latent monthly flows**: each prior year spread over its months by share paths from the series' own profile
   or a donor's (:mod:`forecast.outlook.profile`); monthly prior paths = annual path × monthly shares.
4. **Every fact is an observation of a sum of them** (:mod:`forecast.outlook.observations`): months, quarters,
   year-to-date totals, years, milestones since launch, growth over last year; bounds as bounds, the reconciled
   intervals as observation noise. The monthly paths are conditioned on them (:mod:`forecast.outlook.conditioning`)
   and the annual paths are their sums, so months and years always agree.

Why not a full state-space model over the whole history: the series grow from a few trains to thousands with
regime changes; their annual dynamics are what the backtested, calibrated annual models capture, while sub-annual
facts are sparse, irregular sums. Splitting the two — annual prior, then linear-Gaussian conditioning of latent
months on the sums (the update a Kalman smoother with a cumulator state would make, with the ensemble's covariance)
— keeps each part testable against a reference and lets an annual-only series reduce exactly to its annual model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.vintage import ReconciledSeries, Vintage
from forecast.errors import InputError
from forecast.fitting import series_seed
from forecast.outlook.conditioning import condition_years
from forecast.outlook.growth import GrowthPool
from forecast.outlook.observations import outlook_bands
from forecast.outlook.prior import annual_prior
from forecast.outlook.profile import YTD_PINNED, ProfileBook, donor_chain, year_fraction
from forecast.outlook.result import Observed, Outlook

STALE_YEARS = 2  # a series whose latest known year ended more than two years before the as-of date is stale ...
UNSUPPORTED_WIDTH = 3.0  # ... and one whose year in progress, unobserved, spans more than 3x (80%) says too little


class NoOutlook(InputError):
    """The facts known on the date cannot support an outlook of the series (the message says why); the latest
    year the facts give a value for, and that value, when there is one."""

    def __init__(self, message: str, latest: tuple[int, float] | None = None, stale: bool = False):
        super().__init__(message)
        self.latest, self.stale = latest, stale

    def __reduce__(self):  # from worker processes with all it says, not the message alone
        return type(self), (str(self), self.latest, self.stale)


def latest_known(series: ReconciledSeries) -> tuple[int, float] | None:
    """(year, value) of the latest year the facts give a value for, or None."""
    annual = series.annual
    return (int(annual.index.max()), float(annual.iloc[-1])) if len(annual) else None


def speaks_of(series: ReconciledSeries, year: int) -> bool:
    """Whether a kept fact is about a period within ``year`` (a milestone since launch is not)."""
    return any(c.period[0].year == year for c in series.system.kept)


def unsupported_reason(annual: np.ndarray, years: np.ndarray, series: ReconciledSeries, as_of) -> str | None:
    """Why the outlook of the year in progress says too little to publish — nothing is known about the year
    and its central 80% spans more than :data:`UNSUPPORTED_WIDTH` times its low end — or None."""
    if as_of.year not in years or speaks_of(series, as_of.year):
        return None
    lo, hi = np.quantile(annual[:, int(np.flatnonzero(years == as_of.year)[0])], [0.1, 0.9])
    if hi <= UNSUPPORTED_WIDTH * max(lo, 0.0) and lo > 0:
        return None
    return (
        f"{series.uid}: nothing is known about {as_of.year} and the facts leave its total anywhere from "
        f"{lo:,.0f} to {hi:,.0f} (80%): too uncertain to publish an outlook"
    )


def stale_reason(series: ReconciledSeries, as_of: pd.Timestamp) -> str | None:
    """Why ``series`` is *stale* on ``as_of`` — its latest known year (one the facts give a total for) ended more
    than :data:`STALE_YEARS` years before, and no fact about a period within the year in progress is known — or
    None. A stale series has no outlook: its last known figure is the honest answer (partial figures of the years
    between do not make a decade-old history a base for this year's total)."""
    if speaks_of(series, as_of.year):
        return None
    last = latest_known(series)
    last_year = last[0] if last else int(series.years.index.max())
    if pd.Timestamp(last_year, 12, 31) >= as_of - pd.DateOffset(years=STALE_YEARS):
        return None
    known = f"was last known at {last[1]:,.0f} in {last[0]}" if last else "has no year known in full"
    return (
        f"stale: {series.uid} {known}, more than {STALE_YEARS} years before {as_of.date()}, and nothing is "
        f"known about {as_of.year}, so no outlook is published"
    )


def build_outlook(
    series: ReconciledSeries,
    vintage: Vintage,
    model: str,
    n_years: int,
    n_paths: int,
    seed: int,
    pool: GrowthPool,
    profiles: ProfileBook,
) -> Outlook:
    """The outlook of ``series`` as ``vintage`` knows it (see the module docstring)."""
    if series.empty or series.years.empty:
        raise NoOutlook(
            f"no {series.metric} total of {series.entity} over a year or part of one is known on {vintage.as_of.date()}"
        )
    as_of = vintage.as_of
    if reason := stale_reason(series, as_of):
        raise NoOutlook(reason, latest_known(series), stale=True)
    history = series.history()
    first = int(history.index.max()) + 1 if len(history) else int(series.years.index.min())
    last = max(as_of.year + n_years - 1, first)
    years = np.arange(first, last + 1)
    months = pd.period_range(f"{first}-01", f"{last}-12", freq="M")
    base_seed = series_seed(seed, series.uid, model)
    rng = np.random.default_rng(base_seed + 1)
    profile = profiles.profile(series, donor_chain(series))
    observed = {int(y): o for y in years if (o := observed_by(series, int(y))) is not None}
    level = _vague_level(observed, years, profile) if len(history) == 0 else None
    try:
        prior = annual_prior(history, years, series.entity, series.metric, model, pool, n_paths, base_seed, rng, level)
    except InputError as err:
        raise NoOutlook(f"{series.uid}: {err}", latest_known(series)) from None
    shares = profile.month_shares(n_paths, len(years), rng)
    bands = outlook_bands(series, months)
    conditioned = condition_years(prior.paths, shares, bands, rng)
    monthly = conditioned.paths
    annual = monthly.reshape(n_paths, len(years), 12).sum(axis=2)
    if reason := unsupported_reason(annual, years, series, as_of):
        raise NoOutlook(reason, latest_known(series))
    notes = list(prior.notes)
    if note := series.conflict_note():
        notes.append(note)
    if len(history) and history.index.max() < as_of.year - 1:
        gap = as_of.year - 1 - int(history.index.max())
        notes.append(
            f"latest full year known: {int(history.index.max())}; {gap} later year(s) not yet published "
            f"are forecast too"
        )
    if bands:
        notes.append(
            f"{len(bands)} fact(s) about {years[0]}–{years[-1]} condition the paths; monthly profile from "
            f"{profile.describe()}"
        )
    if conditioned.set_aside:
        notes.append("bound(s) the other facts leave no room for, set aside: " + "; ".join(conditioned.set_aside))
    sub_annual = _has_sub_annual(series)
    return Outlook(
        series=series,
        as_of=as_of,
        model=model,
        used=prior.used,
        method=prior.method + (f"; conditioned on {len(bands)} fact(s)" if bands else ""),
        years=years,
        annual=annual,
        months=months if sub_annual else None,
        monthly=monthly if sub_annual else None,
        observed=observed,
        prior_mean=prior.paths.mean(axis=0),
        notes=notes,
        sources=tuple(sorted({i for b in bands for i in b.ids})),
        seed=base_seed,
    )


def observed_by(series: ReconciledSeries, year: int) -> Observed | None:
    """The furthest date in ``year`` up to which the facts bound what ran since 1 January: pinned when they give a
    value (to :data:`YTD_PINNED`), else a lower bound; without such a date, a bound on the whole year (as of 31
    December). None when no fact bounds any part of the year from below."""
    ytd = series.ytd[series.ytd.index.year == year]
    rows = [(day, float(r.y_lo), float(r.y_hi), str(r.sources)) for day, r in ytd.iterrows()]
    whole = series.year_interval(year)
    if not rows and whole is not None and whole[0] > 0:
        rows.append((pd.Timestamp(year, 12, 31), whole[0], whole[1], series.sources(year)))
    if not rows:
        return None

    def pinned(lo, hi):  # to 2%, or to the unit for small counts ("32 trains" is 31.5-32.5)
        return bool(np.isfinite(hi) and hi - lo <= max(YTD_PINNED * hi, 1.0))

    day, lo, hi, sources = max(rows, key=lambda r: (r[0], r[1]))
    exact = [((r[1] + r[2]) / 2, r[0]) for r in rows if pinned(r[1], r[2])]
    return Observed(lo, hi, day, pinned(lo, hi), sources, max(exact, key=lambda e: e[1]) if exact else None)


def _vague_level(observed: dict[int, Observed], years: np.ndarray, profile) -> float | None:
    """A rough size of the first year for a series with no year known in full: what the earliest year with a date
    the facts pin down had run by the furthest such date, scaled up by the profile's typical share there (None
    without such a date: a level guessed from bounds alone would let the guess, not the facts, decide)."""
    first = next((observed[int(y)] for y in years if int(y) in observed and observed[int(y)].exact), None)
    if first is None:
        return None
    value, day = first.exact
    return value / max(profile.mean_share(year_fraction(day)), 1e-3)


def _has_sub_annual(series: ReconciledSeries) -> bool:
    """Whether any kept fact covers part of a year (a month, a quarter, a year-to-date, a milestone)."""
    return (
        any(
            not (c.period[0].month == 1 and c.period[0].day == 1 and c.period[1].month == 12 and c.period[1].day == 31)
            for c in series.system.kept
        )
        if series.system
        else False
    )
