"""The entity catalogue: slug, display name, kind and parents of every hub, port, corridor and the nation.

The bundled ``entities.csv`` is extended by the user's own ``$FORECAST_HOME/entities.csv`` (same columns), so a
user can add a hub before adding its facts. Parents are nearest first (``alashankou`` → ``xinjiang-ports``).
The user's file is validated as an observations file is (``file:line: field: reason``): UTF-8 text with the
four columns, slugs and kinds well formed, parents that exist, no entity its own ancestor, and no bundled
entity moved (its parents decide which sums the hierarchy reconciles, for every user of the data).
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast import paths
from forecast.data.schema import SLUG_PATTERN
from forecast.data.validate import csv_records
from forecast.errors import InputError, ValidationError
from forecast.paths import read_text

_SLUG = re.compile(SLUG_PATTERN)

ENTITY_KINDS = ("national", "corridor", "route", "port_group", "port", "hub", "province", "region", "brand")
KIND_DISPLAY_ORDER = ("national", "corridor", "port_group", "port", "region", "province", "hub", "route", "brand")
"""The order the report lists series of each kind in (the nation first); the hierarchy orders a parent's parts by
its own :data:`forecast.hierarchy.structure.PARTITION_ORDER`."""
KIND_NAMES = {
    "national": "Nation",
    "corridor": "Corridors",
    "port_group": "Port groups",
    "port": "Border ports",
    "region": "Regions",
    "province": "Provinces",
    "hub": "Hubs",
    "route": "Routes",
    "brand": "Brands",
}
"""Each kind's name as a heading over its series."""


def entity_catalogue() -> pd.DataFrame:
    """Bundled plus user entities: ``slug, name, kind, parents`` (parents a list of slugs)."""
    return _catalogue(_user_file_stamp()).copy()


def resolve_entity(name: str) -> str:
    """The slug for a slug or display name (case-insensitive); an unknown one is an InputError with suggestions."""
    table = _catalogue(_user_file_stamp())
    key = str(name).strip().lower()
    by_key = {**{n.lower(): s for s, n in zip(table["slug"], table["name"])}, **{s: s for s in table["slug"]}}
    if key in by_key:
        return by_key[key]
    close = difflib.get_close_matches(key, list(by_key), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(sorted({by_key[c] for c in close}))}?" if close else "; see `forecast data list`"
    raise InputError(f"unknown entity {name!r}{hint}")


def parents_of(slug: str) -> list[str]:
    """Parent slugs of ``slug``, nearest first (empty for the nation or an unknown slug)."""
    table = _catalogue(_user_file_stamp()).set_index("slug")
    return list(table["parents"].get(slug, []))


def lineage(slug: str) -> list[str]:
    """Parent slugs, nearest first: from the catalogue, else the longest slug prefix that is a known entity
    (``shandong-special-trains`` → ``shandong``)."""
    listed = parents_of(slug)
    if listed:
        return listed
    known = set(_catalogue(_user_file_stamp())["slug"])
    parts = slug.split("-")
    return [p for p in ("-".join(parts[:k]) for k in range(len(parts) - 1, 0, -1)) if p in known][:1]


def _user_file_stamp() -> float:
    user = paths.home() / "entities.csv"
    return user.stat().st_mtime if user.exists() else 0.0


@lru_cache(maxsize=4)
def _catalogue(user_stamp: float) -> pd.DataFrame:
    frames = [pd.read_csv(paths.bundled("entities.csv"), dtype=str, keep_default_na=False)]
    user = paths.home() / "entities.csv"
    if user_stamp and user.exists():
        frames.append(read_user_entities(user, frames[0]))
    table = pd.concat(frames, ignore_index=True).drop_duplicates("slug", keep="last")
    table["parents"] = table["parents"].map(_parent_list)
    return table.reset_index(drop=True)


COLUMNS = ("slug", "name", "kind", "parents")


def read_user_entities(path: Path, bundled: pd.DataFrame) -> pd.DataFrame:
    """The user's entities file checked against the ``bundled`` catalogue; every problem is one
    ``file:line: field: reason`` line of a :class:`ValidationError`."""
    header, rows, problems = csv_records(read_text(path), str(path), _header_problem)
    if not header or _header_problem(header):
        raise ValidationError(problems)
    table = pd.DataFrame([values for _, values in rows], columns=header, dtype=str).reindex(columns=COLUMNS)
    lines = [line for line, _ in rows]
    known = dict(zip(bundled["slug"], bundled["parents"].map(_parent_list)))
    mine: dict[str, tuple[int, list[str]]] = {}
    for line, row in zip(lines, table.to_dict("records")):
        where, slug = f"{path}:{line}", row["slug"]
        if not _SLUG.fullmatch(slug):
            problems.append(f"{where}: slug: {slug!r} is not a slug (lower-case words joined by '-')")
            continue
        if slug in mine:
            problems.append(f"{where}: slug: {slug!r} already listed (line {mine[slug][0]})")
        if not row["name"]:
            problems.append(f"{where}: name: required")
        if row["kind"] not in ENTITY_KINDS:
            problems.append(f"{where}: kind: {row['kind']!r} not in {', '.join(ENTITY_KINDS)}")
        parents = _parent_list(row["parents"])
        if slug in known and parents != known[slug]:
            problems.append(
                f"{where}: parents: {slug!r} is a bundled entity, its parents are {';'.join(known[slug]) or 'none'}; "
                "add new entities only"
            )
        mine.setdefault(slug, (line, parents))
    every = {**known, **{slug: parents for slug, (_, parents) in mine.items()}}
    for slug, (line, parents) in mine.items():
        unknown = [p for p in parents if p not in every]
        if unknown:
            problems.append(f"{path}:{line}: parents: unknown entity {unknown[0]!r} (list it first)")
        elif _ancestors(slug, every) is None:
            problems.append(f"{path}:{line}: parents: {slug!r} would be its own ancestor")
    if problems:
        raise ValidationError(problems)
    if table.empty:
        raise ValidationError([f"{path}:2: row: no entities; delete the file or list your entities"])
    return table


def _ancestors(slug: str, parents: dict[str, list[str]]) -> set[str] | None:
    """Every ancestor of ``slug``, or None when it is among them (a cycle)."""
    seen, todo = set(), list(parents.get(slug, []))
    while todo:
        parent = todo.pop()
        if parent == slug:
            return None
        if parent not in seen:
            seen.add(parent)
            todo += parents.get(parent, [])
    return seen


def _parent_list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def _header_problem(header: list[str]) -> str | None:
    missing = [c for c in COLUMNS if c not in header]
    return f"missing column(s) {', '.join(missing)}; columns are {', '.join(COLUMNS)}" if missing else None
