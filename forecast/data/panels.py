"""Reconciled series as long panels (``unique_id, ds, y`` plus provenance) and the pickers every command and
benchmark uses to choose among them: one entity, one metric, or every series long enough for a task."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.errors import InputError


def series_panel(freq: str = "annual", observations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reconciled series at ``freq`` (bundled plus user facts unless ``observations`` is given; cached by the
    data layer): rows with a value and no ``partial`` flag, as ``unique_id, ds, y`` plus entity, metric, basis,
    interval and sources."""
    from forecast.data import reconciled

    return complete_periods(reconciled(observations).panel(freq))


def complete_periods(panel: pd.DataFrame) -> pd.DataFrame:
    """The rows of a reconciled panel whose period is fully covered by facts (no ``partial`` flag)."""
    partial = panel["flags"].fillna("").astype(str).str.split(";").map(lambda flags: "partial" in flags)
    return panel[~partial].reset_index(drop=True)


def select_series(
    frame: pd.DataFrame,
    entity: str | None = None,
    metric: str | None = None,
    basis: str | None = None,
    *,
    freq: str = "annual",
    min_points: int = 1,
) -> pd.DataFrame:
    """The rows of one entity (a slug or display name), metric and/or basis at ``freq`` (a panel from
    :func:`series_panel` or the reconciled series); without an entity, only series with at least ``min_points``
    values. An unknown name or an empty choice is an :class:`InputError` that says what was asked for."""
    from forecast.data.entities import resolve_entity

    if "freq" in frame.columns:
        frame = frame[frame["freq"] == freq]
    for column, value in (("metric", metric), ("basis", basis)):
        if value is not None and value not in set(frame[column]):
            raise InputError(f"unknown {column} {value!r}; known: {', '.join(sorted(set(frame[column])))}")
    chosen = {"entity": resolve_entity(entity) if entity is not None else None, "metric": metric, "basis": basis}
    keep = pd.Series(True, index=frame.index)
    for column, value in chosen.items():
        if value is not None:
            keep &= frame[column] == value
    rows = frame[keep]
    if entity is None:
        rows = rows[rows.groupby("unique_id")["y"].transform("size") >= min_points]
    if rows.empty:
        asked = " ".join(part for part in (metric, f"on basis {basis}" if basis else None) if part)
        whose = f" for {entity!r}" if entity else f" with {min_points} points"
        raise InputError(f"no {freq} series{f' ({asked})' if asked else ''}{whose}")
    return rows.reset_index(drop=True)


def trailing_run_start(years) -> int:
    """Where the latest run of consecutive years begins in sorted ``years``: the history a model is fitted on
    (bridging a gap would invent values with no noise)."""
    breaks = np.flatnonzero(np.diff(np.asarray(years)) != 1)
    return int(breaks[-1]) + 1 if len(breaks) else 0


def latest_runs(panel: pd.DataFrame, min_points: int = 1) -> pd.DataFrame:
    """Each annual series of ``panel`` cut to its latest run of consecutive years, keeping the series with at
    least ``min_points`` values in it."""
    runs = [
        rows.iloc[trailing_run_start(rows["ds"].dt.year.to_numpy()) :]
        for _, rows in panel.sort_values(["unique_id", "ds"]).groupby("unique_id", sort=False)
    ]
    runs = [rows for rows in runs if len(rows) >= min_points]
    return pd.concat(runs, ignore_index=True) if runs else panel.iloc[:0]
