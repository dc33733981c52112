"""The outlook section: per metric a table of the year in progress and the next, and a small multiple per series."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.data.entities import KIND_DISPLAY_ORDER, KIND_NAMES
from forecast.data.vintage import pinned_rows
from forecast.outlook.coherence import MOVED_NOTE
from forecast.report.cells import (
    DASH,
    UNITS,
    Table,
    entity_kind,
    fmt,
    interval,
    links,
    notes_cell,
    pct,
    series_label,
    series_title,
    text,
)
from forecast.report.charts import SeriesChart, series_chart
from forecast.report.links import Details, Group, Link

AHEAD_YEARS = 1  # series charts draw the outlook up to the next full year; later years stay in the tables


@dataclass
class SeriesPanel:
    """One series' small multiple: its chart, its caption and what it rests on."""

    unique_id: str
    title: str
    group: str
    chart: SeriesChart
    caption: str
    notes: Details | None = None
    sources: list[Link] = field(default_factory=list)


def latest_known(history: pd.DataFrame) -> tuple[int | None, float | None]:
    """The latest year the facts pin down (as the data layer's history does) and its value."""
    known = history[pinned_rows(history)]
    if known.empty:
        return None, None
    last = known.sort_values("ds").iloc[-1]
    return int(last["ds"].year), float(last["y"])


def ordered_series(
    series: pd.DataFrame, forecasts: pd.DataFrame, entities: pd.DataFrame
) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(uid, annual history, annual outlook rows) of every outlook series: trains first, then by kind (nation
    first), then by size."""
    annual = series[series["freq"] == "annual"]
    rows = forecasts[forecasts["freq"].fillna("annual") == "annual"] if "freq" in forecasts else forecasts
    found = []
    for uid, own in rows.groupby("unique_id", sort=True):
        history = annual[annual["unique_id"] == uid]
        if history.empty:
            continue
        entity = str(history["entity"].iloc[0])
        kind = entity_kind(entities, entity)
        size = latest_known(history)[1] or 0.0
        rank = KIND_DISPLAY_ORDER.index(kind) if kind in KIND_DISPLAY_ORDER else len(KIND_DISPLAY_ORDER)
        metric = str(history["metric"].iloc[0])
        order = list(UNITS).index(metric) if metric in UNITS else len(UNITS)
        found.append(((order, rank, -size, uid), uid, history, own.sort_values("ds")))
    return [(uid, history, own) for _, uid, history, own in sorted(found, key=lambda item: item[0])]


def outlook_tables(series: pd.DataFrame, forecasts: pd.DataFrame, entities: pd.DataFrame, as_of) -> list[Table]:
    """The first tables: per metric (trains first), per series grouped nation → port groups → ports → corridors →
    hubs, the year in progress (run so far, where it is heading, the odds of passing the year before) and the
    next year."""
    if forecasts.empty or as_of is None:
        return [Table("outlook", "Outlook", ["Series"], [], "No outlook in this run.")]
    year = as_of.year
    coherent = "reconciled" in forecasts and forecasts["reconciled"].notna().any()
    point, centre = ("mean", "mean") if coherent else ("median", "q50")  # means add up; medians need not
    by_metric: dict[str, list] = {}
    for uid, history, own in ordered_series(series, forecasts, entities):
        by_metric.setdefault(str(history["metric"].iloc[0]), []).append((uid, history, own))
    tables = []
    for metric in sorted(by_metric, key=lambda m: list(UNITS).index(m) if m in UNITS else len(UNITS)):
        columns = [
            "Series",
            "Latest full year",
            f"{year} so far",
            f"{year}: {point} (80%)",
            f"P(> {year - 1})",
            f"{year + 1}: {point} (80%)",
            "Moved by facts",
        ]
        rows, group = [], None
        for _, history, own in by_metric[metric]:
            first = history.iloc[0]
            now, later = own[own["ds"].dt.year == year], own[own["ds"].dt.year == year + 1]
            if now.empty:
                continue
            kind = KIND_NAMES.get(entity_kind(entities, str(first["entity"])), "Other")
            if kind != group:
                rows.append(Group(kind))
                group = kind
            r, nxt = now.iloc[0], (later.iloc[0] if len(later) else None)
            known_year, known_value = latest_known(history)
            latest = f"{known_year}: {fmt(known_value)}" if known_year else "none"
            if known_year and known_year < year - 1:
                latest += " (old)"
            seen = text(r.get("observed_text")) or (
                f"{fmt(r['observed'])} to {r['observed_through']:%d %b}" if pd.notna(r.get("observed")) else DASH
            )
            prior = r.get("prior_mean")
            moved = r["mean"] / prior - 1 if prior is not None and pd.notna(prior) and prior > 0 else np.nan
            rows.append(
                [
                    series_label(entities, first),
                    latest,
                    seen,
                    f"{fmt(r[centre])} ({interval(r['lo_80'], r['hi_80'])})",
                    pct(r.get("p_up")),
                    f"{fmt(nxt[centre])} ({interval(nxt['lo_80'], nxt['hi_80'])})" if nxt is not None else DASH,
                    DASH if pd.isna(moved) or abs(moved) < MOVED_NOTE else f"{100 * moved:+.0f}%",
                ]
            )
        unit = UNITS.get(metric, metric)
        title = f"Outlook: {unit}, {year} and {year + 1}"
        tables.append(Table(f"outlook-{metric}", title, columns, rows))
    tables[0].note = (
        f"Facts published up to {as_of:%d %B %Y}. So far: what the facts say had run by then. {point.capitalize()} "
        "and 80% interval of the outlook's paths, which are conditioned on every fact about the year. "
        "Moved by facts: the outlook's mean against the annual model's before this year's facts"
        f"{' (and the reconciliation)' if coherent else ''}. "
        "(old): the latest full year is more than a year before the data's date."
    ) + (
        " The paths are reconciled within each metric and counting basis: a parent's are the sum of its parts' "
        "and of what they do not itemise, so the means shown add up (intervals do not add)."
        if coherent
        else ""
    )
    return tables


def series_panels(
    series: pd.DataFrame, forecasts: pd.DataFrame, entities: pd.DataFrame, urls, as_of=None
) -> list[SeriesPanel]:
    """A small multiple for every outlook series, in the outlook table's order: history and the outlook up to the
    next full year (:data:`AHEAD_YEARS`; the years further out stay in the tables)."""
    panels = []
    for uid, history, own in ordered_series(series, forecasts, entities):
        if as_of is not None:
            own = own[own["ds"].dt.year <= as_of.year + AHEAD_YEARS]
        first = history.iloc[0]
        unit = UNITS.get(first["metric"], first["metric"])
        title = series_title(entities, first)
        model = text(own["model"].iloc[0]) if len(own) else ""
        caption = f"{unit} a year · {model}"
        notes = own["notes"].dropna().iloc[0] if "notes" in own and own["notes"].notna().any() else None
        panels.append(
            SeriesPanel(
                uid,
                title,
                KIND_NAMES.get(entity_kind(entities, str(first["entity"])), "Other"),
                series_chart(history, own, unit, f"{title}: history and outlook"),
                caption,
                notes_cell(notes) or None,
                links(";".join(history["sources"].dropna()), urls),
            )
        )
    return panels
