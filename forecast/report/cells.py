"""The report's cells: how a number, a share, an interval, a note and a list of fact ids show, how a series is
named, and the titled :class:`Table` every section fills."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.schema import COUNT_METRICS, METRIC_UNITS
from forecast.report.links import Cell, Details, Link

DASH = "–"
UNITS = {metric: METRIC_UNITS[metric] for metric in COUNT_METRICS}  # the series' metrics, in display order
NOTE_CHARS = 48  # a note shows this much; the rest is behind a click
LIST_IDS = 6  # a list of fact ids shows this many; the rest is behind a click


@dataclass
class Table:
    """A titled table of cells; ``note`` says how to read it or why it is empty."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


def signed(value, digits: int = 0) -> str:
    return DASH if value is None or pd.isna(value) else f"{value:+,.{digits}f}"


def pct_signed(after, before) -> str:
    return DASH if not before else f"{100 * (after / before - 1):+.1f}%"


def text(value) -> str:
    """A text cell: missing values as empty text."""
    return "" if value is None or pd.isna(value) else str(value)


def yes_no(value) -> str:
    return DASH if value is None or pd.isna(value) else ("yes" if value else "no")


def fmt(value, digits: int = 0) -> str:
    """A number for people: thousands separated, missing as a dash, infinity as ∞."""
    if value is None or pd.isna(value):
        return DASH
    return "∞" if np.isinf(value) else f"{value:,.{digits}f}"


def interval(lo, hi) -> str:
    missing = (lo is None or pd.isna(lo)) and (hi is None or pd.isna(hi))
    return DASH if missing else f"{fmt(lo)} – {fmt(hi)}"


def pct(value) -> str:
    return DASH if value is None or pd.isna(value) else f"{100 * value:.0f}%"


def notes_cell(notes) -> Details | str:
    """A long note as its first clause, the rest behind a click."""
    full = text(notes)
    if not full:
        return ""
    head = full.split("; ")[0]
    short = head if len(head) <= NOTE_CHARS else head[: NOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return Details(short, full) if full != short else full


def links(ids, urls: dict[str, str]) -> list[Link]:
    """``;``-joined fact ids as links to their sources, each id once, in order (None or NaN: no links)."""
    parts = ids.split(";") if isinstance(ids, str) else []
    return [Link(i, urls.get(i)) for i in dict.fromkeys(p.strip() for p in parts) if i]


def entity_name(entities: pd.DataFrame, entity: str) -> str:
    return str(entities["name"].get(entity, entity)) if "name" in entities else entity


def entity_kind(entities: pd.DataFrame, entity: str) -> str:
    return str(entities["kind"].get(entity, "hub")) if "kind" in entities else "hub"


def series_label(entities: pd.DataFrame, row) -> str:
    """A series as a table row names it: the entity, with a counting basis other than the headline one."""
    name = "Nation" if row["entity"] == "national" else entity_name(entities, row["entity"])
    return name + ("" if row["basis"] == "reported" else f" [{row['basis']}]")


def series_title(entities: pd.DataFrame, row) -> str:
    return f"{series_label(entities, row)} · {UNITS.get(row['metric'], row['metric'])}"


def source_urls(observations: pd.DataFrame | None) -> dict[str, str]:
    """Fact id → source URL, from ``observations`` or the data layer's (bundled plus the user's)."""
    if observations is None:
        from forecast.data import load_observations

        observations = load_observations()
    table = observations.dropna(subset=["id", "source_url"])
    return dict(zip(table["id"].astype(str), table["source_url"].astype(str)))


def entity_table() -> pd.DataFrame:
    """The entity catalogue indexed by slug (name, kind)."""
    from forecast.data import entity_catalogue

    return entity_catalogue().set_index("slug")


def run_labels(runs: pd.DataFrame) -> dict[str, str]:
    """Run id → its start date, with the short run id added where two runs share a date (oldest first)."""
    dates = runs["started_at"].dt.strftime("%Y-%m-%d")
    clash = dates.duplicated(keep=False)
    return {rid: f"{d} ({rid[:6]})" if c else d for rid, d, c in zip(runs["run_id"], dates, clash)}
