"""Data notes: the facts set aside as conflicts, and the series the facts cannot support an outlook for."""

from __future__ import annotations

import pandas as pd

from forecast.report.cells import DASH, LIST_IDS, Table, fmt, links, notes_cell, pct, series_title, text
from forecast.report.links import Cell, Details, Group

STALE_WHY = "Stale: the latest known year is over two years old and nothing is known about the year in progress"


def conflict_table(conflicts: pd.DataFrame, urls: dict[str, str]) -> Table:
    """One row per fact set aside: what it said, by how much it missed, which kept facts it clashed with (never
    itself), and how it was resolved."""
    title = "Data conflicts"
    columns = ["Series", "Period", "Fact", "Statement", "Missed by", "Against", "Resolution"]
    rows = []
    for r in conflicts.itertuples():
        own = set(text(r.fact_id).split(";"))
        against = [i for i in text(getattr(r, "against", "")).split(";") if i and i not in own]
        series = text(getattr(r, "unique_id", "")) or f"{text(r.entity)}/{text(r.metric)}/{text(r.basis)}"
        end = getattr(r, "period_end", None)
        period = f"{r.ds:%Y-%m-%d}" + (f" – {pd.Timestamp(end):%Y-%m-%d}" if end is not None and pd.notna(end) else "")
        missed = getattr(r, "missed_by", None)
        relative = getattr(r, "relative", None)
        by = f"{fmt(missed)} ({pct(relative)})" if missed is not None and pd.notna(missed) else text(r.violation)
        if len(against) > LIST_IDS:
            clashes: Cell = Details(
                f"{', '.join(against[:LIST_IDS])} and {len(against) - LIST_IDS} more", ", ".join(against)
            )
        else:
            clashes = links(";".join(against), urls) if against else DASH
        rows.append(
            [
                series,
                period,
                links(r.fact_id, urls),
                text(getattr(r, "statement", None) or r.note),
                by,
                clashes,
                text(getattr(r, "resolution", "")) or "set aside",
            ]
        )
    return Table("conflicts", title, columns, rows, "" if rows else "No conflicts between sources in this run.")


def no_outlook_table(rows: pd.DataFrame, entities: pd.DataFrame) -> Table:
    """The series the facts cannot support an outlook for — stale ones first, one short row each (the note says
    once what stale means) — with their last known figure and why: listed apart, never as charts or outlook
    rows."""
    columns = ["Series", "Last known", "Why no outlook"]
    ordered = rows.sort_values(["stale", "unique_id"], ascending=[False, True])
    body: list = []
    for stale, part in ordered.groupby("stale", sort=False):
        body.append(Group(f"Stale ({len(part)})" if stale else f"Other reasons ({len(part)})"))
        for r in part.itertuples():
            entity, metric, basis = str(r.unique_id).split("/")
            label = series_title(entities, {"entity": entity, "metric": metric, "basis": basis})
            known = f"{int(r.latest_year)}: {fmt(r.latest_value)}" if pd.notna(r.latest_year) else DASH
            why = "stale" if stale else notes_cell(str(r.reason).removeprefix(f"{r.unique_id}: "))
            body.append([label, known, why])
    note = (
        f"Series whose facts cannot support an outlook: their last known figure is the honest answer. {STALE_WHY}."
        if body
        else "Every series with facts has an outlook."
    )
    return Table("no-outlook", "Series without an outlook", columns, body, note)
