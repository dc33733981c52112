"""Reconciled groups cached on disk by content: the same facts, rule and code give the same series.

Reconciling the bundled data solves about 1,500 small linear programmes; every command, report and as-of view
needs results, so each group (entity × metric × basis) is kept in ``$FORECAST_HOME/cache`` under a key made of
that group's facts, the rule, the facts the user asked to keep and a hash of the reconciliation code itself — a
new fact re-reconciles only its own group, the facts known on an earlier date reuse every group they share with
today, and a code change simply misses the cache.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data import conflicts, constraints, hedges, periods, reconciliation, schema
from forecast.data.reconciliation import Group, reconcile_group
from forecast.data.schema import COLUMNS


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the modules whose code decides a reconciliation."""
    modules = (conflicts, constraints, hedges, periods, reconciliation, schema)
    return paths.source_hash(Path(m.__file__) for m in modules)


def group_key(facts: pd.DataFrame, rule: str, keep) -> str:
    """Content key of one group's reconciliation: its facts, the rule, the kept ids and the code."""
    columns = [*COLUMNS, "value_text", "yoy_text", "basis"]
    content = json.dumps(facts.sort_values("id")[columns].astype(str).to_numpy().tolist()).encode()
    parts = [hashlib.sha256(content).hexdigest(), rule, ",".join(sorted(keep)), code_hash()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def cached_group(facts: pd.DataFrame, rule: str = "corroborated", keep=frozenset()) -> Group:
    """:func:`forecast.data.reconciliation.reconcile_group`, read from the cache when seen before."""
    path = paths.home() / "cache" / f"group-{group_key(facts, rule, keep)}.pkl"
    if path.exists():
        cached = _read(path)
        if cached is not None:
            return cached
    group = reconcile_group(facts, rule, keep)
    try:
        paths.write_atomically(path, lambda handle: pickle.dump(group, handle), binary=True)
    except OSError:  # a read-only $FORECAST_HOME: the result stands, only the next call is slower
        pass
    return group


def _read(path: Path) -> Group | None:
    """The group cached at ``path``, or None when the entry is damaged (truncated, overwritten, of other code):
    the entry is removed, with a warning line, and the caller rebuilds it."""
    try:
        with open(path, "rb") as handle:
            group = pickle.load(handle)
        if isinstance(group, Group):
            return group
    except Exception:  # noqa: BLE001  (whatever a damaged file raises, the entry is rebuilt)
        pass
    print(f"warning: {path}: damaged cache entry, rebuilt", file=sys.stderr)
    try:
        path.unlink(missing_ok=True)
    except OSError:  # a read-only cache: the entry is rebuilt in memory on every call instead
        pass
    return None
