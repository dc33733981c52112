"""What the report says, read from the store for one run: the outlook first, then targets, scores and data notes.

Kept apart from rendering so the HTML and the Markdown report show the same numbers. Every number about a series
comes from the run's outlook rows (the same paths ``forecast target`` and ``forecast predict --entity`` read).
Each section is built in its own module of :mod:`forecast.report.sections`, from the cells of
:mod:`forecast.report.cells`; this module gathers them for one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from forecast.data.summary import age_text
from forecast.errors import InputError
from forecast.report.cells import Table, entity_table, run_labels, source_urls
from forecast.report.links import Group
from forecast.report.sections.data import conflict_table, no_outlook_table
from forecast.report.sections.news import NewsSection, news_section
from forecast.report.sections.outlook import SeriesPanel, outlook_tables, series_panels
from forecast.report.sections.pace import PacePanel, pace_panels
from forecast.report.sections.scores import leaderboard_table, outcome_tables
from forecast.report.sections.targets import (
    Calibration,
    calibration,
    decided_target_table,
    open_mask,
    open_target_table,
)
from forecast.store import list_runs, read_table

__all__ = ["Group", "ReportContent", "entity_table", "gather", "no_outlook_table", "outlook_tables"]


@dataclass
class ReportContent:
    """Everything one report shows, in the order it shows it (``run`` is the run's row of ``runs``)."""

    run: dict
    as_of: pd.Timestamp | None
    outlook: list[Table]
    panels: list[SeriesPanel]
    open_targets: Table
    decided_targets: Table
    calibration: Calibration | None
    leaderboard: Table
    outcomes: Table
    outcome_points: Table
    conflicts: Table
    no_outlook: Table
    age: str = ""
    news: NewsSection | None = None
    pace: list[PacePanel] = field(default_factory=list)


def gather(store, run_id: str | None = None, observations: pd.DataFrame | None = None) -> ReportContent:
    """Everything the report shows for ``run_id`` (default: the latest run), compared with earlier runs."""
    runs = list_runs(store)
    if runs.empty:
        raise InputError("the store holds no runs yet: nothing to report")
    run_id = run_id or runs["run_id"].iloc[-1]
    if run_id not in set(runs["run_id"]):
        raise InputError(f"no run {run_id!r} in the store")
    runs = runs[runs["started_at"] <= runs.loc[runs["run_id"] == run_id, "started_at"].iloc[0]]
    labels = run_labels(runs)
    urls, entities = source_urls(observations), entity_table()
    series = read_table(store, "series", run_id)
    forecasts = read_table(store, "forecasts")
    mine = forecasts[forecasts["run_id"] == run_id]
    as_of = pd.Timestamp(mine["as_of"].dropna().max()) if "as_of" in mine and mine["as_of"].notna().any() else None
    checks = read_table(store, "target_checks")
    checks = checks[checks["run_id"].isin(labels)]
    earlier = forecasts[forecasts["run_id"].isin(labels) & (forecasts["run_id"] != run_id)]
    outcomes, outcome_points = outcome_tables(earlier, series, labels)
    current = checks[checks["run_id"] == run_id]
    is_open = open_mask(current, as_of)
    news_rows, pace_rows = _optional(store, "news", run_id), _optional(store, "pace", run_id)
    return ReportContent(
        run=runs[runs["run_id"] == run_id].iloc[0].to_dict(),
        as_of=as_of,
        outlook=outlook_tables(series, mine, entities, as_of),
        panels=series_panels(series, mine, entities, urls, as_of),
        open_targets=open_target_table(current[is_open], checks, labels, urls),
        decided_targets=decided_target_table(current[~is_open], urls),
        calibration=calibration(current[~is_open]),
        leaderboard=leaderboard_table(read_table(store, "scores", run_id)),
        outcomes=outcomes,
        outcome_points=outcome_points,
        conflicts=conflict_table(read_table(store, "conflicts", run_id), urls),
        no_outlook=no_outlook_table(_no_outlooks(store, run_id), entities),
        age=age_text(as_of) if as_of is not None else "",
        news=news_section(news_rows, entities, urls) if len(news_rows) else None,
        pace=pace_panels(pace_rows, series, mine, entities, current[is_open], as_of),
    )


def _optional(store, table: str, run_id: str) -> pd.DataFrame:
    """A table a store written before its schema version keeps no rows of (empty then)."""
    try:
        return read_table(store, table, run_id)
    except InputError:
        return pd.DataFrame()


def _no_outlooks(store, run_id: str) -> pd.DataFrame:
    """The run's series without an outlook (a store written before schema v4 has none recorded)."""
    try:
        return read_table(store, "no_outlooks", run_id)
    except InputError:
        return pd.DataFrame(columns=["unique_id", "reason", "stale", "latest_year", "latest_value"])
