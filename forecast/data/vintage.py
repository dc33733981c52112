"""What was known on a date: the facts published by then, and every series reconciled from exactly those facts.

This is the one place that answers "what did we know on D" for the outlook, the targets, the growth pool, the
share profiles and the retrospective benchmarks. A fact is *known* on D once it was published (a partial date
such as ``2025-12`` counts from the last day it can mean; a fact without a date from the end of the period it
covers) and its period has ended. A :class:`FactBase` holds every fact once; :meth:`FactBase.on` gives the
:class:`Vintage` of a date, whose series are reconciled from that date's facts by :mod:`forecast.data` (memoised
by the exact facts of each group, and cached on disk, so dates that know the same facts about a series share one
reconciliation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from forecast.data.basis import is_basis, split_bases
from forecast.data.cache import cached_group
from forecast.data.constraints import period_coef
from forecast.data.entities import resolve_entity
from forecast.data.load import load_observations
from forecast.data.panels import trailing_run_start
from forecast.data.reconciliation import (
    Group,
    GroupSystem,
    Reconciliation,
    assemble,
    check_choices,
    series_groups,
)
from forecast.data.schema import BASES, COUNT_METRICS, DEFAULT_BASIS, METRIC_UNITS
from forecast.errors import InputError
from forecast.limits import parse_day

PINNED = 0.10  # a year is known when what the facts allow spans at most 10% of it, or when it is stated with a hedge


def pinned_rows(rows: pd.DataFrame) -> pd.Series:
    """Which rows (``y, y_lo, y_hi, flags``) of a reconciled series are pinned (see
    :attr:`ReconciledSeries.pinned`): the one rule for every layer that asks whether a year is known."""
    y, lo, hi = (rows[c].astype(float) for c in ("y", "y_lo", "y_hi"))
    stated_hedged = (
        rows["flags"].fillna("").astype(str).str.split(";").map(lambda f: "hedged" in f and "implied" not in f)
    )
    return y.notna() & np.isfinite(hi) & ((hi - lo <= PINNED * np.maximum(hi, 1.0)) | stated_hedged)


def series_uid(entity: str, metric: str, basis: str | None = None) -> str:
    """A series' id: ``entity/metric/basis`` (``reported`` unless given)."""
    return f"{entity}/{metric}/{basis or DEFAULT_BASIS}"


def known_from(facts: pd.DataFrame) -> pd.Series:
    """When each fact became public: its publication date (the last day a partial date can mean), else the end
    of the period it covers."""
    published = facts["published"].map(_publication_end) if "published" in facts else None
    stamps = pd.to_datetime(published) if published is not None else pd.Series(pd.NaT, index=facts.index)
    return stamps.fillna(pd.to_datetime(facts["period_end"]))


def data_as_of(facts: pd.DataFrame) -> pd.Timestamp:
    """The date the data runs to: the latest day any fact became public."""
    return pd.Timestamp(known_from(facts).max()).normalize()


def known_on(facts: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The facts public on ``as_of`` (all of them when None): published, and their period ended, by then."""
    if as_of is None:
        return facts
    as_of = pd.Timestamp(as_of)
    return facts[(known_from(facts) <= as_of) & (pd.to_datetime(facts["period_end"]) <= as_of)]


def as_date(value, name: str = "as_of") -> pd.Timestamp:
    """A user's date (``2025-06-30``) as a day: :func:`forecast.limits.parse_day`."""
    return parse_day(value, name)


@dataclass(frozen=True)
class ReconciledSeries:
    """One entity × metric × basis as the facts of a vintage give it: a value and an interval per year (and per
    month the facts pin down), the facts set aside as conflicting, and the kept facts as a linear system that
    answers "what do the facts allow for the total over any period"."""

    uid: str
    years: pd.DataFrame  # index year: y, y_lo, y_hi, flags, sources (every year the facts touch)
    monthly: pd.Series  # month start → value, where the facts pin the month down
    ytd: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["y", "y_lo", "y_hi", "flags", "sources"]))
    # ↑ index: dates inside a year that a fact ends on; the total from 1 January to that date
    set_aside: frozenset[str] = frozenset()  # facts whose figure was set aside as conflicting
    growth_set_aside: frozenset[str] = frozenset()  # facts whose stated growth rate was
    system: GroupSystem | None = field(default=None, repr=False)
    key: tuple = ()  # (uid, ids of the facts it was reconciled from): equal keys, equal series

    @property
    def entity(self) -> str:
        return self.uid.split("/")[0]

    @property
    def metric(self) -> str:
        return self.uid.split("/")[1]

    @property
    def basis(self) -> str:
        return self.uid.split("/")[2]

    @property
    def empty(self) -> bool:
        return self.system is None

    @cached_property
    def annual(self) -> pd.Series:
        """Year → point value, for the years that have one."""
        return self.years["y"].dropna().astype(float)

    @cached_property
    def pinned(self) -> pd.Series:
        """Year → value for the years the facts pin down: an interval no wider than :data:`PINNED` of it, or a
        full-year figure stated with a hedge, read at its measured median (:mod:`forecast.data.hedges`: "more than
        5,700" is most likely 5,700-5,800, though it may lie up to a quarter above)."""
        return self.years["y"].astype(float)[pinned_rows(self.years)]

    def history(self) -> pd.Series:
        """The latest run of consecutive pinned years: the history a model is fitted on (interpolating across a
        year the facts only bound would invent a step with no noise)."""
        return self.pinned.iloc[trailing_run_start(self.pinned.index.to_numpy()) :]

    def year_interval(self, year: int) -> tuple[float, float, str] | None:
        """(lowest, highest, flags) the facts allow for ``year``'s total, or None when no fact touches it."""
        if year not in self.years.index:
            return None
        row = self.years.loc[year]
        return float(row["y_lo"]), float(row["y_hi"]), str(row["flags"])

    def period_bounds(self, start, end) -> tuple[float, float, set[str]]:
        """(lowest, highest) total over [start, end] that the kept facts allow, and the facts binding them
        ((0, inf) outside the span the facts cover)."""
        if self.system is None:
            return 0.0, np.inf, set()
        coef = period_coef(self.system.months, pd.Timestamp(start), pd.Timestamp(end))
        if not coef.any():
            return 0.0, np.inf, set()
        return self.system.bounds(coef)

    def sources(self, *years: int | None) -> str:
        """The facts behind the given years' values and bounds (``;``-joined ids)."""
        ids = {
            fid for year in years if year in self.years.index for fid in str(self.years.loc[year, "sources"]).split(";")
        }
        return ";".join(sorted(ids - {""}))

    def conflict_note(self) -> str | None:
        """One line naming what was set aside, or None."""
        parts = [*sorted(self.set_aside), *(f"{fid} (its growth rate)" for fid in sorted(self.growth_set_aside))]
        return f"set aside as conflicting: {', '.join(parts)} (see `forecast data conflicts`)" if parts else None


def _series_from_group(group, key: tuple) -> ReconciledSeries:
    frame = group.series
    annual = frame[frame["freq"] == "annual"]
    years = annual.assign(year=annual["ds"].dt.year).set_index("year")[["y", "y_lo", "y_hi", "flags", "sources"]]
    monthly = frame[(frame["freq"] == "monthly") & frame["y"].notna()]
    ytd = frame[frame["freq"] == "ytd"].set_index("ds")[["y", "y_lo", "y_hi", "flags", "sources"]]
    system = group.system
    # A fact can state a level and a growth rate; only a level set aside takes the figure itself out of use.
    set_aside = {fid for c in system.set_aside if not c.is_growth for fid in c.ids}
    growth_set_aside = {fid for c in system.set_aside if c.is_growth for fid in c.ids}
    return ReconciledSeries(
        uid=group.uid,
        years=years,
        monthly=pd.Series(monthly["y"].to_numpy(dtype=float), index=pd.DatetimeIndex(monthly["ds"])).sort_index(),
        ytd=ytd.sort_index(),
        set_aside=frozenset(set_aside),
        growth_set_aside=frozenset(growth_set_aside),
        system=system,
        key=key,
    )


def _empty(uid: str) -> ReconciledSeries:
    return ReconciledSeries(
        uid, pd.DataFrame(columns=["y", "y_lo", "y_hi", "flags", "sources"]), pd.Series(dtype=float), key=(uid,)
    )


class FactBase:
    """Every fact once (bundled plus the user's, or the frame given), and the vintages of any date built from
    them; reconciliations are shared between vintages that know the same facts about a series."""

    def __init__(self, observations: pd.DataFrame | None = None, rule: str = "corroborated"):
        facts = load_observations() if observations is None else observations.copy()
        check_choices(facts, rule)
        self.facts = _complete(facts)
        self.rule = rule
        self._groups: dict[tuple, Group] = {}
        self._series: dict[tuple, ReconciledSeries] = {}
        self._vintages: dict[pd.Timestamp, Vintage] = {}

    @cached_property
    def as_of(self) -> pd.Timestamp:
        """The date the data runs to (see :func:`data_as_of`)."""
        return data_as_of(self.facts)

    def on(self, as_of=None) -> Vintage:
        """The vintage of ``as_of`` (default: the date the data runs to); a vintage of this base is itself."""
        if isinstance(as_of, Vintage) and as_of.base is self:
            return as_of
        day = self.as_of if as_of is None else as_date(as_of)
        if day not in self._vintages:
            self._vintages[day] = Vintage(self, day)
        return self._vintages[day]

    def check(self, entity: str, metric: str, basis: str | None = None) -> str:
        """The entity's slug; an unknown entity, metric or basis is an :class:`InputError` naming the choices."""
        slug = entity if entity in set(self.facts["entity"]) else resolve_entity(entity)
        if metric not in METRIC_UNITS:
            raise InputError(f"unknown metric {metric!r}; known: {', '.join(METRIC_UNITS)}")
        if basis is not None and not is_basis(basis):
            raise InputError(
                f"unknown basis {basis!r}; known: {', '.join(BASES)} (or one ended by a break: reported-to-2023)"
            )
        return slug

    def group(self, rows: pd.DataFrame, keep=frozenset()) -> Group:
        """One group's facts reconciled (read from the disk cache when seen before), memoised by the series and
        the exact facts (the same facts may fall on another counting basis on another date)."""
        series = tuple(str(rows[c].iloc[0]) for c in ("entity", "metric", "basis"))
        key = (series, tuple(sorted(rows["id"].astype(str))), frozenset(keep))
        if key not in self._groups:
            self._groups[key] = cached_group(rows, self.rule, frozenset(keep))
        return self._groups[key]

    def reconciled(self, rows: pd.DataFrame, uid: str) -> ReconciledSeries:
        """The series reconciled from ``rows`` (one group's facts), memoised by the exact facts."""
        key = (uid, tuple(sorted(rows["id"].astype(str))))
        if key not in self._series:
            self._series[key] = _series_from_group(self.group(rows), key) if len(rows) else _empty(uid)
        return self._series[key]


class Vintage:
    """The data as known on one date: its facts and the series reconciled from them. ``published`` holds every
    fact public by then (targets included); ``facts`` the series facts whose period has also ended, each on its
    counting basis."""

    def __init__(self, base: FactBase, as_of: pd.Timestamp):
        self.base, self.as_of = base, as_of
        self.published = base.facts[known_from(base.facts) <= as_of]
        self.facts = split_bases(known_on(base.facts, as_of))
        self._groups = series_groups(self.facts)

    def series(self, entity: str, metric: str, basis: str | None = None) -> ReconciledSeries:
        """One series as this vintage knows it (empty when no fact about it was public)."""
        key = (entity, metric, basis or DEFAULT_BASIS)
        rows = self._groups.get(key, self.facts.iloc[0:0])
        return self.base.reconciled(rows, series_uid(*key))

    def keys(self, metrics=COUNT_METRICS, basis: str | None = None) -> list[tuple[str, str, str]]:
        """(entity, metric, basis) of every series with a public fact, optionally of one basis only."""
        return [k for k in self._groups if k[1] in metrics and (basis is None or k[2] == basis)]

    def reconciliation(self, exclude=(), keep=()) -> Reconciliation:
        """Every series of this vintage in one long frame with its conflicts (what ``forecast data`` shows and a
        run stores); ``exclude`` drops facts first, ``keep`` makes facts win every conflict."""
        check_choices(self.published, self.base.rule, exclude, keep)
        groups = series_groups(self.facts, exclude) if exclude else self._groups
        keep = frozenset(keep)
        return assemble(
            [self.base.group(rows, keep & frozenset(rows["id"])) for rows in groups.values()], self.published
        )

    def stated(self, entity: str, metric: str, kind: str, year: int) -> pd.DataFrame:
        """Facts of ``kind`` (e.g. daily ``average`` rates) about ``entity`` ending in ``year``, oldest first."""
        rows = self.facts[
            (self.facts["entity"] == entity) & (self.facts["metric"] == metric) & (self.facts["kind"] == kind)
        ]
        return rows[pd.to_datetime(rows["period_end"]).dt.year == year].sort_values("period_end")


def _complete(facts: pd.DataFrame) -> pd.DataFrame:
    """A user's frame in the shape the data layer loads: dates parsed, the figure as written (the reconciliation
    reads precision from it), a counting basis, a wording."""
    from forecast.data.basis import fill_basis

    facts = facts.reset_index(drop=True)
    for column in ("period_start", "period_end"):
        facts[column] = pd.to_datetime(facts[column])
    for column, text in (("value", "value_text"), ("yoy_pct", "yoy_text")):
        numbers = pd.to_numeric(facts[column], errors="coerce") if column in facts else pd.Series(np.nan, facts.index)
        written = facts[text] if text in facts else pd.Series(None, index=facts.index, dtype=object)
        facts[text] = [
            w if isinstance(w, str) and w else (np.format_float_positional(v, trim="-") if pd.notna(v) else "")
            for w, v in zip(written, numbers)
        ]
        facts[column] = numbers
    facts["qualifier"] = facts["qualifier"].fillna("exact").astype(str) if "qualifier" in facts else "exact"
    for column in ("published", "note", "source_url", "unit", "yoy_pct"):
        if column not in facts:
            facts[column] = None
    facts["basis"] = fill_basis(facts)
    return facts


def _publication_end(text) -> pd.Timestamp | None:
    """Last day a partial publication date can mean: ``2025-12`` → 2025-12-31, ``2024`` → 2024-12-31."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, OverflowError):
        return None
    if len(text) == 4:
        return stamp + pd.offsets.YearEnd(0)
    if len(text) == 7:
        return stamp + pd.offsets.MonthEnd(0)
    return stamp
