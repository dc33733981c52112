"""The data layer: sourced observations → validated facts → reconciled series with intervals and provenance.

Typical use (notebooks and every later stage)::

    from forecast.data import load_observations, reconciled
    rec = reconciled()                 # bundled + user facts, conflicts resolved by the default rule
    rec.panel("annual")                # unique_id, ds, y (+ y_lo, y_hi, sources, flags)
    rec.conflicts                      # which facts were set aside, by how much, against which
"""

from __future__ import annotations

import pandas as pd

from forecast.data.cache import cached_reconcile
from forecast.data.entities import entity_catalogue, parents_of, resolve_entity
from forecast.data.load import add_observations, data_hash, load_observations, user_observations_path
from forecast.data.reconciliation import Reconciliation, reconcile
from forecast.data.validate import read_observations


def reconciled(
    observations: pd.DataFrame | None = None, rule: str = "corroborated", exclude=(), keep=(), cache: bool = True
) -> Reconciliation:
    """Reconcile ``observations`` (default: bundled + user facts); cached on disk unless ``cache=False``."""
    facts = load_observations() if observations is None else observations
    return (
        cached_reconcile(facts, rule, tuple(exclude), tuple(keep)) if cache else reconcile(facts, rule, exclude, keep)
    )


__all__ = [
    "Reconciliation",
    "add_observations",
    "data_hash",
    "entity_catalogue",
    "load_observations",
    "parents_of",
    "read_observations",
    "reconcile",
    "reconciled",
    "resolve_entity",
    "user_observations_path",
]
