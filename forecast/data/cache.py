"""Reconciliation results cached on disk by content, one entry per group: the same facts, rule and code give the
same series, and a new fact costs the reconciliation of its own entity × metric × basis only.

Reconciling the bundled data solves about 1,500 small linear programmes (~15 s); every command and report needs
the result, so each group's result is kept in ``$FORECAST_HOME/cache/reconcile-<code hash>.pkl`` under a key
made of the group's facts and the options; a code change starts a new file. The file holds the entries used
most recently (a few times the number of groups), so it does not grow without end.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data import constraints, reconciliation, schema
from forecast.data.reconciliation import Reconciliation, reconcile

KEY_COLUMNS = [*schema.COLUMNS, "basis", "value_text", "yoy_text"]
MIN_ENTRIES = 512


def code_hash() -> str:
    """A hash of the code that computes a reconciliation: results of other code are never reused."""
    code = b"".join(Path(m.__file__).read_bytes() for m in (constraints, reconciliation, schema))
    return hashlib.sha256(code).hexdigest()[:16]


def row_hashes(observations: pd.DataFrame) -> pd.Series:
    """A content hash per fact (its schema fields as written, not the file it came from)."""
    return pd.util.hash_pandas_object(observations[KEY_COLUMNS].astype(str), index=False)


def group_key(facts: pd.DataFrame, hashes: pd.Series, rule: str, keep) -> str:
    """Content key of one group's reconciliation: its facts' hashes in id order and the options."""
    rows = hashes.loc[facts.sort_values("id").index].to_numpy().tobytes()
    options = f"{rule}|{','.join(sorted(set(keep) & set(facts['id'])))}|".encode()
    return hashlib.sha256(options + rows).hexdigest()[:24]


def cached_reconcile(observations: pd.DataFrame, rule: str = "corroborated", exclude=(), keep=()) -> Reconciliation:
    """:func:`forecast.data.reconciliation.reconcile`, with every group read from the cache when seen before."""
    observations = observations.reset_index(drop=True)  # one row per label, for the hashes
    path = paths.home() / "cache" / f"reconcile-{code_hash()}.pkl"
    memo = _load(path)
    hashes = row_hashes(observations)
    used: dict[str, None] = {}
    computed = []

    def group_cache(facts: pd.DataFrame, compute):
        key = group_key(facts, hashes, rule, keep)
        used[key] = None
        if key not in memo:
            memo[key] = compute()
            computed.append(key)
        return memo[key]

    result = reconcile(observations, rule, exclude, keep, group_cache=group_cache)
    if computed:
        budget = max(MIN_ENTRIES, 4 * len(used)) - len(used)
        older = [k for k in memo if k not in used]
        kept = (older[-budget:] if budget > 0 else []) + list(used)  # most recently used last
        try:
            paths.write_atomically(path, lambda handle: pickle.dump({k: memo[k] for k in kept}, handle), binary=True)
        except OSError:  # a read-only $FORECAST_HOME: the result stands, only the next call is slower
            pass
    return result


def _load(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            memo = pickle.load(handle)
        return memo if isinstance(memo, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
