"""The entity catalogue: slug, display name, kind and parents of every hub, port, corridor and the nation.

The bundled ``entities.csv`` is extended by the user's own ``$FORECAST_HOME/entities.csv`` (same columns), so a
user can add a hub before adding its facts. Parents are nearest first (``alashankou`` → ``xinjiang-ports``).
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import pandas as pd

from forecast import paths
from forecast.errors import InputError

ENTITY_KINDS = ("national", "corridor", "route", "port_group", "port", "hub", "province", "region", "brand")


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
        frames.append(pd.read_csv(user, dtype=str, keep_default_na=False))
    table = pd.concat(frames, ignore_index=True).drop_duplicates("slug", keep="last")
    table["parents"] = table["parents"].map(lambda text: [p for p in text.replace(",", ";").split(";") if p])
    return table.reset_index(drop=True)
