"""The data layer: sourced observations → validated facts → reconciled series with intervals and provenance.

Typical use (notebooks and every later stage)::

    from forecast.data import load_observations, reconciled
    rec = reconciled()                 # bundled + user facts, conflicts resolved by the default rule
    rec.panel("annual")                # unique_id, ds, y (+ y_lo, y_hi, sources, flags)
    rec.conflicts                      # which facts were set aside, by how much, against which

    from forecast.data import FactBase
    vintage = FactBase().on("2025-06-30")   # what was known that day: the one object every later layer takes
    vintage.series("xian", "trains")        # one series; vintage.reconciliation() is the long frame above

Facts are read once (:class:`FactBase`), each date's view is a :class:`Vintage`, and every group is reconciled
once (memoised per fact base, cached on disk by :mod:`forecast.data.cache`).
"""

from __future__ import annotations

import pandas as pd

from forecast.data.entities import entity_catalogue, parents_of, resolve_entity
from forecast.data.load import add_observations, data_hash, load_observations, user_observations_path
from forecast.data.reconciliation import Reconciliation, reconcile
from forecast.data.validate import read_observations
from forecast.data.vintage import FactBase, Vintage


def reconciled(
    observations: pd.DataFrame | None = None, rule: str = "corroborated", exclude=(), keep=(), as_of=None
) -> Reconciliation:
    """Every series reconciled from ``observations`` (default: bundled + user facts) as known on ``as_of``
    (default: all of them): :meth:`Vintage.reconciliation` of a fresh :class:`FactBase`."""
    return FactBase(observations, rule).on(as_of).reconciliation(exclude, keep)


__all__ = [
    "FactBase",
    "Reconciliation",
    "Vintage",
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
