"""Per-series model choice from a backtest: the best model of each series by a metric, ties to the simpler one.

The table (``unique_id, model, metric, score``) is what ``auto`` or a user reads to forecast each series with
the model that earned it; it round-trips through CSV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from forecast.backtest.engine import BacktestResult
from forecast.backtest.leaderboard import failure_table
from forecast.defaults import RANKING_METRICS
from forecast.errors import InputError
from forecast.longframe import read_csv
from forecast.models.registry import model_class
from forecast.paths import write_atomically

COLUMNS = ["unique_id", "model", "metric", "score"]


def simplicity(model: str) -> tuple[int, str]:
    """Sort key: the model's declared ``capabilities.simplicity``, then its name."""
    return (model_class(model).capabilities.simplicity, model)


def select_models(result: BacktestResult, metric: str = "mase", models=None, rtol: float = 1e-9) -> pd.DataFrame:
    """Best model per series by ``metric`` (lower is better); scores within ``rtol`` tie and the simpler wins.

    A model that was replaced by a fallback in any window of a series is not eligible there (its score is
    partly another model's), unless every model was.
    """
    if metric not in RANKING_METRICS:
        raise InputError(f"selection metric must be one of {', '.join(RANKING_METRICS)}, got {metric!r}")
    scores = result.scores
    if models is not None:
        scores = scores[scores["model"].isin([m.lower() for m in models])]
    failures = failure_table(result)
    replaced = set(zip(failures.loc[failures["replaced"], "unique_id"], failures.loc[failures["replaced"], "model"]))
    rows = []
    for uid, group in scores.groupby("unique_id", sort=True):
        eligible = group[[(uid, m) not in replaced for m in group["model"]]]
        pool = eligible if len(eligible) else group
        values = pool[metric].to_numpy(float)
        if not np.isfinite(values).any():
            pool, values = pool.iloc[:0], values[:0]
        if len(pool) == 0:
            rows.append(
                {"unique_id": uid, "model": min(group["model"], key=simplicity), "metric": metric, "score": np.nan}
            )
            continue
        best = np.nanmin(values)
        tied = pool[np.isclose(values, best, rtol=rtol, atol=0.0)]
        choice = min(tied["model"], key=simplicity)
        rows.append({"unique_id": uid, "model": choice, "metric": metric, "score": best})
    return pd.DataFrame(rows, columns=COLUMNS)


def save_selection(table: pd.DataFrame, path: str | Path) -> None:
    """Write a selection table as CSV (:func:`forecast.paths.write_atomically`: through a link, pipe or ``-``)."""
    write_atomically(path, lambda handle: table[COLUMNS].to_csv(handle, index=False))


def load_selection(path: str | Path) -> pd.DataFrame:
    """Read a selection CSV (as every input CSV is read: a UTF-8 text file), checking its columns, that it has rows
    and that every model is registered; any problem is an :class:`InputError` naming the file (and line)."""
    table = read_csv(Path(path))
    missing = [c for c in ("unique_id", "model") if c not in table.columns]
    if missing:
        raise InputError(f"{path}:1: header: no column(s) {', '.join(missing)}")
    table = table[table[["unique_id", "model"]].apply(lambda c: c.str.strip()).ne("").any(axis=1)]
    if table.empty:
        raise InputError(f"{path}: no rows: a selection lists each series' model")
    for line, name in zip(table.index + 2, table["model"]):
        try:
            model_class(str(name))
        except InputError as err:
            raise InputError(f"{path}:{line}: model: {err}") from None
    return table.reset_index(drop=True).reindex(columns=COLUMNS)


def as_mapping(table: pd.DataFrame) -> dict[str, str]:
    """``unique_id → model`` for forecasting each series with its selected model."""
    return dict(zip(table["unique_id"].astype(str), table["model"]))
