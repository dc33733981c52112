"""The facts a target check may use: observations as known on a date, and the annual, monthly, year-to-date and
outcome figures of one entity read from them.

A target's own history and outcome come from the reconciled series (:mod:`forecast.targets.series`); this module
picks single facts — the latest year-to-date figure, stated daily rates — and the network-wide tables behind
pooled growth and share profiles (exact figures before hedged ones, the median of equals). A fact is *known* on
``as_of`` when it was published by then; a fact without a publication date counts as known from the end of the
period it covers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.basis import fill_basis
from forecast.data.entities import entity_catalogue, parents_of
from forecast.data.load import load_observations
from forecast.data.schema import DEFAULT_BASIS
from forecast.errors import InputError

# Ranking of a figure's wording when several sources give one period: exact beats hedged.
QUALIFIER_RANK = {"exact": 0, "about": 1, "more_than": 2, "at_least": 2, "nearly": 3}


@dataclass(frozen=True)
class Fact:
    """One stated figure: value, wording, period and id."""

    value: float
    qualifier: str
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    id: str
    published: pd.Timestamp | None


def load_facts(observations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Observations with parsed dates, a ``basis`` column (inferred from the note where missing) and
    ``known_from`` (when the fact became public)."""
    facts = (load_observations() if observations is None else observations).copy()
    facts["period_start"] = pd.to_datetime(facts["period_start"])
    facts["period_end"] = pd.to_datetime(facts["period_end"])
    for column, text in (("value", "value_text"), ("yoy_pct", "yoy_text")):
        facts[column] = pd.to_numeric(facts[column], errors="coerce") if column in facts else np.nan
        # The reconciliation reads precision from the figure as written; a frame built in Python may lack it.
        written = facts[text] if text in facts else pd.Series(None, index=facts.index, dtype=object)
        facts[text] = [w if isinstance(w, str) and w else
                       (np.format_float_positional(v, trim="-") if pd.notna(v) else "")
                       for w, v in zip(written, facts[column])]  # fmt: skip
    facts["basis"] = fill_basis(facts)
    published = facts["published"].map(_publication_end) if "published" in facts.columns else pd.NaT
    facts["known_from"] = pd.to_datetime(published).fillna(facts["period_end"])
    facts["qualifier"] = facts["qualifier"].fillna("exact").astype(str)
    return facts


def known_on(facts: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The facts public on ``as_of`` (all of them when ``as_of`` is None): published and period ended by then."""
    if as_of is None:
        return facts
    as_of = pd.Timestamp(as_of)
    return facts[(facts["known_from"] <= as_of) & (facts["period_end"] <= as_of)]


def entity_facts(facts: pd.DataFrame, entity: str, metric: str, basis: str | None = None,
                 kinds: tuple[str, ...] = ("total",)) -> pd.DataFrame:  # fmt: skip
    """Facts of ``kinds`` (totals by default) of one entity and metric on one counting basis (``reported`` unless
    given): figures on different bases are different quantities and must never be pooled into one history."""
    chosen = facts[(facts["entity"] == entity) & (facts["metric"] == metric) & facts["kind"].isin(kinds)]
    return chosen[chosen["basis"] == (basis or DEFAULT_BASIS)]




def year_to_date(facts: pd.DataFrame, year: int) -> Fact | None:
    """The latest year-to-date total of ``year`` (starts 1 January, ends before 31 December), or None."""
    rows = facts[
        (facts["period_start"] == pd.Timestamp(year, 1, 1))
        & (facts["period_end"] < pd.Timestamp(year, 12, 31))
        & (facts["period_end"].dt.year == year)
    ]
    if rows.empty:
        return None
    return best(rows[rows["period_end"] == rows["period_end"].max()])




def annual_table(facts: pd.DataFrame) -> pd.DataFrame:
    """Best full-year total per (entity, metric, year) of ``facts`` (columns entity, metric, year, value)."""
    start = facts["period_start"]
    whole = (start.dt.month == 1) & (start.dt.day == 1) & (facts["period_end"] == start + pd.offsets.YearEnd(0))
    rows = facts[whole & (facts["kind"] == "total")]
    return best_values(rows.assign(year=rows["period_start"].dt.year), ["entity", "metric", "year"])


def ytd_table(facts: pd.DataFrame) -> pd.DataFrame:
    """Best year-to-date total per (entity, metric, year, period_end) (columns + value)."""
    start, end = facts["period_start"], facts["period_end"]
    ytd = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.year == start.dt.year) & (end < start + pd.offsets.YearEnd(0))
    rows = facts[ytd & (facts["kind"] == "total")]
    return best_values(rows.assign(year=rows["period_start"].dt.year), ["entity", "metric", "year", "period_end"])


def best_values(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: the median of the best-worded values (see :func:`best`), vectorised."""
    rows = rows[rows["value"].notna()]
    rank = rows["qualifier"].map(QUALIFIER_RANK).fillna(1)
    top = rows[rank == rank.groupby([rows[k] for k in keys]).transform("min")]
    return top.groupby(keys, as_index=False)["value"].median()




def daily_averages(facts: pd.DataFrame, entity: str, year: int) -> list[Fact]:
    """Stated daily averages (metric ``trains_per_day``, kind ``average``) covering part of ``year``."""
    rows = facts[(facts["entity"] == entity) & (facts["metric"] == "trains_per_day") & (facts["kind"] == "average")]
    rows = rows[rows["period_end"].dt.year == year].sort_values("period_end")
    return [_fact(row) for row in rows.itertuples(index=False)]


def entities(facts: pd.DataFrame) -> set[str]:
    """Every entity slug the facts (or the bundled entity list) name."""
    return set(facts["entity"]) | set(entity_catalogue()["slug"])


def parents(entity: str, known: set[str]) -> list[str]:
    """Parent entities, nearest first: from the entity catalogue, else the longest slug prefix that is a known
    entity (``shandong-central-asia`` → ``shandong``)."""
    listed = parents_of(entity)
    if listed:
        return listed
    parts = entity.split("-")
    return [p for p in ("-".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)) if p in known][:1]


def check_known(facts: pd.DataFrame, entity: str, metric: str) -> None:
    """Unknown entity or metric → :class:`InputError` naming the alternatives."""
    if entity not in entities(facts):
        raise InputError(f"unknown entity {entity!r}; see the entity column of the observations")
    metrics = sorted(set(facts["metric"]))
    if metric not in metrics:
        raise InputError(f"unknown metric {metric!r}; known: {', '.join(metrics)}")


def best(rows: pd.DataFrame) -> Fact | None:
    """The exact figure if any (median when several agree-ish), else the best-worded hedged one."""
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return None
    rank = rows["qualifier"].map(lambda q: QUALIFIER_RANK.get(q, 1))
    top = rows[rank == rank.min()].sort_values(["value", "id"])
    row = top.iloc[(len(top) - 1) // 2]
    fact = _fact(row)
    return Fact(float(top["value"].median()), fact.qualifier, fact.period_start, fact.period_end,
                ";".join(top["id"].astype(str)), fact.published)  # fmt: skip


def _fact(row) -> Fact:
    get = row.get if isinstance(row, pd.Series) else lambda k: getattr(row, k)
    published = get("known_from")
    return Fact(float(get("value")), str(get("qualifier")), pd.Timestamp(get("period_start")),
                pd.Timestamp(get("period_end")), str(get("id")), None if pd.isna(published) else published)  # fmt: skip


def _publication_end(text) -> pd.Timestamp | None:
    """Last day a partial publication date can mean: ``2025-12`` → 2025-12-31, ``2024`` → 2024-12-31."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = text.strip()
    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        return None
    if len(text) == 4:
        return stamp + pd.offsets.YearEnd(0)
    if len(text) == 7:
        return stamp + pd.offsets.MonthEnd(0)
    return stamp
