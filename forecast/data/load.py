"""Load observations (bundled plus the user's own) and merge new files into the user's data without losing rows.

``load_observations()`` is what every later stage starts from: validated rows with parsed dates, numbers and a
counting ``basis`` (from the file's column, else read from the note by :mod:`forecast.data.basis`).
User facts live in ``$FORECAST_HOME/observations.csv`` and are added with :func:`add_observations`, which
validates first and writes atomically, so a rejected file changes nothing and adding a file twice adds nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data.basis import fill_basis
from forecast.data.entities import entity_catalogue
from forecast.data.schema import COLUMNS
from forecast.data.validate import read_observations
from forecast.errors import ValidationError

USER_FILE = "observations.csv"


def user_observations_path() -> Path:
    """Where :func:`add_observations` keeps the user's facts."""
    return paths.home() / USER_FILE


def read_raw(path: str | Path) -> pd.DataFrame:
    """One validated file as strings (plus ``line`` and ``file``); entities must be in the catalogue."""
    frame = read_observations(path, known_entities=set(entity_catalogue()["slug"]))
    return frame.assign(file=str(path))


def load_observations(files: list[str | Path] | None = None, include_user: bool = True) -> pd.DataFrame:
    """Validated observations, typed: the bundled dataset (or ``files``) plus the user's file when present.

    A user row with the id of a bundled row is a validation error, never a silent override.
    """
    sources = [Path(f) for f in files] if files else [paths.bundled("observations.csv")]
    user = user_observations_path()
    if include_user and user.exists() and user not in sources:
        sources.append(user)
    frames = [read_raw(path) for path in sources]
    raw = pd.concat(frames, ignore_index=True)
    clashes = raw[raw.duplicated("id", keep="first")]
    if len(clashes):
        raise ValidationError([f"{r.file}:{r.line}: id: {r.id!r} is already in another data file"
                               for r in clashes.itertuples()])  # fmt: skip
    return typed(raw)


def typed(raw: pd.DataFrame) -> pd.DataFrame:
    """Parse dates and numbers of a validated string frame and fill in the counting basis."""
    facts = raw.copy()
    facts["value_text"], facts["yoy_text"] = facts["value"], facts["yoy_pct"]
    for column in ("value", "yoy_pct"):
        facts[column] = pd.to_numeric(facts[column].str.replace(",", "", regex=False), errors="coerce")
    for column in ("period_start", "period_end"):
        facts[column] = pd.to_datetime(facts[column])
    facts["published"] = facts["published"].replace("", None)
    facts["basis"] = fill_basis(facts)
    return facts.reset_index(drop=True)


def data_hash(observations: pd.DataFrame) -> str:
    """A short content hash of the observations (what a run was computed from)."""
    canonical = observations.sort_values("id")[list(COLUMNS)].astype(str).to_csv(index=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def add_observations(path: str | Path, target: str | Path | None = None) -> tuple[int, int]:
    """Validate ``path`` and merge it into ``target`` (the user's file by default); returns (added, already there).

    Rows identical to existing ones are skipped; an existing id with different content is an error. The whole
    file is checked against the bundled data too, so nothing enters that :func:`load_observations` would reject.
    """
    target = Path(target) if target else user_observations_path()
    incoming = read_raw(path)
    existing = read_raw(target) if target.exists() else incoming.iloc[0:0]
    bundled = read_raw(paths.bundled("observations.csv")) if target != paths.bundled("observations.csv") else existing
    known = pd.concat([bundled, existing]).drop_duplicates("id").set_index("id")
    columns = [c for c in COLUMNS if c != "id"]
    problems, fresh = [], []
    for row in incoming.itertuples(index=False):
        if row.id in known.index:
            before = known.loc[row.id]
            if any(str(getattr(row, c)) != str(before[c]) for c in columns):
                problems.append(f"{path}:{row.line}: id: {row.id!r} already exists with different content "
                                f"({before['file']}:{before['line']})")
            continue
        fresh.append(row)
    if problems:
        raise ValidationError(problems)
    if fresh:
        merged = pd.concat([existing, pd.DataFrame(fresh)], ignore_index=True)
        frame = merged.drop(columns=["line", "file"])
        columns = list(COLUMNS) + [c for c in frame.columns if c not in COLUMNS]
        paths.write_atomically(target, lambda handle: frame[columns].to_csv(handle, index=False))
    return len(fresh), len(incoming) - len(fresh)
