"""Counting basis of a fact, read from its note when the file has no ``basis`` column.

The same hub is counted differently by different sources (local round trips, the national CRCT ranking,
customs supervision, departures only, converted 41-container trains, all rail freight through a port). Facts
on different bases are different series, never a conflict. Rules are tried in order; the first match wins, and
a note that names no basis is ``reported`` — the source's headline figure (round trips for a hub, China Railway's
count for the nation).
"""

from __future__ import annotations

import re

import pandas as pd

from forecast.data.schema import DEFAULT_BASIS

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
