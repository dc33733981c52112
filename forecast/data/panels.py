"""Reconciled series as long panels (``unique_id, ds, y`` plus provenance) and the pickers every command and
benchmark uses to choose among them: one entity, one metric, or every series long enough for a task."""

from __future__ import annotations

import pandas as pd

from forecast.errors import InputError


def series_panel(freq: str = "annual", observations: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reconciled series at ``freq`` (bundled plus user facts unless ``observations`` is given; cached by the
    data layer): rows with a value and no ``partial`` flag, as ``unique_id, ds, y`` plus entity, metric, basis,
    interval and sources."""
    from forecast.data import reconciled

    panel = reconciled(observations).panel(freq)
    partial = panel["flags"].fillna("").astype(str).str.split(";").map(lambda flags: "partial" in flags)
    return panel[~partial].reset_index(drop=True)


def select_series(panel: pd.DataFrame, entity: str | None = None, metric: str | None = None,
                  min_points: int = 1, freq: str = "annual") -> pd.DataFrame:  # fmt: skip
    """The rows of one entity (a slug or display name) and/or metric; without an entity, only series with at
    least ``min_points`` values. An empty choice is an :class:`InputError` that says what was asked for."""
    from forecast.data.entities import resolve_entity

    if entity is not None:
        panel = panel[panel["entity"] == resolve_entity(entity)]
        if panel.empty:
            raise InputError(f"no bundled {freq} series for entity {entity!r}")
    if metric is not None:
        panel = panel[panel["metric"] == metric]
        if panel.empty:
            raise InputError(f"no bundled {freq} {metric!r} series{f' for {entity!r}' if entity else ''}")
    if entity is None:
        panel = panel[panel.groupby("unique_id")["y"].transform("size") >= min_points]
        if panel.empty:
            raise InputError(f"no bundled {freq} series has {min_points} points")
    return panel.reset_index(drop=True)
