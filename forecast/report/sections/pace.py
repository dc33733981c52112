"""Where the year stands: a pace chart per series with facts about the year in progress."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.report.cells import UNITS, fmt, interval, series_title, text
from forecast.report.charts import PaceChart, pace_chart
from forecast.report.sections.outlook import ordered_series


@dataclass
class PacePanel:
    """One series' pace chart: where the year in progress stands."""

    unique_id: str
    title: str
    chart: PaceChart
    caption: str


def pace_panels(
    rows: pd.DataFrame,
    series: pd.DataFrame,
    forecasts: pd.DataFrame,
    entities: pd.DataFrame,
    open_checks: pd.DataFrame,
    as_of,
) -> list[PacePanel]:
    """A pace chart for every series with facts about the year in progress, in the outlook table's order."""
    if rows.empty or as_of is None:
        return []
    panels = []
    for uid, history, _ in ordered_series(series, forecasts, entities):
        own = rows[rows["unique_id"] == uid]
        if own.empty:
            continue
        first = history.iloc[0]
        unit = UNITS.get(first["metric"], first["metric"])
        targets = [
            (float(t.threshold), text(t.target))
            for t in open_checks.itertuples()
            if f"{t.entity}/{t.metric}/reported" == uid
            and pd.Timestamp(t.period_end).year == as_of.year
            and text(t.comparison) in ("at_least", "more_than")
            and pd.notna(t.threshold)
            and text(getattr(t, "kind", "absolute")) != "growth"
        ]
        title = series_title(entities, first)
        chart = pace_chart(own, targets, as_of, unit, f"{title}: {as_of.year} so far against its pace")
        outlook = own[own["line"] == "outlook"]
        end = outlook.sort_values("ds").iloc[-1] if len(outlook) else None
        caption = (
            f"{as_of.year} so far, to {as_of:%d %b}; heading for a median of {fmt(end['y'])} "
            f"(80%: {interval(end['lo_80'], end['hi_80'])})"
            if end is not None
            else ""
        )
        panels.append(PacePanel(uid, title, chart, caption))
    return panels
