"""What the report says, read from the store for one run: tables of cells and the per-series data to chart.

Kept apart from rendering so the HTML and the Markdown report show the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.report.escape import Cell, Link
from forecast.store import list_runs, read_table
from forecast.targets.outcome import outcome_label

PRIMARY_METRIC = "mase"
DASH = "–"


@dataclass
class Table:
    """A titled table of cells; ``note`` says how to read it or why it is empty."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class SeriesView:
    """One series: its reconciled history, the forecast of the model shown, and the facts behind it."""

    unique_id: str
    title: str
    history: pd.DataFrame
    forecast: pd.DataFrame
    model: str | None
    sources: list[Link] = field(default_factory=list)


@dataclass
class ReportContent:
    """Everything one report shows, in the order it shows it (``run`` is the run's row of ``runs``)."""

    run: dict
    targets: Table
    movement: Table
    leaderboard: Table
    series: list[SeriesView]
    outcomes: Table
    outcome_points: Table
    conflicts: Table


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
    urls = source_urls(observations)
    series = read_table(store, "series", run_id)
    forecasts = read_table(store, "forecasts")
    scores = read_table(store, "scores", run_id)
    checks = read_table(store, "target_checks")
    checks = checks[checks["run_id"].isin(labels)]
    earlier = forecasts[forecasts["run_id"].isin(labels) & (forecasts["run_id"] != run_id)]
    outcomes, outcome_points = outcome_tables(earlier, series, labels)
    return ReportContent(
        run=runs[runs["run_id"] == run_id].iloc[0].to_dict(),
        targets=target_table(checks[checks["run_id"] == run_id], urls),
        movement=movement_table(checks, labels),
        leaderboard=leaderboard_table(scores),
        series=series_views(series, forecasts[forecasts["run_id"] == run_id], scores, urls),
        outcomes=outcomes,
        outcome_points=outcome_points,
        conflicts=conflict_table(read_table(store, "conflicts", run_id), urls),
    )


def source_urls(observations: pd.DataFrame | None) -> dict[str, str]:
    """Fact id → source URL, from ``observations`` or the data layer when it is installed (else no links)."""
    if observations is None:
        try:
            from forecast.data import load_observations
        except ImportError:
            return {}
        observations = load_observations()
    table = observations.dropna(subset=["id", "source_url"])
    return dict(zip(table["id"].astype(str), table["source_url"].astype(str)))


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
    return f"{fmt(lo)} – {fmt(hi)}"


def pct(value) -> str:
    return DASH if value is None or pd.isna(value) else f"{100 * value:.0f}%"


def target_table(checks: pd.DataFrame, urls: dict[str, str]) -> Table:
    rows = [
        [text(r.target), pct(r.probability), fmt(r.expected), interval(r.lo_80, r.hi_80),
         fmt(r.observed) + (f" (to {r.observed_through:%Y-%m-%d})" if pd.notna(r.observed_through) else ""),
         outcome_label(r.outcome, r.outcome_lo, r.outcome_hi) or DASH,
         yes_no(r.met), links(r.sources, urls), text(r.notes)]
        for r in checks.sort_values("target").itertuples()
    ]  # fmt: skip
    columns = ["Target", "P(met)", "Expected", "80% interval", "Observed", "Outcome", "Met", "Sources", "Notes"]
    return Table("targets", "Targets", columns, rows, "" if rows else "No target checks in this run.")


def movement_table(checks: pd.DataFrame, labels: dict[str, str]) -> Table:
    """One row per target, one column per vintage: how the probability of meeting it moved."""
    title = "Target probability across vintages"
    if checks.empty:
        return Table("movement", title, ["Target"], [], "No target checks yet.")
    # Same target across vintages = same key (v1 rows have none: their label stands in); shown by its latest label.
    key = checks["target_key"].fillna(checks["target"]) if "target_key" in checks else checks["target"]
    checks = checks.assign(key=key)
    latest = checks.sort_values("run_id", key=lambda ids: ids.map(list(labels).index)).groupby("key")["target"].last()
    wide = checks.pivot_table(index="key", columns="run_id", values="probability", aggfunc="first", dropna=False)
    present = [rid for rid in labels if rid in wide.columns]
    rows = [[text(latest[k]), *(pct(wide.at[k, rid]) for rid in present)] for k in wide.index]
    note = "" if len(present) > 1 else "Only one vintage so far: movement shows from the next run on."
    return Table("movement", title, ["Target", *(labels[r] for r in present)], rows, note)


def leaderboard_table(scores: pd.DataFrame) -> Table:
    """Backtest scores averaged over series, one row per model, best first on the primary metric."""
    if scores.empty:
        return Table("leaderboard", "Backtest leaderboard", ["Model"], [], "No backtest scores in this run.")
    wide = scores.pivot_table(index="model", columns="metric", values="value", aggfunc="mean")
    metrics = sorted(wide.columns, key=lambda m: (m != PRIMARY_METRIC, m))
    wide = wide[metrics].sort_values(metrics[0], na_position="last", kind="stable")
    counts = scores.groupby("model")["unique_id"].nunique()
    rows = [[str(m), str(counts[m]), *(fmt(wide.at[m, k], 3) for k in metrics)] for m in wide.index]
    note = f"Mean over series of each metric; sorted by {metrics[0]} (lower is better)."
    return Table("leaderboard", "Backtest leaderboard", ["Model", "Series", *metrics], rows, note)


KNOWN, BOUNDED, PENDING = "known", "bounded", "not yet known"


def outcome_status(lo, hi) -> str:
    """How far the facts settle an outcome: ``known`` (pinned to 10%), ``bounded`` (some bound), else pending."""
    if pd.notna(lo) and pd.notna(hi) and np.isfinite(hi) and hi - lo <= 0.10 * max(hi, 1.0):
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
    joined["ape"] = ((joined["mean"] - joined["y"]).abs() / joined["y"].abs().replace(0, np.nan)).where(known)
    in_band = (joined["lo_80"] <= joined["y"]) & (joined["y"] <= joined["hi_80"])
    in_bounds = (joined["mean"] >= joined["y_lo"].fillna(0)) & (joined["mean"] <= joined["y_hi"].fillna(np.inf))
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
        [labels[r.run_id], text(r.unique_id), text(r.model), f"{r.ds:%Y}", fmt(r.mean), interval(r.lo_80, r.hi_80),
         r.status, outcome_label(r.y if r.status == KNOWN else None, r.y_lo, r.y_hi) or DASH,
         pct(r.ape), yes_no(r.inside if r.status != PENDING else None)]
        for r in joined.itertuples()
    ]  # fmt: skip
    empty = "No earlier vintage has forecasts for years this run knows anything about yet."
    summary_columns = ["Vintage", "Model", "Years scored", "Known", "MAPE (known)", "Inside 80% / bounds"]
    point_columns = ["Vintage", "Series", "Model", "Year", "Forecast", "80% interval", "Outcome", "Facts allow",
                     "% error", "Inside"]  # fmt: skip
    return (
        Table("outcomes", "Forecast vs outcome (earlier vintages)", summary_columns, summary_rows,
              "" if summary_rows else empty),
        Table("outcome-points", "Forecast vs outcome, point by point", point_columns, point_rows,
              "" if point_rows else empty),
    )  # fmt: skip


def conflict_table(conflicts: pd.DataFrame, urls: dict[str, str]) -> Table:
    rows = [
        [text(r.entity), text(r.metric), text(r.basis), f"{r.ds:%Y-%m-%d}" if pd.notna(r.ds) else DASH,
         links(r.fact_id, urls), text(r.violation), yes_no(r.kept), text(r.note)]
        for r in conflicts.itertuples()
    ]  # fmt: skip
    columns = ["Entity", "Metric", "Basis", "Date", "Fact", "Violation", "Kept", "Note"]
    note = "" if rows else "No conflicts between sources in this run."
    return Table("conflicts", "Data conflicts", columns, rows, note)


def series_views(series: pd.DataFrame, forecasts: pd.DataFrame, scores: pd.DataFrame, urls) -> list[SeriesView]:
    """One view per series with an outlook in this run (every series when the run has none), national first:
    its annual history and the outlook's annual rows — the same paths the target table reads."""
    views = []
    annual_rows = forecasts[forecasts["freq"].fillna("annual") == "annual"] if "freq" in forecasts else forecasts
    forecast_ids = set(annual_rows["unique_id"])
    annual = series[series["freq"] == "annual"] if (series["freq"] == "annual").any() else series
    for uid, history in annual.groupby("unique_id", sort=True):
        if forecast_ids and uid not in forecast_ids:
            continue
        own = annual_rows[annual_rows["unique_id"] == uid].sort_values("ds")
        model = str(own["model"].iloc[0]) if len(own) else None
        first = history.iloc[0]
        title = " · ".join(text(first[c]) for c in ("entity", "metric", "basis") if pd.notna(first[c]))
        sources = links(";".join(history["sources"].dropna()), urls)
        views.append(SeriesView(str(uid), title or str(uid), history.sort_values("ds"), own, model, sources))
    return sorted(views, key=lambda v: (not v.unique_id.startswith("national/"), v.unique_id))
