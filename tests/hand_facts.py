"""Hand-made facts for the tests of behaviour: a few rows in the observation schema, typed as the data layer loads
them, so a test's answer can be worked out by hand and no data release changes it."""

from __future__ import annotations

import pandas as pd

from forecast.data.load import typed
from forecast.data.schema import METRIC_UNITS


def facts(
    *rows, entity: str = "hub", source: str | None = None, basis: str = "", metric: str = "trains"
) -> pd.DataFrame:
    """Typed ``metric`` facts of ``entity`` from (id, start, end, kind, value, qualifier, yoy, published) tuples,
    each from its own page (``source``: one page for every row), on ``basis`` (default ``reported``)."""
    frame = pd.DataFrame(
        [
            {
                "id": r[0],
                "entity": entity,
                "metric": metric,
                "period_start": r[1],
                "period_end": r[2],
                "kind": r[3],
                "value": r[4],
                "unit": METRIC_UNITS[metric],
                "qualifier": r[5],
                "yoy_pct": r[6],
                "source_url": source or f"https://{r[0].lower()}.example",
                "published": r[7],
                "note": "",
                "basis": basis,
            }
            for r in rows
        ]
    )
    return typed(frame)


def years(values: dict[int, int], prefix: str = "Y") -> list[tuple]:
    """Exact full-year totals as fact rows, each published on 20 January of the next year."""
    return [
        (f"{prefix}{y}", f"{y}-01-01", f"{y}-12-31", "total", str(v), "exact", "", f"{y + 1}-01-20")
        for y, v in values.items()
    ]
