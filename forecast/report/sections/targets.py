"""The targets sections: open targets with their odds by run, decided ones beside what happened, and how
well the decided targets' probabilities were calibrated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.report.cells import DASH, Table, fmt, interval, links, notes_cell, pct, text, yes_no
from forecast.report.charts import ReliabilityChart, reliability_chart
from forecast.targets.outcome import outcome_label


def open_mask(checks: pd.DataFrame, as_of) -> np.ndarray:
    """Which targets are open: their period ends in the year the data runs to or later."""
    if checks.empty:
        return np.zeros(0, dtype=bool)
    if as_of is None:
        return checks["met"].isna().to_numpy()
    return (pd.to_datetime(checks["period_end"]).dt.year >= as_of.year).to_numpy()


def open_target_table(checks: pd.DataFrame, every: pd.DataFrame, labels: dict[str, str], urls) -> Table:
    """Targets whose period is not over: the odds now, the run-rate they need against the one so far, and how the
    odds moved across runs."""
    title = "Open targets"
    columns = [
        "Target",
        "P(met)",
        "80% interval",
        "Run so far",
        "Needed a day",
        "Run a day so far",
        "Odds by run",
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


@dataclass
class Calibration:
    """How the decided targets' probabilities fared: Brier score against always saying the base rate."""

    cases: int
    brier: float
    base_rate: float
    brier_base: float
    chart: ReliabilityChart
    table: Table


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
    """Target key → "40% (2025-01-05) → 55% (2025-02-05)" over the runs that checked it."""
    out = {}
    order = {rid: i for i, rid in enumerate(labels)}
    for key, rows in checks.assign(key=[_key(r) for r in checks.itertuples()]).groupby("key"):
        rows = rows.sort_values("run_id", key=lambda ids: ids.map(order))
        out[key] = " → ".join(f"{pct(p)} ({labels[rid]})" for rid, p in zip(rows["run_id"], rows["probability"]))
    return out
