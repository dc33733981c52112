"""Load observations (bundled plus the user's own) and merge new files into the user's data without losing rows.

``load_observations()`` is what every later stage starts from: validated rows with parsed dates, numbers and a
counting ``basis`` (from the file's column, else read from the note by :mod:`forecast.data.basis`).
User facts live in ``$FORECAST_HOME/observations.csv`` and are added with :func:`add_observations`, which
validates first and writes atomically under a lock, so a rejected file changes nothing, adding a file twice adds
nothing and two adds at once both land.
"""

from __future__ import annotations

import hashlib
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data.basis import fill_basis
from forecast.data.entities import entity_catalogue
from forecast.data.schema import COLUMNS
from forecast.data.validate import parse_observations, read_observations, validate_frame
from forecast.errors import ValidationError
from forecast.locking import hold_lock

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
    return typed(combined([read_raw(path) for path in sources]))


def combined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Validated files as one string frame; an id used in two files is a :class:`ValidationError`. The same fact
    in two files under two ids is allowed here (a data release may take in a fact a user added before)."""
    raw = pd.concat(frames, ignore_index=True)
    clashes = raw[raw.duplicated("id", keep="first")]
    if len(clashes):
        raise ValidationError(
            [f"{r.file}:{r.line}: id: {r.id!r} is already in another data file" for r in clashes.itertuples()]
        )
    return raw


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


def add_observations(path: str | Path, target: str | Path | None = None, dry_run: bool = False) -> tuple[int, int]:
    """Validate ``path`` and merge it into ``target`` (the user's file by default); returns (added, already there).
    With ``dry_run`` every check runs and nothing is written (``forecast data validate``).

    Rows identical to existing ones are skipped; an existing id with different content, or a fact already
    present under another id, is an error. The merged user file is checked beside the bundled data exactly as a
    later :func:`load_observations` reads it, so nothing enters that would break a later command (another
    ``target``, e.g. a data release taken into the bundled file, is a dataset of its own, checked alone). The merge
    holds the target's lock (concurrent adds queue, none is lost) and replaces the file atomically.
    """
    target = Path(target) if target else user_observations_path()
    incoming = read_raw(path)
    if not dry_run:
        target.parent.mkdir(parents=True, exist_ok=True)
    with nullcontext() if dry_run else hold_lock(target, exclusive=True, what="observations file"):
        existing = read_raw(target) if target.exists() else incoming.iloc[0:0]
        beside_bundled = target.resolve() == user_observations_path().resolve()
        bundled = read_raw(paths.bundled("observations.csv")) if beside_bundled else existing.iloc[0:0]
        fresh = _fresh_rows(incoming, pd.concat([bundled, existing], ignore_index=True), path)
        if fresh.empty:
            return 0, len(incoming)
        merged = pd.concat([existing, fresh], ignore_index=True)
        mine = [p for p in validate_frame(pd.concat([bundled, merged], ignore_index=True)) if p.startswith(f"{path}:")]
        if mine:
            raise ValidationError(mine)
        text = _as_csv(merged)
        combined([bundled, parse_observations(text, str(target)).assign(file=str(target))])
        if not dry_run:
            paths.write_atomically(target, lambda handle: handle.write(text))
    return len(fresh), len(incoming) - len(fresh)


def _fresh_rows(incoming: pd.DataFrame, known: pd.DataFrame, path) -> pd.DataFrame:
    """Rows of ``incoming`` whose id is new; an id already ``known`` with different content is an error."""
    known = known.drop_duplicates("id").set_index("id")
    columns = [c for c in COLUMNS if c != "id"]
    problems, fresh = [], []
    for row in incoming.to_dict("records"):
        if row["id"] not in known.index:
            fresh.append(row)
            continue
        before = known.loc[row["id"]]
        if any(str(row[c]) != str(before[c]) for c in columns):
            problems.append(
                f"{path}:{row['line']}: id: {row['id']!r} already exists with different content "
                f"({before['file']}:{before['line']})"
            )
    if problems:
        raise ValidationError(problems)
    return pd.DataFrame(fresh, columns=incoming.columns)


def _as_csv(frame: pd.DataFrame) -> str:
    """The rows as an observations file: schema columns first, then the optional ones present."""
    rows = frame.drop(columns=["line", "file"]).fillna("")
    columns = list(COLUMNS) + [c for c in rows.columns if c not in COLUMNS]
    return rows[columns].to_csv(index=False, lineterminator="\n")
