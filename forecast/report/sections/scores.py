"""How forecasts fared: the backtest leaderboard, and earlier runs' forecasts against what the facts now allow."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.backtest.leaderboard import model_means
from forecast.backtest.metrics import inside, relative_error
from forecast.data.vintage import PINNED
from forecast.report.cells import DASH, Table, fmt, interval, pct, text, yes_no
from forecast.targets.outcome import outcome_label

LEADERBOARD_METRICS = {
    "mase": "MASE",
    "scaled_crps": "Scaled CRPS",
    "coverage-80": "80% coverage",
    "coverage-95": "95% coverage",
}


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
    """Earlier runs' annual forecasts against what this run's facts allow for those years: a known outcome
    is scored (% error, inside the 80% band), a bounded one only as inside or outside the facts' bounds, a year
    not known yet is listed as such — a partial year is never taken as the actual."""
    annual = earlier[earlier["freq"].fillna("annual") == "annual"] if "freq" in earlier else earlier
    facts = series[series["freq"] == "annual"][["unique_id", "ds", "y", "y_lo", "y_hi"]]
    order = {rid: i for i, rid in enumerate(labels)}
    joined = annual.merge(facts, on=["unique_id", "ds"], how="left").assign(run_order=lambda f: f["run_id"].map(order))
    joined = joined.sort_values(["run_order", "unique_id", "model", "ds"], kind="stable")
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
    empty = "No earlier run has forecasts for years this run knows anything about yet."
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
            "Forecast vs outcome (earlier runs)",
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
