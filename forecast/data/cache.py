"""Reconciliation results cached on disk by content: the same facts, rule and code give the same series.

Reconciling the bundled data solves about 1,500 small linear programmes (~15 s); every command and report
needs the result, so it is kept in ``$FORECAST_HOME/cache`` under a key made of the data hash, the options and
a hash of the reconciliation code itself — a new data release or a code change simply misses the cache.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data import constraints, reconciliation, schema
from forecast.data.load import data_hash
from forecast.data.reconciliation import Reconciliation, reconcile


def cache_key(observations: pd.DataFrame, rule: str, exclude, keep) -> str:
    """Content key of one reconciliation: data, options and the code that computes it."""
    code = b"".join(Path(m.__file__).read_bytes() for m in (constraints, reconciliation, schema))
    parts = [data_hash(observations), rule, ",".join(sorted(exclude)), ",".join(sorted(keep)),
             hashlib.sha256(code).hexdigest()[:16]]  # fmt: skip
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cached_reconcile(observations: pd.DataFrame, rule: str = "corroborated", exclude=(), keep=()) -> Reconciliation:
    """:func:`forecast.data.reconciliation.reconcile`, read from the cache when the same inputs were seen before."""
    folder = paths.home() / "cache"
    path = folder / f"reconcile-{cache_key(observations, rule, exclude, keep)}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            path.unlink(missing_ok=True)
    result = reconcile(observations, rule, exclude, keep)
    paths.write_atomically(path, lambda handle: pickle.dump(result, handle), binary=True)
    return result
