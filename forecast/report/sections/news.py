"""What changed since the last report (:mod:`forecast.outlook.news`): the series that moved and the facts that
moved them, the target odds that moved and every fact that arrived."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.report.cells import (
    DASH,
    Table,
    fmt,
    links,
    notes_cell,
    pct,
    pct_signed,
    series_label,
    series_title,
    signed,
    text,
)
from forecast.report.links import Group

NEWS_SERIES = 12  # the news section shows this many series that moved (the nation first, then the largest moves)


@dataclass
class NewsSection:
    """What changed since the last report: the series that moved and the facts that moved them (``moves``), the
    target odds that moved (``odds``) and every fact that arrived (``arrived``)."""

    lead: str
    moves: Table
    odds: Table
    arrived: Table
    key: str = "news"
    title: str = "What changed since the last report"


def news_section(rows: pd.DataFrame, entities: pd.DataFrame, urls: dict[str, str]) -> NewsSection:
    """The report's first section (:mod:`forecast.outlook.news`): per series that moved, before and after, and
    each new fact's contribution to the move, in publication order, with what else changed apart."""
    summary = rows[rows["kind"] == "summary"]
    since, as_of = pd.Timestamp(rows["since"].dropna().iloc[0]), pd.Timestamp(rows["as_of"].dropna().iloc[0])
    point = str(summary["note"].iloc[0]) if len(summary) and pd.notna(summary["note"].iloc[0]) else "mean"
    other = text(summary["what"].iloc[0]) if len(summary) else ""
    arrived = rows[rows["kind"] == "arrived"].sort_values(["published", "fact_ids"], kind="stable")
    steps = rows[rows["kind"].isin(["fact", "other"])]
    year = as_of.year
    columns = ["New fact", "Published", f"{year} moved by", f"{year + 1} moved by", "What it says"]
    order = []
    for uid, own in steps.groupby("unique_id"):
        moves = (own["after"] - own["before"]) / own["before"].abs().clip(lower=1.0)
        facts_first = not (own["kind"] == "fact").any()
        order.append((uid != "national/trains/reported", facts_first, -float(moves.abs().max()), uid, own))
    order.sort(key=lambda item: item[:4])
    body: list = []
    for *_, uid, own in order[:NEWS_SERIES]:
        entity, metric, basis = uid.split("/")
        name = series_title(entities, {"entity": entity, "metric": metric, "basis": basis})
        heads, moves = [], {}
        for y in (year, year + 1):
            mine = own[own["year"] == y]
            if mine.empty:
                continue
            before, after = float(mine["before"].iloc[0]), float(mine["after"].iloc[0])
            moves[y] = after - before
            heads.append(f"{y}: {fmt(before)} → {fmt(after)} ({signed(after - before)}, {pct_signed(after, before)})")
        body.append(Group(f"{name} — {'; '.join(heads)}"))
        for _, part in own[own["step"] > 0].groupby("step", sort=True):
            first = part.iloc[0]
            cells = []
            for y in (year, year + 1):
                hit = part[part["year"] == y]
                c = float(hit["contribution"].iloc[0]) if len(hit) else np.nan
                share = c / moves[y] if y in moves and moves[y] and abs(moves[y]) > 1e-9 and pd.notna(c) else np.nan
                cells.append(DASH if pd.isna(c) else f"{signed(c)}" + (f" ({share:.0%})" if pd.notna(share) else ""))
            body.append(
                [
                    links(first["fact_ids"], urls),
                    f"{pd.Timestamp(first['published']):%Y-%m-%d}",
                    *cells,
                    notes_cell(first["what"]) if len(text(first["what"])) > 160 else text(first["what"]),
                ]
            )
        rest = own[own["step"] == 0]
        negligible = (rest["contribution"].abs() < 0.5).all() and (own["kind"] == "fact").any()
        if len(rest) and not negligible:
            cells = []
            for y in (year, year + 1):
                hit = rest[rest["year"] == y]
                c = float(hit["contribution"].iloc[0]) if len(hit) else np.nan
                share = c / moves[y] if y in moves and abs(moves.get(y, 0.0)) > 1e-9 and pd.notna(c) else np.nan
                cells.append(DASH if pd.isna(c) else signed(c) + (f" ({share:.0%})" if pd.notna(share) else ""))
            ids = links(rest["fact_ids"].iloc[0], urls)
            body.append([ids or "other changes", DASH, *cells, notes_cell(text(rest["what"].iloc[0]))])
    left = len(order) - NEWS_SERIES
    n_new, n_late = int((arrived["note"] == "new").sum()), int((arrived["note"] == "late addition").sum())
    lead = (
        f"From the vintage of {since:%d %B %Y} to that of {as_of:%d %B %Y}: {n_new} new fact(s)"
        + (f" and {n_late} added late with an earlier publication date (data corrections)" if n_late else "")
        + f". Listed: series whose {year} or {year + 1} {point} moved by more than 2%, or that a new fact is about"
        + (f" ({left} more not shown)" if left > 0 else "")
        + ". Each step adds the facts published on one day to all those before it, in publication order, and "
        "rebuilds the outlook with the same model, seed and paths: the split is sequential, so a fact's share "
        "depends on the facts before it (moved by: each step's contribution and its share of the move). "
        "Other changes: what the steps do not explain"
        + (f" ({other})" if other else " (shared growth pools and share profiles, reconciliation, model and code)")
        + "."
    )
    moves_table = Table("news-moves", "Series that moved", columns, body, "" if body else "No series moved.")
    odds_rows = [
        [text(r.unique_id), pct(r.before), pct(r.after), f"{100 * (r.after - r.before):+.0f} points"]
        for r in rows[rows["kind"] == "target"].itertuples()
    ]
    odds = Table(
        "news-odds",
        "Target odds that moved by 5 points or more",
        ["Target", "Before", "After", "Move"],
        odds_rows,
        "" if odds_rows else "No open target's odds moved by 5 points or more.",
    )
    arrived_rows = [
        [
            links(r.fact_ids, urls),
            series_label(entities, dict(zip(("entity", "metric", "basis"), str(r.unique_id).split("/")))),
            f"{pd.Timestamp(r.published):%Y-%m-%d}",
            text(r.what),
            text(r.note),
        ]
        for r in arrived.itertuples()
    ]
    arrived_table = Table(
        "news-facts",
        "Facts that arrived",
        ["Fact", "Series", "Published", "What it says", "How"],
        arrived_rows,
        "" if arrived_rows else "No fact arrived since the last vintage.",
    )
    return NewsSection(lead, moves_table, odds, arrived_table)
