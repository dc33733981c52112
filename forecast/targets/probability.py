"""The probability that a target is met, from sample paths of the entity's series known on ``as_of``.

The series are the reconciled ones (:mod:`forecast.targets.series`: conflicting facts set aside, years implied
by growth rates filled in). A year's outcome per path is: the reconciled full-year total if already known; else
year-to-date + simulated remainder when a YTD figure is known (:mod:`forecast.targets.ytd`); else the model's
path summed over the period (monthly series) or the year's step (annual series). A growth target compares two such totals from the
same paths, so a base year that is itself uncertain moves jointly with the target year. The probability is the
share of paths meeting the target; nothing published after ``as_of`` is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.limits import check_samples
from forecast.models.registry import available_models
from forecast.predict import SELECTED, forecast_array, series_seed
from forecast.targets import facts as F
from forecast.targets.definitions import Target, series_uid
from forecast.targets.runrate import RunRate, run_rate
from forecast.targets.seasonal_profile import ShareProfile, donor_profile, share_points, year_fraction
from forecast.targets.series import GroupSeries, decided, group_series
from forecast.targets.short_history import (
    MIN_HISTORY,
    MIN_POOLED_RATES,
    GrowthPool,
    growth_paths,
    pooled_growth,
)
from forecast.targets.ytd import Conditioned, condition_annual, condition_monthly

DEFAULT_PATHS = 2000
LEVEL = 80
MIN_MONTHS = 24  # a monthly series shorter than two years is spread from the annual one instead
FALLBACK_MODEL = "drift"
MIN_ANNUALISE = 0.25  # a YTD covering less than a quarter of a year says too little about the whole year
SERIES_KINDS = ("total", "cumulative")
BOUNDED = "between stated bounds"  # a past year the facts only bound ("more than 1,800", at most 3,016 by others)


@dataclass
class TargetCheck:
    """The answer for one target: probability, outcome distribution, what was observed, and the known outcome."""

    target: Target
    as_of: pd.Timestamp | None
    model: str
    used: str | None = None
    values: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    totals: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    observed: float | None = None
    observed_through: pd.Timestamp | None = None
    method: str | None = None
    notes: list[str] = field(default_factory=list)
    run_rate: RunRate | None = None
    outcome: float | None = None
    outcome_lo: float | None = None
    outcome_hi: float | None = None
    outcome_sources: str | None = None
    met: bool | None = None

    @property
    def assessed(self) -> bool:
        return len(self.values) > 0

    @property
    def probability(self) -> float:
        """Share of paths whose outcome meets the target (NaN when the target could not be assessed)."""
        return float(np.mean(self.target.met_by(self.values))) if self.assessed else math.nan

    @property
    def expected(self) -> float:
        return float(np.mean(self.values)) if self.assessed else math.nan

    def quantiles(self, qs=(0.1, 0.5, 0.9)) -> dict[float, float]:
        return {q: float(np.quantile(self.values, q)) if self.assessed else math.nan for q in qs}

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        tail = (100.0 - level) / 200.0
        q = self.quantiles((tail, 1.0 - tail))
        return q[tail], q[1.0 - tail]

    def row(self) -> dict:
        """One flat record (what ``check_all_targets`` and ``--format json`` show)."""
        lo, hi = self.interval()
        rate = self.run_rate
        return {
            "target": self.target.label,
            "target_key": self.target.key,
            "entity": self.target.entity,
            "metric": self.target.metric,
            "period_end": self.target.period_end.date().isoformat(),
            "kind": self.target.kind,
            "comparison": self.target.comparison,
            "threshold": self.target.threshold,
            "sources": ";".join(self.target.sources),
            "as_of": None if self.as_of is None else self.as_of.date().isoformat(),
            "probability": self.probability,
            "expected": self.expected,
            f"lo_{LEVEL}": lo,
            f"hi_{LEVEL}": hi,
            "observed": self.observed,
            "observed_through": None if self.observed_through is None else self.observed_through.date().isoformat(),
            "needed_per_day": rate.needed_per_day if rate else None,
            "observed_per_day": rate.observed_per_day if rate else None,
            "stated_per_day": rate.stated_per_day if rate else None,
            "model": self.model,
            "used": self.used,
            "method": self.method,
            "outcome": self.outcome,
            "outcome_lo": self.outcome_lo,
            "outcome_hi": self.outcome_hi,
            "met": self.met,
            "notes": "; ".join(self.notes),
        }


def resolve_model(model: str, uid: str | None = None, selection: dict[str, str] | None = None) -> tuple[str, str | None]:
    """The model to run and a note when it is not the one asked for: :data:`SELECTED` means the series' backtest
    winner from ``selection`` (``auto`` where the backtest chose none); ``auto`` falls back to
    :data:`FALLBACK_MODEL` when unregistered; unknown names are an InputError."""
    note = None
    if model == SELECTED:
        if selection is None:
            raise InputError(f"model {SELECTED!r} needs a selection (the per-series best models of a backtest)")
        model = selection.get(uid, "auto")
        note = f"backtest-selected model for {uid}: {model}" if uid in selection else f"no backtest selection for {uid}: auto"
    names = available_models()
    if model == "auto" and "auto" not in names:
        return FALLBACK_MODEL, f"model 'auto' is not available; used {FALLBACK_MODEL}"
    if model not in names:
        raise InputError(f"unknown model {model!r}; available: {', '.join([*names, SELECTED])}")
    return model, note


def target_probability(
    target: Target,
    model: str = "auto",
    as_of: str | pd.Timestamp | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    observations: pd.DataFrame | None = None,
    selection: dict[str, str] | None = None,
) -> TargetCheck:
    """P(target met) from ``n_paths`` sample paths of ``model`` fitted to the data public on ``as_of``
    (``model="selected"`` with a ``selection``: each series' backtest winner)."""
    return check(target, Session(F.load_facts(observations)), model, as_of, n_paths, seed, selection)


class Session:
    """What the checks of one run share: every fact, the facts known per date, reconciled series per fact set."""

    def __init__(self, every: pd.DataFrame):
        self.every = every
        self.reconciled: dict = {}
        self.growth_pools: dict = {}
        self._known: dict = {}

    def known(self, as_of: pd.Timestamp | None) -> Known:
        if as_of not in self._known:
            self._known[as_of] = Known(F.known_on(self.every, as_of), self.growth_pools)
        return self._known[as_of]

    def series(self, entity: str, metric: str, basis: str | None = None,
               facts: pd.DataFrame | None = None) -> tuple[GroupSeries, pd.DataFrame]:  # fmt: skip
        """One reconciled series from ``facts`` (default: every fact) and the totals behind it that were not set
        aside."""
        facts = self.every if facts is None else facts
        rows = F.entity_facts(facts, entity, metric, basis, SERIES_KINDS)
        series = group_series(rows, series_uid(entity, metric, basis), self.reconciled)
        return series, rows[(rows["kind"] == "total") & ~rows["id"].astype(str).isin(series.set_aside)]


class Known:
    """The facts public on one date, with the network-wide figures derived from them computed once."""

    def __init__(self, facts: pd.DataFrame, shared_pools: dict):
        self.facts = facts
        self.entities = F.entities(self.facts)
        self._points: dict[str, pd.DataFrame] = {}
        self._pools: dict[str, GrowthPool] = {}
        self._shared_pools = shared_pools  # across dates: the same growth rates give the same (cached) fit

    def share_points(self, metric: str) -> pd.DataFrame:
        if metric not in self._points:
            self._points[metric] = share_points(self.facts, metric)
        return self._points[metric]

    def growth_pool(self, metric: str) -> GrowthPool:
        if metric not in self._pools:
            pool = pooled_growth(self.facts, metric)
            self._pools[metric] = self._shared_pools.setdefault(pool.fingerprint, pool)
        return self._pools[metric]


def check(target: Target, session: Session, model: str, as_of, n_paths: int, seed: int,
          selection: dict[str, str] | None = None) -> TargetCheck:  # fmt: skip
    """:func:`target_probability` within a :class:`Session` (one per run, shared across targets)."""
    check_samples(n_paths)
    F.check_known(session.every, target.entity, target.metric)
    if not target.is_calendar_year:
        raise InputError(f"{target.label}: only calendar-year targets can be checked (period 1 Jan - 31 Dec)")
    as_of = None if as_of is None else _date(as_of)
    name, note = resolve_model(model, target.uid, selection)
    result = TargetCheck(target, as_of, model, notes=[note] if note else [])
    _record_outcome(result, session)
    known = session.known(as_of)
    sim = YearSimulator(session, known, target, name, n_paths, seed)
    if not sim.has_data:
        result.notes.append(f"no {target.metric} totals of {target.entity} known" + (f" on {as_of.date()}" if as_of else ""))
        if target.kind == "growth":
            _growth_from_parent(result, session, known, name, n_paths, seed)
        return result
    main = sim.total(target.year)
    base = sim.total(target.base_end.year) if target.kind == "growth" else None
    result.notes.extend(sim.notes)
    if main is None or (target.kind == "growth" and base is None):
        return result
    result.totals, result.used, result.method = main.totals, sim.used, main.method
    if main.observed_through is not None:
        result.observed, result.observed_through = main.observed, main.observed_through
    if base is not None:
        result.values = 100.0 * (main.totals / np.maximum(base.totals, 1e-9) - 1.0)
        required = float(np.median(base.totals)) * (1.0 + target.growth_pct / 100.0)
        result.method = f"{main.method}; base {target.base_end.year}: {base.method}"
    else:
        result.values = main.totals
        required = target.value
    if main.method in ("observed", BOUNDED):  # the period is over: nothing left to run
        return result
    stated = F.daily_averages(known.facts, target.entity, target.year) if target.metric == "trains" else []
    result.run_rate = run_rate(required, target.period_start, target.period_end,
                               main.observed or 0.0, main.observed_through, stated)  # fmt: skip
    return result


def _growth_from_parent(result: TargetCheck, session: Session, known: Known, model: str, n_paths: int,
                        seed: int) -> None:  # fmt: skip
    """A growth target of an entity with no figures of its own: its nearest assessable parent's growth paths,
    each moved by a deviation of a part from its whole — the pooled growth model's spread for an entity it has not
    seen (between-entity effect and yearly noise, :mod:`.short_history`). Left unassessed without a pool."""
    target = result.target
    pool = known.growth_pool(target.metric)
    if len(pool) < MIN_POOLED_RATES:
        return
    for parent in F.parents(target.entity, known.entities):
        proxy = check(replace(target, entity=parent, label=""), session, model, result.as_of, n_paths, seed)
        if not proxy.assessed:
            continue
        growth = pool.fit(target.entity)
        spread = float(np.hypot(growth.effect_sd, growth.noise_sd))
        rng = np.random.default_rng(series_seed(seed, target.uid, model) + 2)
        result.values = 100.0 * ((1.0 + proxy.values / 100.0) * np.exp(spread * rng.standard_normal(n_paths)) - 1.0)
        result.used, result.method = proxy.used, f"growth of {parent} ({proxy.method})"
        result.notes.append(f"{parent}'s growth used as a proxy, widened by a part's deviation from its whole "
                            f"(sd {spread:.2f} in log growth)")  # fmt: skip
        return


class YearSimulator:
    """Calendar-year totals of one entity/metric as sample paths, from the facts known on ``as_of``."""

    def __init__(self, session: Session, known: Known, target: Target, model: str, n_paths: int, seed: int):
        self.known, self.target, self.model, self.n_paths = known, target, model, n_paths
        self.series, self.rows = session.series(target.entity, target.metric, target.basis, known.facts)
        self.uid = target.uid
        self.seed = series_seed(seed, self.uid, model)
        self.rng = np.random.default_rng(self.seed + 1)
        self.used: str | None = None
        self.notes: list[str] = [note] if (note := self.series.conflict_note()) else []
        self.annual = self.series.annual
        self.monthly = self.series.monthly
        self._annual_paths: dict[int, np.ndarray] | None = None
        self._monthly_paths: tuple[pd.Timestamp, np.ndarray] | None = None

    @property
    def has_data(self) -> bool:
        return not self.rows.empty

    def total(self, year: int) -> Conditioned | None:
        """Per-path total of ``year``: observed, YTD-conditioned, or fully simulated (None, with a note, when
        nothing known can produce it)."""
        if year in self.annual.index:
            value, year_end = float(self.annual[year]), pd.Timestamp(year, 12, 31)
            lo, hi, flags = self.series.year_interval(year)
            if "hedged" in flags and np.isfinite(hi) and hi > lo:  # "more than 1,800", capped by other facts
                self.notes.append(f"{year} is only bounded by the facts ({lo:,.0f} - {hi:,.0f}): outcomes drawn "
                                  "evenly between")  # fmt: skip
                return Conditioned(self.rng.uniform(lo, hi, self.n_paths), 0.0, None, BOUNDED)
            if "hedged" in flags:
                self.notes.append(f"{year} is only stated as at least {lo:,.0f}: taken as {value:,.0f}")
            return Conditioned(np.full(self.n_paths, value), value, year_end, "observed")
        ytd = F.year_to_date(self.rows, year)
        if len(self.monthly.dropna()) >= MIN_MONTHS:
            return self._from_monthly(year, ytd)
        annual = self._annual_paths_by_year().get(year)
        if ytd is None:
            if annual is None:
                self.notes.append(f"no full-year or year-to-date total to forecast {year} from")
                return None
            return Conditioned(annual, 0.0, None, "annual paths")
        if annual is None:
            self.notes.append(f"no annual forecast for {year}: extrapolated from YTD {ytd.id} with the share profile")
        profile = self._profile(year_fraction(ytd.period_end))
        return condition_annual(annual, ytd.value, ytd.period_end, profile, self.rng, self.n_paths)

    def _profile(self, t: float) -> ShareProfile:
        chain = F.parents(self.target.entity, self.known.entities)
        return donor_profile(self.known.share_points(self.target.metric), self.target.entity, self.target.metric, t,
                             chain)  # fmt: skip

    def _annual_paths_by_year(self) -> dict[int, np.ndarray]:
        """Paths per future year, fitted on the latest run of consecutive years (full years plus YTD-only years
        annualised by the profile); a run shorter than :data:`MIN_HISTORY` grows by pooled network growth
        instead (:mod:`.short_history`)."""
        if self._annual_paths is not None:
            return self._annual_paths
        history = self._annual_history()
        self._annual_paths = {}
        if history.empty or self.target.year <= history.index.max():
            return self._annual_paths
        history = _trailing_run(history)
        years = np.arange(history.index.min(), history.index.max() + 1)
        horizon = self.target.year - int(years[-1])
        pool = self.known.growth_pool(self.target.metric)
        if len(history) < MIN_HISTORY and len(pool) >= MIN_POOLED_RATES:
            growth = pool.fit(self.target.entity)
            paths = growth_paths(growth, float(history.iloc[-1]), horizon, self.n_paths, self.rng)
            self.used = "pooled-growth"
            how = {"mixed": f"size-dependent growth of {len(pool)} pooled year-on-year {self.target.metric} rates, "
                            f"its own effect {growth.effect_mean:+.2f} ± {growth.effect_sd:.2f}",
                   "ols": f"size-dependent growth of {len(pool)} pooled year-on-year {self.target.metric} rates",
                   "mean": f"mean of only {len(pool)} pooled year-on-year {self.target.metric} rates"}[growth.method]
            self.notes.append(f"{len(history)} year(s) of history is too short for {self.model}: grown by the {how}")
        else:
            y = history.to_numpy(dtype=float)
            try:
                forecast, self.used, reason = forecast_array(y, horizon, self.model, 1, self.n_paths, self.seed)
            except InputError as err:  # one year: no model can measure its own uncertainty
                self.notes.append(f"{len(history)} year(s) of history and too few pooled growth rates are known "
                                  f"({err}): no probability")  # fmt: skip
                return self._annual_paths
            paths = forecast.paths
            if reason:
                self.notes.append(f"{self.model}: {reason}")
            if np.ptp(paths[:, -1]) == 0:
                self.notes.append(f"{self.used} found no variation in {len(history)} year(s) and too few pooled "
                                  "growth rates are known: no probability")  # fmt: skip
                return self._annual_paths
        self._annual_paths = {int(years[-1]) + k + 1: paths[:, k] for k in range(horizon)}
        return self._annual_paths

    def _annual_history(self) -> pd.Series:
        """Full-year totals, plus years known only from a YTD covering at least :data:`MIN_ANNUALISE` of the year,
        scaled up by the profile's typical share (noted)."""
        history = self.annual.copy()
        asked = {self.target.year} | ({self.target.base_end.year} if self.target.kind == "growth" else set())
        partial_years = sorted({d.year for d in self.rows["period_end"]} - set(history.index) - asked)
        for year in partial_years:
            ytd = F.year_to_date(self.rows, year)
            t = year_fraction(ytd.period_end) if ytd is not None else 0.0
            if t < MIN_ANNUALISE:
                continue
            share = self._profile(t).mean_share(t)
            history[year] = ytd.value / share
            self.notes.append(f"{year} annualised from YTD {ytd.id} ({ytd.value:g} through {ytd.period_end.date()}, "
                              f"typical share {share:.0%})")  # fmt: skip
        return history.sort_index()

    def _from_monthly(self, year: int, ytd: F.Fact | None) -> Conditioned:
        """YTD + monthly paths for the rest of the year; the observed part is whichever reaches further, the YTD
        figure or the year's known months."""
        first, paths = self._monthly_forecast(year)
        known_months = self.monthly[(self.monthly.index.year == year) & (self.monthly.index < first)]
        through, observed = first - pd.Timedelta(days=1), float(known_months.sum())
        if ytd is not None and ytd.period_end > through:
            through, observed = ytd.period_end, ytd.value
        if through.year < year:
            return condition_monthly(paths, first, year)
        return condition_monthly(paths, first, year, observed, through)

    def _monthly_forecast(self, year: int) -> tuple[pd.Timestamp, np.ndarray]:
        if self._monthly_paths is None:
            series = self.monthly.dropna()
            months = pd.date_range(series.index.min(), series.index.max(), freq="MS")
            y = series.reindex(months).to_numpy(dtype=float)
            first = months[-1] + pd.offsets.MonthBegin(1)
            horizon = (self.target.year - first.year) * 12 + 13 - first.month
            if horizon < 1:
                raise InputError(f"{self.uid}: {year} is already covered by monthly data")
            paths, used, reason = forecast_array(y, horizon, self.model, 12, self.n_paths, self.seed)
            self.used = used
            if reason:
                self.notes.append(f"{self.model}: {reason}")
            self._monthly_paths = (first, paths.paths)
        return self._monthly_paths


def _trailing_run(history: pd.Series) -> pd.Series:
    """The latest run of consecutive years: interpolating across a gap would invent steps with no noise and
    make every model's interval too narrow."""
    years = history.index.to_numpy()
    breaks = np.flatnonzero(np.diff(years) != 1)
    return history.iloc[breaks[-1] + 1 :] if len(breaks) else history


def _record_outcome(result: TargetCheck, session: Session) -> None:
    """The outcome from the series reconciled from every fact (published any time): its value where the facts
    give one, its interval, and whether every value in that interval meets the target (None if undecidable)."""
    target = result.target
    series, _ = session.series(target.entity, target.metric, target.basis)
    final = series.year_interval(target.year)
    base = series.year_interval(target.base_end.year) if target.kind == "growth" else None
    if final is None or (target.kind == "growth" and (base is None or base[0] <= 0)):
        return
    lo, hi, flags = final
    point = series.annual.get(target.year)
    if base is not None:
        base_point = series.annual.get(target.base_end.year)
        lo, hi = 100.0 * (lo / base[1] - 1.0), 100.0 * (hi / base[0] - 1.0)
        point = None if point is None or base_point is None else 100.0 * (point / base_point - 1.0)
        flags = ";".join(f for f in (flags, base[2]) if f)
    result.outcome = None if point is None else float(point)
    result.outcome_lo, result.outcome_hi = float(lo), float(hi)
    result.outcome_sources = series.sources(target.year, target.base_end.year if base is not None else None)
    result.met = decided(target.met_by, lo, hi)
    if "conflict" in flags:
        result.notes.append("outcome: conflicting sources, see `forecast data conflicts`")


def _date(value) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"as_of: not a date: {value!r}") from None
    if pd.isna(stamp):
        raise InputError(f"as_of: not a date: {value!r}")
    return stamp.normalize()
