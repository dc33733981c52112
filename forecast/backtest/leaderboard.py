"""Leaderboards from a backtest: overall (mean of per-series scaled metrics, ranked), per series, per horizon step,
and which models failed or fell back on which series — so a user sees what to trust, and where not to.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from forecast.backtest.engine import BacktestResult
from forecast.backtest.metrics import mase, smape
from forecast.defaults import RANKING_METRICS
from forecast.errors import InputError

OVERALL_COLUMNS = ("mase", "rmsse", "smape", "msis", "scaled_crps")


@dataclass
class Leaderboard:
    """``overall``: one row per model, ranked; ``per_series``: one row per series × model with its rank and
    fallback note; ``per_horizon``: MASE and sMAPE per model and step; ``failures``: fallbacks per series × model."""

    overall: pd.DataFrame
    per_series: pd.DataFrame
    per_horizon: pd.DataFrame
    failures: pd.DataFrame
    metric: str


def leaderboard(result: BacktestResult, metric: str = "mase") -> Leaderboard:
    """Rank the backtested models by ``metric`` (lower is better) overall, per series and per step."""
    if metric not in RANKING_METRICS:
        raise InputError(f"rank metric must be one of {', '.join(RANKING_METRICS)}, got {metric!r}")
    scores = result.scores
    failures = failure_table(result)
    per_series = scores.copy()
    per_series["rank"] = per_series.groupby("unique_id")[metric].rank(method="min").astype("Int64")
    notes = failures.assign(note=failures.apply(_note, axis=1)).groupby(["unique_id", "model"])["note"].first()
    per_series["fallback"] = [notes.get((u, m), "") for u, m in zip(per_series["unique_id"], per_series["model"])]
    return Leaderboard(
        overall(scores, result, metric, failures),
        per_series,
        per_horizon(result),
        failures,
        metric,
    )


def overall(scores: pd.DataFrame, result: BacktestResult, metric: str, failures: pd.DataFrame) -> pd.DataFrame:
    """Mean of per-series metrics per model (scale-free ones, so big hubs do not drown small ones), ranked.

    ``skill`` here is ``1 - mean MASE / mean MASE of naive``; ``fell_back`` counts series where the model was
    replaced by a fallback in at least one window.
    """
    coverage = [c for c in scores.columns if c.startswith("coverage-")]
    table = model_means(scores, list(dict.fromkeys([metric, *OVERALL_COLUMNS, *coverage])))
    if "naive" in table.index:
        table["skill"] = 1 - table["mase"] / table.loc["naive", "mase"]
    replaced = failures[failures["replaced"]].groupby("model")["unique_id"].nunique()
    table["fell_back"] = replaced.reindex(table.index).fillna(0).astype(int)
    table["rank"] = table[metric].rank(method="min").astype("Int64")
    return table.sort_values(["rank"], kind="stable").reset_index()


def model_means(scores: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per model (index, in order of appearance): ``series`` scored on the first column, then the mean over
    series of each column of a per series × model score table."""
    table = scores.groupby("model", sort=False)[columns].mean()
    table.insert(0, "series", scores.groupby("model", sort=False)[columns[0]].count())
    return table


def per_horizon(result: BacktestResult) -> pd.DataFrame:
    """Mean per-series MASE and sMAPE of each model at each step ahead (how accuracy decays with the horizon)."""
    frame, models = result.forecasts, list(result.models)
    rows = []
    for step, part in frame.groupby("step", sort=True):
        by_mase = mase(part, models, result.train, result.season_length)[models].mean()
        by_smape = smape(part, models)[models].mean()
        rows += [{"model": m, "step": int(step), "mase": by_mase[m], "smape": by_smape[m]} for m in models]
    return pd.DataFrame(rows, columns=["model", "step", "mase", "smape"])


def failure_table(result: BacktestResult) -> pd.DataFrame:
    """Per series × model: in how many windows the model was replaced or its input repaired, by what, and why."""
    fb = result.fallbacks
    columns = ["unique_id", "model", "windows", "of", "used", "replaced", "reason"]
    if fb.empty:
        return pd.DataFrame(columns=columns).astype({"replaced": bool})
    rows = []
    for (uid, model), group in fb.groupby(["unique_id", "model"], sort=True):
        used = sorted(set(group["used"]))
        rows.append(
            {
                "unique_id": uid,
                "model": model,
                "windows": len(group),
                "of": int(result.windows.get(uid, len(group))),
                "used": ",".join(used),
                "replaced": any(u != model for u in used),
                "reason": group["reason"].iloc[-1],
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _note(row) -> str:
    verb = f"fell back to {row.used}" if row.replaced else "input repaired"
    return f"{verb} in {row.windows}/{row['of']} windows: {row.reason}"


def as_text(board: Leaderboard) -> str:
    """The overall table, MASE per step ahead, then failures, as aligned plain text for a terminal."""
    with pd.option_context("display.width", 200, "display.max_columns", None, "display.max_rows", None):
        parts = [board.overall.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
        steps = board.per_horizon.pivot(index="model", columns="step", values="mase")
        steps.columns = [f"mase h={s}" for s in steps.columns]
        parts += ["", steps.loc[board.overall["model"]].to_string(float_format=lambda v: f"{v:.3f}")]
        if len(board.failures):
            parts.append("\nfell back (used ≠ model) or input repaired:")
            parts.append(board.failures.drop(columns=["replaced"]).to_string(index=False, max_colwidth=90))
    return "\n".join(parts)
