"""How hedged wording is read: "more than 5,700" as 5,700 to a little above, measured on our own facts.

Releases write "more than 5,700" for a figure of 5,700-5,799 and "nearly 6,000" for a little under 6,000: hedges
are rounding, not open bounds. Where the same period (entity, metric, counting basis, period, kind) is stated both
hedged and exactly, the exact figure says where the truth sat relative to the hedged one; :func:`measure_hedges`
collects those pairs (one per distinct hedged statement: copies of one release are one pair) and
:func:`hedge_table` summarises them by wording and by the precision of the stated number (one significant digit,
"more than 2,000", reads far looser than two or more, "more than 5,700"). ``benchmarks/hedge_calibration.py``
prints the table; the figures and the reading chosen from them are in ``benchmarks/README.md``.

:data:`READINGS` is that reading, as the relative offset of the truth from the stated figure: its median (the
point a year's value takes) and the band it lies in (the constraint the reconciliation imposes). The band's far
end is the largest offset measured, rounded up: a bounded interval whose tail reaches as far as any hedge on
record, never an open bound. Each band is at least one rounding unit wide (the hedge's own rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

HEDGED = ("more_than", "at_least", "nearly", "about")
PERIOD_KEY = ["entity", "metric", "basis", "period_start", "period_end", "kind"]


@dataclass(frozen=True)
class Reading:
    """Where the truth lies relative to a hedged figure ``v``: median ``v·(1 + median)``, within
    ``[v·(1 + low), v·(1 + high)]``."""

    median: float
    low: float
    high: float


READINGS: dict[tuple[str, str], Reading] = {
    # (wording, precision) → reading; measured on 2026-03 data (benchmarks/README.md, "Hedged wording")
    ("more_than", "1 digit"): Reading(median=0.04, low=0.0, high=0.50),
    ("more_than", "2+ digits"): Reading(median=0.017, low=0.0, high=0.25),
    ("nearly", "1 digit"): Reading(median=-0.004, low=-0.02, high=0.0),
    ("nearly", "2+ digits"): Reading(median=-0.003, low=-0.01, high=0.0),
    ("about", "1 digit"): Reading(median=0.0, low=-0.03, high=0.03),
    ("about", "2+ digits"): Reading(median=0.0, low=-0.02, high=0.03),
}
"""``at_least`` reads as ``more_than`` (no pairs of its own on record)."""


def precision(text: str) -> str:
    """``1 digit`` for a figure stated to one significant digit (2,000; 20,000), else ``2+ digits``."""
    digits = str(text).replace(",", "").split(".")[0].strip().lstrip("-").lstrip("0").rstrip("0")
    return "1 digit" if len(digits) <= 1 and "." not in str(text) else "2+ digits"


def reading(qualifier: str, digits: str) -> Reading:
    """The measured reading of a hedged figure of the given :func:`precision`."""
    return READINGS[("more_than" if qualifier == "at_least" else qualifier, digits)]


def hedged_band(value: float, qualifier: str, text: str, unit: float) -> tuple[float, float, float]:
    """(lo, hi, nominal) of a hedged figure: the measured band, at least one rounding ``unit`` wide on the side the
    wording points to, and its median."""
    r = reading(qualifier, precision(text))
    lo, hi, nominal = value * (1 + r.low), value * (1 + r.high), value * (1 + r.median)
    if qualifier in ("more_than", "at_least"):
        hi = max(hi, value + unit)
    elif qualifier == "nearly":
        lo = min(lo, value - unit)
    else:
        lo, hi = min(lo, value - unit / 2), max(hi, value + unit / 2)
    return lo, hi, nominal


def measure_hedges(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per distinct hedged statement of a period total that is also stated exactly: its wording,
    precision, the stated and the exact figure (the median of the distinct exact figures) and the relative offset
    ``exact / stated - 1``, with the offset in rounding units of the stated figure."""
    from forecast.data.constraints import rounding_unit

    totals = facts[(facts["kind"] == "total") & facts["value"].notna()]
    text = totals["value_text"] if "value_text" in totals else totals["value"].map(lambda v: f"{v:g}")
    totals = totals.assign(value_text=text)
    exact = (
        totals[totals["qualifier"] == "exact"]
        .drop_duplicates([*PERIOD_KEY, "value"])
        .groupby(PERIOD_KEY, dropna=False)
        .agg(exact=("value", "median"), exact_ids=("id", lambda ids: ";".join(sorted(ids))))
        .reset_index()
    )
    hedged = totals[totals["qualifier"].isin(HEDGED)]
    statements = (
        hedged.groupby([*PERIOD_KEY, "qualifier", "value_text"], dropna=False)
        .agg(value=("value", "first"), ids=("id", lambda ids: ";".join(sorted(ids))))
        .reset_index()
    )
    pairs = statements.merge(exact, on=PERIOD_KEY)
    pairs["precision"] = pairs["value_text"].map(precision)
    pairs["offset"] = pairs["exact"] / pairs["value"] - 1
    pairs["units"] = (pairs["exact"] - pairs["value"]) / pairs["value_text"].map(rounding_unit)
    return pairs.sort_values(["qualifier", "precision", "offset"]).reset_index(drop=True)


def hedge_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """The measured offsets by wording and precision: count, median, 10% and 90% quantiles, extremes, the share
    within one rounding unit, and the reading in :data:`READINGS` beside them."""
    rows = []
    for (qualifier, digits), group in pairs.groupby(["qualifier", "precision"]):
        offsets = group["offset"].to_numpy()
        r = reading(qualifier, digits)
        rows.append(
            {
                "wording": qualifier,
                "precision": digits,
                "pairs": len(group),
                "median": float(np.median(offsets)),
                "q10": float(np.quantile(offsets, 0.1)),
                "q90": float(np.quantile(offsets, 0.9)),
                "min": float(offsets.min()),
                "max": float(offsets.max()),
                "within_one_unit": float(np.mean(np.abs(group["units"]) <= 1.0)),
                "reading": f"{r.median:+.1%} in [{r.low:+.1%}, {r.high:+.1%}]",
            }
        )
    return pd.DataFrame(rows)
