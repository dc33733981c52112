"""One outlook per series: how this year and the next few will end, given everything published by the as-of date.

    from forecast.outlook import outlook
    xian = outlook("xian", "trains", as_of="2025-11-30")   # default as-of: the date the data runs to
    xian.table()                                           # year, status, observed, mean, intervals
    np.mean(xian.year_paths(2025) >= 6000)                 # a target's probability is a share of these paths

:class:`Outlooks` builds many (every forecastable series, several dates) sharing the facts, the reconciliations,
the growth pools and the share profiles; ``forecast predict --entity``, ``forecast target``, ``forecast run`` and
the report all read their numbers from it. How one outlook is made: :mod:`forecast.outlook.build`; the pools
and profiles they share are made first, so :meth:`Outlooks.every` can build the series' own outlooks on any engine
of :mod:`forecast.executor` (local processes, Dask) with the serial numbers. Every outlook is then reconciled
with the catalogue's sums (``hierarchy``: ``mint`` by default, ``ols``, ``bottom_up``, or None for the series
alone; :mod:`forecast.hierarchy`), so a parent's paths are its parts' plus what they do not itemise, and every
command reads the same reconciled paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast import executor
from forecast.data.schema import DEFAULT_BASIS
from forecast.data.vintage import FactBase, ReconciledSeries, Vintage, series_uid
from forecast.defaults import DEFAULT_PATHS, DEFAULT_YEARS, HIERARCHY, MIN_PATHS, SELECTED
from forecast.errors import InputError
from forecast.executor import limited_threads
from forecast.hierarchy.projection import METHODS
from forecast.hierarchy.structure import summing_structure
from forecast.limits import check_samples
from forecast.models.registry import label_models, selected_model
from forecast.outlook.build import NoOutlook, build_outlook
from forecast.outlook.coherence import CoherentOutlooks, cohere
from forecast.outlook.growth import GrowthPool, pooled_growth
from forecast.outlook.profile import ProfileBook, donor_chain
from forecast.outlook.result import Outlook

COMPUTED_YEARS = 10  # paths are always drawn this far, so a year's numbers do not depend on how many are shown
TRAFFIC = ("trains", "teu", "tonnes")
NO_OUTLOOK_COLUMNS = ["unique_id", "reason", "stale", "latest_year", "latest_value"]


class Outlooks:
    """Outlooks of any series on any as-of date with one model, path count and seed; memoised."""

    def __init__(
        self,
        observations: pd.DataFrame | None = None,
        *,
        model: str = "auto",
        years: int = DEFAULT_YEARS,
        n_paths: int = DEFAULT_PATHS,
        seed: int = 0,
        selection: dict[str, str] | None = None,
        facts: FactBase | None = None,
        hierarchy: str | None = HIERARCHY,
    ):
        (model,), selection = label_models([model], selection)
        if years < 1:
            raise InputError(f"years must be at least 1, got {years}")
        if n_paths < MIN_PATHS:
            raise InputError(f"samples must be at least {MIN_PATHS}, got {n_paths}")
        check_samples(n_paths)
        if hierarchy is not None and hierarchy not in METHODS:
            raise InputError(f"unknown reconciliation {hierarchy!r}; known: {', '.join(METHODS)}")
        self.hierarchy = hierarchy
        self._coherent: dict[tuple, CoherentOutlooks | None] = {}
        self._structures: dict[tuple, list] = {}
        self.facts = facts if facts is not None else FactBase(observations)
        self.model, self.years, self.n_paths, self.seed = model, years, n_paths, seed
        self.selection = selection or {}
        self._outlooks: dict[tuple, Outlook | NoOutlook] = {}
        self._pools: dict[tuple, GrowthPool] = {}
        self._fits: dict[tuple, GrowthPool] = {}
        self._profiles: dict[pd.Timestamp, ProfileBook] = {}
        self._points: dict = {}

    def over(self, facts: FactBase) -> Outlooks:
        """Outlooks with these settings (model, years, paths, seed, selection, hierarchy) over other facts."""
        return Outlooks(
            facts=facts,
            model=self.model,
            years=self.years,
            n_paths=self.n_paths,
            seed=self.seed,
            selection=self.selection,
            hierarchy=self.hierarchy,
        )

    def model_for(self, uid: str) -> str:
        """The model that forecasts ``uid``: the one asked for, or its backtest winner (``auto`` when none)."""
        return selected_model(self.selection, uid) if self.model == SELECTED else self.model

    def get(self, entity: str, metric: str = "trains", basis: str | None = None, as_of=None) -> Outlook:
        """The outlook of one series (raises :class:`NoOutlook` when the facts cannot support one); reconciled
        with its hierarchy when the outlooks have one. ``as_of``: a date, or a :class:`Vintage` of these facts
        (every method here takes either, and passes the vintage down)."""
        vintage = self.facts.on(as_of)
        view = self.base(entity, metric, basis, vintage)
        if self.hierarchy is None:
            return view
        coherent = self.coherent(view.series.entity, metric, basis or DEFAULT_BASIS, vintage)
        return coherent.outlooks.get(view.series.entity, view) if coherent is not None else view

    def coherent(
        self, entity: str, metric: str = "trains", basis: str = DEFAULT_BASIS, as_of=None, method: str | None = None
    ) -> CoherentOutlooks | None:
        """The outlooks of the sums ``entity`` is in (and those they touch, on ``metric`` and ``basis``)
        reconciled by ``method`` (default: ``hierarchy``, else MinT); None when no sum holds it. Only the series
        sharing a sum with it, step by step, are built."""
        method = method or self.hierarchy or "mint"
        entity = self.facts.check(entity, metric, basis)
        vintage = self.facts.on(as_of)
        if (metric, basis, vintage.as_of) not in self._structures:
            self._structures[(metric, basis, vintage.as_of)] = summing_structure(vintage, metric, basis).components()
        structure = next((c for c in self._structures[(metric, basis, vintage.as_of)] if entity in c.entities), None)
        if structure is None:
            return None
        key = (metric, basis, vintage.as_of, structure.entities[0], method)
        if key not in self._coherent:
            views = {}
            for name in structure.entities:
                try:
                    views[name] = self.base(name, metric, basis, vintage)
                except NoOutlook:
                    continue
            self._coherent[key] = cohere(views, structure, vintage, method, self.seed) if views else None
        return self._coherent[key]

    def base(self, entity: str, metric: str = "trains", basis: str | None = None, as_of=None) -> Outlook:
        """The outlook of one series on its own, before any reconciliation."""
        entity = self.facts.check(entity, metric, basis)
        vintage = self.facts.on(as_of)
        key = (series_uid(entity, metric, basis), vintage.as_of)
        if key not in self._outlooks:
            self._outlooks[key] = build_request(self._request(vintage, entity, metric, basis))
        found = self._outlooks[key]
        if isinstance(found, NoOutlook):
            raise found
        return found

    def every(
        self,
        as_of=None,
        metrics=TRAFFIC,
        *,
        engine: str = "serial",
        jobs: int = 1,
        scheduler: str | None = None,
        progress: bool | None = None,
    ) -> tuple[list[Outlook], pd.DataFrame]:
        """The outlook of every series of ``metrics`` with a public fact, and a frame of those that have none
        (:data:`NO_OUTLOOK_COLUMNS`: why, whether stale, the latest year with a value). The series' own outlooks
        are built on ``engine`` (:func:`forecast.executor.run`: the same numbers on every engine), then reconciled
        here."""
        vintage = self.facts.on(as_of)
        keys = list(vintage.keys(metrics=metrics))
        todo = [k for k in keys if (series_uid(*k), vintage.as_of) not in self._outlooks]
        requests = [self._request(vintage, *k) for k in todo]
        built = executor.run(
            build_request,
            requests,
            engine=engine,
            jobs=jobs,
            scheduler=scheduler,
            progress=progress,
            desc="outlooks",
            unit="series",
        )
        for k, view in zip(todo, built):
            self._outlooks[(series_uid(*k), vintage.as_of)] = view
        found, skipped = [], []
        with limited_threads():  # once for every reconciliation made here
            for entity, metric, basis in keys:
                try:
                    found.append(self.get(entity, metric, basis, vintage))
                except NoOutlook as err:
                    year, value = err.latest or (None, None)
                    skipped.append(
                        {
                            "unique_id": series_uid(entity, metric, basis),
                            "reason": str(err),
                            "stale": err.stale,
                            "latest_year": year,
                            "latest_value": value,
                        }
                    )
        return found, pd.DataFrame(skipped, columns=NO_OUTLOOK_COLUMNS)

    def _request(self, vintage, entity: str, metric: str, basis: str | None) -> OutlookRequest:
        """What :func:`build_request` needs for one series: everything shared (pool, profiles) made here first."""
        series = vintage.series(entity, metric, basis)
        selected = series.uid in self.selection if self.model == SELECTED else None
        pool, profiles = self.pool(vintage, metric), self._profile_book(vintage)
        return OutlookRequest(
            series,
            vintage,
            self.model_for(series.uid),
            self.years,
            self.n_paths,
            self.seed,
            pool,
            profiles,
            selected,
        )

    def pool(self, vintage, metric: str) -> GrowthPool:
        """The growth pool of ``metric`` on the vintage's date; pools of the same rates share one fitted model."""
        key = (vintage.as_of, metric)
        if key not in self._pools:
            pool = pooled_growth(vintage, metric)
            self._pools[key] = self._fits.setdefault(pool.fingerprint, pool)
        return self._pools[key]

    def profile(self, view: Outlook):
        """The share profile ``view``'s months were drawn from (the series' own or its donors', on its date)."""
        return self._profile_book(self.facts.on(view.as_of)).profile(view.series, donor_chain(view.series))

    def _profile_book(self, vintage) -> ProfileBook:
        if vintage.as_of not in self._profiles:
            self._profiles[vintage.as_of] = ProfileBook(vintage, self._points)
        return self._profiles[vintage.as_of]


@dataclass(frozen=True, eq=False)
class OutlookRequest:
    """One series' own outlook to build, with the shared pool and profiles made first: what crosses to a worker
    (picklable for the process and Dask engines)."""

    series: ReconciledSeries
    vintage: Vintage
    model: str
    years: int  # shown; paths are drawn for at least COMPUTED_YEARS
    n_paths: int
    seed: int
    pool: GrowthPool
    profiles: ProfileBook
    selected: bool | None  # with the model 'selected': whether the backtest selection names the series


def build_request(request: OutlookRequest) -> Outlook | NoOutlook:
    """One series' own outlook from :meth:`Outlooks._request`, or the :class:`NoOutlook` saying why there is none
    (top-level, so that worker processes can run it)."""
    r = request
    try:
        with limited_threads():
            view = build_outlook(
                r.series, r.vintage, r.model, max(r.years, COMPUTED_YEARS), r.n_paths, r.seed, r.pool, r.profiles
            )
    except NoOutlook as err:
        return err
    view.until = r.vintage.as_of.year + r.years - 1
    if r.selected is not None:
        view.notes.insert(
            0,
            f"backtest-selected model for {r.series.uid}: {r.model}"
            if r.selected
            else f"no backtest selection for {r.series.uid}: auto",
        )
    return view


def outlook(
    entity: str,
    metric: str = "trains",
    basis: str | None = None,
    as_of=None,
    *,
    model: str = "auto",
    years: int = DEFAULT_YEARS,
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    observations: pd.DataFrame | None = None,
    selection: dict[str, str] | None = None,
    hierarchy: str | None = HIERARCHY,
) -> Outlook:
    """The outlook of one series (see the module docstring)."""
    return Outlooks(
        observations, model=model, years=years, n_paths=n_paths, seed=seed, selection=selection, hierarchy=hierarchy
    ).get(entity, metric, basis, as_of)


__all__ = ["DEFAULT_PATHS", "DEFAULT_YEARS", "NoOutlook", "Outlook", "Outlooks", "SELECTED", "outlook"]
