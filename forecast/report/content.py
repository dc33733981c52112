"""What the report says, read from the store for one run: the outlook first, then targets, scores and data notes.

Kept apart from rendering so the HTML and the Markdown report show the same numbers. Every number about a series
comes from the run's outlook rows (the same paths ``forecast target`` and ``forecast predict --entity`` read).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.backtest.leaderboard import model_means
from forecast.backtest.metrics import inside, relative_error
from forecast.data.entities import KIND_DISPLAY_ORDER, KIND_NAMES
from forecast.data.schema import COUNT_METRICS, METRIC_UNITS
from forecast.data.summary import age_text
from forecast.data.vintage import PINNED, pinned_rows
from forecast.errors import InputError
from forecast.hierarchy.coherent import MOVED_NOTE
from forecast.hierarchy.coherent import NOTE as COHERENT_NOTE
from forecast.report.charts import (
    PaceChart,
    ReliabilityChart,
    SeriesChart,
    pace_chart,
    reliability_chart,
    series_chart,
)
from forecast.report.links import Cell, Details, Group, Link
from forecast.store import list_runs, read_table
from forecast.targets.outcome import outcome_label

DASH = "–"
UNITS = {metric: METRIC_UNITS[metric] for metric in COUNT_METRICS}  # the series' metrics, in display order
LEADERBOARD_METRICS = {
    "mase": "MASE",
    "scaled_crps": "Scaled CRPS",
    "coverage-80": "80% coverage",
    "coverage-95": "95% coverage",
}
STALE_WHY = "Stale: the latest known year is over two years old and nothing is known about the year in progress"
NOTE_CHARS = 48  # a note shows this much; the rest is behind a click
NEWS_SERIES = 12  # the news section shows this many series that moved (the nation first, then the largest moves)
AHEAD_YEARS = 1  # series charts draw the outlook up to the next full year; later years stay in the tables
LIST_IDS = 6  # a list of fact ids shows this many; the rest is behind a click


@dataclass
class Table:
    """A titled table of cells; ``note`` says how to read it or why it is empty."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


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


@dataclass
class PacePanel:
    """One series' pace chart: where the year in progress stands."""

    unique_id: str
    title: str
    chart: PaceChart
    caption: str


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


@dataclass
class Calibration:
    """How the decided targets' probabilities fared: Brier score against always saying the base rate."""

    cases: int
    brier: float
    base_rate: float
    brier_base: float
    chart: ReliabilityChart
    table: Table


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
    """Everything the report shows for ``run_id`` (default: the latest run), compared with earlier vintages."""
    runs = list_runs(store)
    if runs.empty:
        raise InputError("the store holds no runs yet: nothing to report")
    run_id = run_id or runs["run_id"].iloc[-1]
    if run_id not in set(runs["run_id"]):
        raise InputError(f"no run {run_id!r} in the store")
    runs = runs[runs["started_at"] <= runs.loc[runs["run_id"] == run_id, "started_at"].iloc[0]]
    labels = vintage_labels(runs)
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
    is_open = _open(current, as_of)
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


def _signed(value, digits: int = 0) -> str:
    return DASH if value is None or pd.isna(value) else f"{value:+,.{digits}f}"


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
        name = _title(entities, {"entity": entity, "metric": metric, "basis": basis})
        heads, moves = [], {}
        for y in (year, year + 1):
            mine = own[own["year"] == y]
            if mine.empty:
                continue
            before, after = float(mine["before"].iloc[0]), float(mine["after"].iloc[0])
            moves[y] = after - before
            heads.append(f"{y}: {fmt(before)} → {fmt(after)} ({_signed(after - before)}, {pct_signed(after, before)})")
        body.append(Group(f"{name} — {'; '.join(heads)}"))
        for _, part in own[own["step"] > 0].groupby("step", sort=True):
            first = part.iloc[0]
            cells = []
            for y in (year, year + 1):
                hit = part[part["year"] == y]
                c = float(hit["contribution"].iloc[0]) if len(hit) else np.nan
                share = c / moves[y] if y in moves and moves[y] and abs(moves[y]) > 1e-9 and pd.notna(c) else np.nan
                cells.append(DASH if pd.isna(c) else f"{_signed(c)}" + (f" ({share:.0%})" if pd.notna(share) else ""))
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
                cells.append(DASH if pd.isna(c) else _signed(c) + (f" ({share:.0%})" if pd.notna(share) else ""))
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
            _label(entities, dict(zip(("entity", "metric", "basis"), str(r.unique_id).split("/")))),
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


def pct_signed(after, before) -> str:
    return DASH if not before else f"{100 * (after / before - 1):+.1f}%"


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
    for uid, history, _ in _ordered(series, forecasts, entities):
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
        title = _title(entities, first)
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


def _no_outlooks(store, run_id: str) -> pd.DataFrame:
    """The run's series without an outlook (a store written before schema v4 has none recorded)."""
    try:
        return read_table(store, "no_outlooks", run_id)
    except InputError:
        return pd.DataFrame(columns=["unique_id", "reason", "stale", "latest_year", "latest_value"])


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
            label = _title(entities, {"entity": entity, "metric": metric, "basis": basis})
            known = f"{int(r.latest_year)}: {fmt(r.latest_value)}" if pd.notna(r.latest_year) else DASH
            why = "stale" if stale else notes_cell(str(r.reason).removeprefix(f"{r.unique_id}: "))
            body.append([label, known, why])
    note = (
        f"Series whose facts cannot support an outlook: their last known figure is the honest answer. {STALE_WHY}."
        if body
        else "Every series with facts has an outlook."
    )
    return Table("no-outlook", "Series without an outlook", columns, body, note)


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


def vintage_labels(runs: pd.DataFrame) -> dict[str, str]:
    """Run id → its start date, with the short run id added where two runs share a date (oldest first)."""
    dates = runs["started_at"].dt.strftime("%Y-%m-%d")
    clash = dates.duplicated(keep=False)
    return {rid: f"{d} ({rid[:6]})" if c else d for rid, d, c in zip(runs["run_id"], dates, clash)}


def links(ids, urls: dict[str, str]) -> list[Link]:
    """``;``-joined fact ids as links to their sources, each id once, in order (None or NaN: no links)."""
    parts = ids.split(";") if isinstance(ids, str) else []
    return [Link(i, urls.get(i)) for i in dict.fromkeys(p.strip() for p in parts) if i]


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


def _name(entities: pd.DataFrame, entity: str) -> str:
    return str(entities["name"].get(entity, entity)) if "name" in entities else entity


def _kind(entities: pd.DataFrame, entity: str) -> str:
    return str(entities["kind"].get(entity, "hub")) if "kind" in entities else "hub"


def _label(entities: pd.DataFrame, row) -> str:
    """A series as a table row names it: the entity, with a counting basis other than the headline one."""
    name = "Nation" if row["entity"] == "national" else _name(entities, row["entity"])
    return name + ("" if row["basis"] == "reported" else f" [{row['basis']}]")


def _title(entities: pd.DataFrame, row) -> str:
    return f"{_label(entities, row)} · {UNITS.get(row['metric'], row['metric'])}"


def latest_known(history: pd.DataFrame) -> tuple[int | None, float | None]:
    """The latest year the facts pin down (as the data layer's history does) and its value."""
    known = history[pinned_rows(history)]
    if known.empty:
        return None, None
    last = known.sort_values("ds").iloc[-1]
    return int(last["ds"].year), float(last["y"])


def _ordered(
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
        kind = _kind(entities, entity)
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
    coherent = "notes" in forecasts and forecasts["notes"].fillna("").str.contains(COHERENT_NOTE).any()
    point, centre = ("mean", "mean") if coherent else ("median", "q50")  # means add up; medians need not
    by_metric: dict[str, list] = {}
    for uid, history, own in _ordered(series, forecasts, entities):
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
            kind = KIND_NAMES.get(_kind(entities, str(first["entity"])), "Other")
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
                    _label(entities, first),
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
    for uid, history, own in _ordered(series, forecasts, entities):
        if as_of is not None:
            own = own[own["ds"].dt.year <= as_of.year + AHEAD_YEARS]
        first = history.iloc[0]
        unit = UNITS.get(first["metric"], first["metric"])
        title = _title(entities, first)
        model = text(own["model"].iloc[0]) if len(own) else ""
        caption = f"{unit} a year · {model}"
        notes = own["notes"].dropna().iloc[0] if "notes" in own and own["notes"].notna().any() else None
        panels.append(
            SeriesPanel(
                uid,
                title,
                KIND_NAMES.get(_kind(entities, str(first["entity"])), "Other"),
                series_chart(history, own, unit, f"{title}: history and outlook"),
                caption,
                notes_cell(notes) or None,
                links(";".join(history["sources"].dropna()), urls),
            )
        )
    return panels


def _open(checks: pd.DataFrame, as_of) -> np.ndarray:
    """Which targets are open: their period ends in the year the data runs to or later."""
    if checks.empty:
        return np.zeros(0, dtype=bool)
    if as_of is None:
        return checks["met"].isna().to_numpy()
    return (pd.to_datetime(checks["period_end"]).dt.year >= as_of.year).to_numpy()


def open_target_table(checks: pd.DataFrame, every: pd.DataFrame, labels: dict[str, str], urls) -> Table:
    """Targets whose period is not over: the odds now, the run-rate they need against the one so far, and how the
    odds moved across vintages."""
    title = "Open targets"
    columns = [
        "Target",
        "P(met)",
        "80% interval",
        "Run so far",
        "Needed a day",
        "Run a day so far",
        "Odds by vintage",
        "Sources",
    ]
    history = _odds_by_key(every, labels)
    rows = [
        [
            text(r.target),
            pct(r.probability),
            interval(r.lo_80, r.hi_80),
            fmt(r.observed) + (f" to {pd.Timestamp(r.observed_through):%d %b}" if pd.notna(r.observed_through) else ""),
            fmt(r.needed_per_day, 1),
            fmt(r.observed_per_day, 1),
            history.get(_key(r), DASH),
            links(r.sources, urls),
        ]
        for r in checks.sort_values("target").itertuples()
    ]
    return Table("open-targets", title, columns, rows, "" if rows else "No target is open for the year in progress.")


def decided_target_table(checks: pd.DataFrame, urls) -> Table:
    """Targets whose period is over: what the toolkit said when each was announced, beside what happened."""
    title = "Decided targets (judged as when announced)"
    columns = ["Target", "Announced", "P(met) then", "80% interval", "Outcome", "Met", "Notes", "Sources"]
    order = checks.assign(end=pd.to_datetime(checks["period_end"])).sort_values(
        ["end", "target"], ascending=[False, True]
    )
    rows = [
        [
            text(r.target),
            text(r.as_of)[:10],
            pct(r.probability),
            interval(r.lo_80, r.hi_80),
            outcome_label(r.outcome, r.outcome_lo, r.outcome_hi) or "not yet known",
            yes_no(r.met),
            notes_cell(r.notes),
            links(r.sources, urls),
        ]
        for r in order.itertuples()
    ]
    return Table("decided-targets", title, columns, rows, "" if rows else "No target's period is over yet.")


def calibration(checks: pd.DataFrame) -> Calibration | None:
    """Brier score of the decided targets against the base rate, and their reliability table."""
    from forecast.targets.calibration import brier, reliability

    cases = checks[checks["met"].notna() & checks["probability"].notna()]
    if cases.empty:
        return None
    p, y = cases["probability"].to_numpy(float), cases["met"].astype(float).to_numpy()
    base = float(y.mean())
    bins = reliability(p, y)
    table = Table(
        "reliability",
        "Reliability",
        ["P(met) bin", "Targets", "Mean P(met)", "Came true"],
        [[r.bin, str(r.n), pct(r.mean_p), pct(r.frequency)] for r in bins.itertuples()],
    )
    return Calibration(len(cases), brier(p, y), base, brier(np.full(len(y), base), y), reliability_chart(bins), table)


def _key(row) -> str:
    key = getattr(row, "target_key", None)
    return key if isinstance(key, str) and key else str(row.target)


def _odds_by_key(checks: pd.DataFrame, labels: dict[str, str]) -> dict[str, str]:
    """Target key → "40% (2025-01-05) → 55% (2025-02-05)" over the vintages that checked it."""
    out = {}
    order = {rid: i for i, rid in enumerate(labels)}
    for key, rows in checks.assign(key=[_key(r) for r in checks.itertuples()]).groupby("key"):
        rows = rows.sort_values("run_id", key=lambda ids: ids.map(order))
        out[key] = " → ".join(f"{pct(p)} ({labels[rid]})" for rid, p in zip(rows["run_id"], rows["probability"]))
    return out


def leaderboard_table(scores: pd.DataFrame) -> Table:
    """Backtest scores that compare across series of any size (MASE, scaled CRPS, interval coverage), averaged
    over the annual series, best MASE first."""
    title = "Backtest leaderboard (annual series)"
    if scores.empty:
        return Table("leaderboard", title, ["Model"], [], "No backtest scores in this run.")
    per_series = scores.pivot_table(index=["unique_id", "model"], columns="metric", values="value", dropna=False)
    metrics = [m for m in LEADERBOARD_METRICS if m in per_series.columns]
    wide = model_means(per_series.reset_index(), metrics).sort_values("mase")
    rows = [
        [
            str(m),
            str(wide.at[m, "series"]),
            *(pct(wide.at[m, k]) if k.startswith("coverage") else fmt(wide.at[m, k], 2) for k in metrics),
        ]
        for m in wide.index
    ]
    note = (
        "Rolling-origin windows over each series long enough for them. MASE and CRPS are scaled by the series' "
        "in-sample naive error (below 1 beats naive); coverage: how often the 80% and 95% intervals held the "
        "outcome."
    )
    return Table("leaderboard", title, ["Model", "Series", *(LEADERBOARD_METRICS[k] for k in metrics)], rows, note)


KNOWN, BOUNDED, PENDING = "known", "bounded", "not yet known"


def outcome_status(lo, hi) -> str:
    """How far the facts settle an outcome: ``known`` (pinned to :data:`PINNED`), ``bounded`` (some bound), else
    pending."""
    if pd.notna(lo) and pd.notna(hi) and np.isfinite(hi) and hi - lo <= PINNED * max(hi, 1.0):
        return KNOWN
    return BOUNDED if (pd.notna(lo) and lo > 0) or (pd.notna(hi) and np.isfinite(hi)) else PENDING


def outcome_tables(earlier: pd.DataFrame, series: pd.DataFrame, labels: dict[str, str]) -> tuple[Table, Table]:
    """Earlier vintages' annual forecasts against what this run's facts allow for those years: a known outcome
    is scored (% error, inside the 80% band), a bounded one only as inside or outside the facts' bounds, a year
    not known yet is listed as such — a partial year is never taken as the actual."""
    annual = earlier[earlier["freq"].fillna("annual") == "annual"] if "freq" in earlier else earlier
    facts = series[series["freq"] == "annual"][["unique_id", "ds", "y", "y_lo", "y_hi"]]
    order = {rid: i for i, rid in enumerate(labels)}
    joined = annual.merge(facts, on=["unique_id", "ds"], how="left").assign(vintage=lambda f: f["run_id"].map(order))
    joined = joined.sort_values(["vintage", "unique_id", "model", "ds"], kind="stable")
    joined["status"] = [outcome_status(lo, hi) for lo, hi in zip(joined["y_lo"], joined["y_hi"])]
    known = joined["status"] == KNOWN
    joined["ape"] = np.where(known, relative_error(joined["mean"], joined["y"]), np.nan)
    in_band = inside(joined["y"], joined["lo_80"], joined["hi_80"])
    in_bounds = inside(joined["mean"], joined["y_lo"].fillna(0), joined["y_hi"].fillna(np.inf))
    joined["inside"] = np.where(known, in_band, np.where(joined["status"] == BOUNDED, in_bounds, np.nan))
    scored = joined[joined["status"] != PENDING]
    summary = scored.groupby(["run_id", "model"], sort=False).agg(
        n=("y", "size"), known=("ape", "count"), mape=("ape", "mean"), cover=("inside", "mean")
    )
    summary_rows = [
        [labels[r.run_id], text(r.model), str(r.n), str(r.known), pct(r.mape), pct(r.cover)]
        for r in summary.reset_index().itertuples()
    ]
    point_rows = [
        [
            labels[r.run_id],
            text(r.unique_id),
            text(r.model),
            f"{r.ds:%Y}",
            fmt(r.mean),
            interval(r.lo_80, r.hi_80),
            r.status,
            outcome_label(r.y if r.status == KNOWN else None, r.y_lo, r.y_hi) or DASH,
            pct(r.ape),
            yes_no(r.inside if r.status != PENDING else None),
        ]
        for r in joined.itertuples()
        if r.status != PENDING
    ]
    pending = int((joined["status"] == PENDING).sum())
    empty = "No earlier vintage has forecasts for years this run knows anything about yet."
    summary_columns = ["Vintage", "Model", "Years scored", "Known", "MAPE (known)", "Inside 80% / bounds"]
    point_columns = [
        "Vintage",
        "Series",
        "Model",
        "Year",
        "Forecast",
        "80% interval",
        "Outcome",
        "Facts allow",
        "% error",
        "Inside",
    ]
    return (
        Table(
            "outcomes",
            "Forecast vs outcome (earlier vintages)",
            summary_columns,
            summary_rows,
            "" if summary_rows else empty,
        ),
        Table(
            "outcome-points",
            "Forecast vs outcome, point by point",
            point_columns,
            point_rows,
            f"{pending} more forecast year(s) are not yet known (no fact pins or bounds them yet): counted, not listed."
            if pending
            else ("" if point_rows else empty),
        ),
    )


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
