"""Counting basis of a fact, read from its note when the file has no ``basis`` column.

The same hub is counted differently by different sources (local round trips, the national CRCT ranking,
customs supervision, departures only, converted 41-container trains, all rail freight through a port). Facts
on different bases are different series, never a conflict. Rules are tried in order; the first match wins, and
a note that names no basis is ``reported`` — the source's headline figure (round trips for a hub, China Railway's
count for the nation).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecast.data.schema import BASES, DEFAULT_BASIS

# Mentions of the other direction ("outbound 556, inbound 477") mean the figure is the two-way total.
_BOTH_WAYS = re.compile(r"inbound|arrival|return|round[- ]trip|in\s*\+\s*out|in and out", re.IGNORECASE)

RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("national-ranking", re.compile(r"city ranking|national ranking", re.IGNORECASE)),
    ("converted", re.compile(r"converted|折算", re.IGNORECASE)),
    (
        "all-rail-freight",
        re.compile(
            r"all rail (?:freight|cargo)|all imports?\s*[+/]\s*exports?|all import/export|not only China-Europe"
            r"|port throughput|rail[- ]port cargo|station cargo volume",
            re.IGNORECASE,
        ),
    ),
    ("inbound", re.compile(r"INBOUND|RETURN \(inbound\)|inbound trains (?:only|from)|cargo on inbound")),
)
_OUTBOUND = re.compile(
    r"OUTBOUND|WESTBOUND|\boutbound\b(?! (?:lines|routes))|\bdepartures\b|\bdeparting\b|europe-bound", re.IGNORECASE
)
_CUSTOMS = re.compile(r"\bcustoms\b|\bGAC\b", re.IGNORECASE)


def infer_basis(note: str | None) -> str:
    """The counting basis a fact's note states (see the module docstring), ``reported`` when it states none."""
    text = note if isinstance(note, str) else ""
    for basis, pattern in RULES:
        if pattern.search(text):
            return basis
    if _OUTBOUND.search(text) and not _BOTH_WAYS.search(text):
        return "outbound"
    if _CUSTOMS.search(text):
        return "customs"
    return DEFAULT_BASIS


def fill_basis(facts: pd.DataFrame) -> list[str]:
    """Each fact's basis: its ``basis`` column where given, else the one its note states."""
    stated = facts["basis"] if "basis" in facts.columns else pd.Series(None, index=facts.index, dtype=object)
    notes = facts["note"] if "note" in facts.columns else pd.Series(None, index=facts.index, dtype=object)
    return [b if isinstance(b, str) and b else infer_basis(n) for b, n in zip(stated, notes)]


BASIS_BREAK = 0.10
"""A growth rate stated with a full-year total that puts last year more than 10 % away from last year's own exact
figure counts on another basis (rates are rounded to a unit of their last digit, totals revised by a few per cent)."""


BREAK_COLUMNS = ["entity", "metric", "basis", "year", "fact", "value", "yoy_pct", "implied", "stated"]


def rebased(basis: str, last_year: int) -> str:
    """The basis of a series' years up to ``last_year``, when later years are counted differently."""
    return f"{basis}-to-{last_year}"


def is_basis(name: str) -> bool:
    """A known counting basis, or one of them ended by a break (``reported-to-2023``)."""
    root, _, year = name.rpartition("-to-")
    return name in BASES or (root in BASES and year.isdigit() and len(year) == 4)


def basis_breaks(facts: pd.DataFrame) -> pd.DataFrame:
    """Where a growth rate shows that a series chains two counting bases: per entity × metric × basis, the latest
    year Y whose full-year total, with its stated rate, implies a year Y-1 more than :data:`BASIS_BREAK` away from
    every exact figure stated for Y-1 (a misprint beside the right figure is a conflict, not a basis). One row per
    break: the series, Y, the fact that shows it, the implied and the (closest) stated figure."""
    rows = []
    full = facts[
        (facts["kind"] == "total")
        & (facts["period_start"].dt.strftime("%m-%d") == "01-01")
        & (facts["period_end"].dt.strftime("%m-%d") == "12-31")
        & (facts["period_start"].dt.year == facts["period_end"].dt.year)
        & facts["value"].notna()
    ]
    for (entity, metric, basis), group in full.groupby(["entity", "metric", "basis"], sort=True):
        years = group["period_start"].dt.year
        exact = group[group["qualifier"] == "exact"]
        for _, fact in group[group["yoy_pct"].notna()].sort_values("period_start", ascending=False).iterrows():
            year = fact["period_start"].year
            implied = fact["value"] / (1 + fact["yoy_pct"] / 100)
            before = exact.loc[years[exact.index] == year - 1, "value"]
            if before.empty:
                continue
            stated = float(before.iloc[int(np.argmin(np.abs(before.to_numpy() / implied - 1)))])  # the closest
            if abs(implied / stated - 1) > BASIS_BREAK:
                rows.append(
                    {
                        "entity": entity,
                        "metric": metric,
                        "basis": basis,
                        "year": year,
                        "fact": fact["id"],
                        "value": fact["value"],
                        "yoy_pct": fact["yoy_pct"],
                        "implied": implied,
                        "stated": stated,
                    }
                )
                break
    return pd.DataFrame(
        rows, columns=["entity", "metric", "basis", "year", "fact", "value", "yoy_pct", "implied", "stated"]
    )


def split_bases(facts: pd.DataFrame) -> pd.DataFrame:
    """``facts`` with every series that chains two counting bases split at its break (:func:`bases_split`)."""
    return bases_split(facts)[0]


def bases_split(facts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every series that chains two counting bases split at the break (:func:`basis_breaks`): the years before it
    move to their own basis (:func:`rebased`), so no series mixes years counted differently, and the years from the
    break on keep the basis and go on as the current series; repeated until no break is left. Returns the facts
    and every break found (with the basis the earlier years moved to, ``before``)."""
    found = []
    for _ in range(10):
        breaks = basis_breaks(facts)
        if breaks.empty:
            break
        facts = facts.copy()
        for b in breaks.itertuples():
            before = (
                (facts["entity"] == b.entity)
                & (facts["metric"] == b.metric)
                & (facts["basis"] == b.basis)
                & (facts["period_end"].dt.year < b.year)
            )
            facts.loc[before, "basis"] = _before(b)
        found.append(breaks.assign(before=[_before(b) for b in breaks.itertuples()]))
    return facts, (pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=[*BREAK_COLUMNS, "before"]))


def _before(b) -> str:
    """The basis the years before break ``b`` move to (named after the original basis, not a rebased one)."""
    root = b.basis if b.basis in BASES else b.basis.rpartition("-to-")[0]
    return rebased(root, b.year - 1)


def describe_break(b) -> str:
    """One line on how two bases of a series relate (a row of :func:`bases_split`'s breaks)."""
    series = f"{b.entity}/{b.metric}"
    return (
        f"{series}/{b.before} holds the years to {b.year - 1}; from {b.year} {series}/{b.basis} counts differently: "
        f"{b.fact} ({b.year}: {b.value:,.0f}, {b.yoy_pct:+g}%) puts {b.year - 1} at {b.implied:,.0f} on that basis, "
        f"against {b.stated:,.0f} stated on the earlier one"
    )
