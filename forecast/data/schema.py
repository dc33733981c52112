"""The observation schema: columns, vocabularies and the unit each metric must carry (one place, used everywhere)."""

from __future__ import annotations

COLUMNS = (
    "id",
    "entity",
    "metric",
    "period_start",
    "period_end",
    "kind",
    "value",
    "unit",
    "qualifier",
    "yoy_pct",
    "source_url",
    "published",
    "note",
)
OPTIONAL_COLUMNS = ("basis",)
REQUIRED_FIELDS = ("id", "entity", "metric", "period_start", "period_end", "kind", "unit", "qualifier", "source_url")

METRIC_UNITS = {
    "trains": "trains",
    "teu": "TEU",
    "tonnes": "tonnes",
    "value_usd": "USD",
    "value_cny": "CNY",
    "trains_per_day": "trains/day",
}
COUNT_METRICS = ("trains", "teu", "tonnes", "value_usd", "value_cny")
"""Metrics that add up over time, so they reconcile into period series."""

KINDS = ("total", "cumulative", "average", "max", "target")
SERIES_KINDS = ("total", "cumulative")  # the kinds a series is reconciled from
QUALIFIERS = ("exact", "more_than", "at_least", "nearly", "about")
BASES = ("reported", "national-ranking", "customs", "outbound", "inbound", "converted", "all-rail-freight")
DEFAULT_BASIS = "reported"

YOY_RANGE = (-100.0, 2000.0)
"""Year-on-year change in percent must lie strictly above -100 (nothing left) and at most +2000 (21-fold)."""

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
