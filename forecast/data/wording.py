"""How one fact reads in a line (the news section's "what it says"): its period, its figure with the wording's
hedge, its growth rate."""

from __future__ import annotations

import pandas as pd

QUALIFIER_WORDS = {"more_than": "more than ", "at_least": "at least ", "nearly": "nearly ", "about": "about "}
"""How each qualifier of :data:`forecast.data.schema.QUALIFIERS` is written before a figure (``exact``: nothing)."""


def fact_text(row) -> str:
    """What one fact says, shortly: ``trains Jan–Mar 2026: 5,300 (+12.0% on the year before)``."""
    start, end = pd.Timestamp(row["period_start"]), pd.Timestamp(row["period_end"])
    if row.get("kind") == "cumulative":
        period = f"since launch to {end.date()}"
    elif start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        period = f"{start.year}"
    elif start.day == 1 and (end + pd.Timedelta(days=1)).day == 1 and start.year == end.year:
        period = f"{start:%b}–{end:%b} {end.year}" if start.month != end.month else f"{end:%b %Y}"
    else:
        period = f"{start.date()} – {end.date()}"
    value = row.get("value")
    wording = QUALIFIER_WORDS.get(str(row.get("qualifier") or ""), "")
    figure = f"{wording}{value:,.0f}" if value is not None and pd.notna(value) else ""
    growth = row.get("yoy_pct")
    rate = f"{float(growth):+.1f}% on the year before" if growth is not None and pd.notna(growth) else ""
    said = ", ".join(p for p in (figure, rate) if p) or "no figure"
    kind = {"target": "target: ", "average": "daily average, ", "max": "record day, "}.get(str(row.get("kind")), "")
    return f"{kind}{row['entity']} {row['metric']} {period}: {said}"
