"""Targets from a user CSV, read as observation files are: one UTF-8 reader (:func:`forecast.paths.read_text`),
the data layer's CSV records, numbers and dates (:mod:`forecast.data.validate`), and every bad row reported as
``file:line: field: reason``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecast.data.validate import csv_records, parse_date, parse_number
from forecast.errors import ValidationError
from forecast.limits import date_problem
from forecast.paths import read_text
from forecast.targets.definitions import QUALIFIER_COMPARISON, Target, calendar_year, target_problems

TARGETS_CSV_COLUMNS = (
    "entity",
    "metric",
    "year",
    "period_start",
    "period_end",
    "comparison",
    "value",
    "growth_pct",
    "base_year",
    "basis",
    "label",
)


def read_targets_csv(path: str | Path) -> list[Target]:
    """Targets from a user CSV. Columns (header required, order free):

    - ``entity`` (required), ``metric`` (default ``trains``), ``basis`` (optional), ``label`` (optional);
    - the period: ``year`` (a calendar year) or ``period_start`` and ``period_end`` (ISO dates);
    - ``comparison``: ``more_than``, ``at_least`` or ``at_most`` (the source qualifiers ``exact``, ``about``,
      ``nearly`` are accepted and mapped as :mod:`forecast.targets.definitions` says); with ``value`` for an
      absolute target;
    - or ``growth_pct`` (growth in percent over ``base_year``, default the year before; comparison
      ``more_than`` unless given) for a growth target.

    Every bad row is reported as ``file:line: field: reason`` in one :class:`ValidationError`.
    """
    path = Path(path)
    header, rows, problems = csv_records(read_text(path), str(path), _header_problem)
    if problems:
        raise ValidationError(problems)
    targets = []
    for line, values in rows:
        try:
            targets.append(_from_row(dict(zip(header, values)), line))
        except _RowError as err:
            problems.append(f"{path}:{line}: {err.field}: {err.reason}")
    if problems:
        raise ValidationError(problems)
    if not targets:
        raise ValidationError([f"{path}:1: file: no targets"])
    return targets


def _header_problem(header: list[str]) -> str | None:
    if "entity" not in header:
        return f"missing column entity (columns: {', '.join(TARGETS_CSV_COLUMNS)})"
    unknown = [h for h in header if h not in TARGETS_CSV_COLUMNS]
    if unknown:
        return f"unknown column {unknown[0]!r} (allowed: {', '.join(TARGETS_CSV_COLUMNS)})"
    return None


class _RowError(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(f"{field_name}: {reason}")
        self.field, self.reason = field_name, reason


def _from_row(row: dict[str, str], line: int) -> Target:
    entity = row.get("entity", "")
    if not entity:
        raise _RowError("entity", "empty")
    metric = row.get("metric") or "trains"
    start, end = _period(row)
    comparison = row.get("comparison") or ""
    value, growth = _number(row, "value"), _number(row, "growth_pct")
    if (value is None) == (growth is None):
        raise _RowError("value", "give exactly one of value or growth_pct")
    if comparison and comparison not in QUALIFIER_COMPARISON:
        raise _RowError("comparison", f"{comparison!r} is not one of {', '.join(QUALIFIER_COMPARISON)}")
    common = dict(basis=row.get("basis") or None, sources=(f"line {line}",), label=row.get("label") or "")
    if growth is not None:
        base_year = _year(row, "base_year")
        base = calendar_year(base_year if base_year is not None else start.year - 1)
        target_args = dict(
            kind="growth",
            comparison=QUALIFIER_COMPARISON.get(comparison, "more_than"),
            growth_pct=growth,
            base_start=base[0],
            base_end=base[1],
        )
    else:
        if not comparison:
            raise _RowError("comparison", "empty (more_than, at_least or at_most)")
        target_args = dict(kind="absolute", comparison=QUALIFIER_COMPARISON[comparison], value=value)
    problems = target_problems(entity, start, end, **target_args)
    if problems:
        field_name, reason = problems[0].split(": ", 1)
        raise _RowError(field_name, reason)
    return Target(entity, metric, start, end, qualifier=comparison or None, **target_args, **common)


def _period(row: dict[str, str]) -> tuple[pd.Timestamp, pd.Timestamp]:
    year = _year(row, "year")
    if year is not None:
        if row.get("period_start") or row.get("period_end"):
            raise _RowError("year", "give either year or period_start/period_end, not both")
        return calendar_year(year)
    dates = []
    for name in ("period_start", "period_end"):
        text = row.get(name, "")
        if not text:
            raise _RowError(name, "empty (give year, or period_start and period_end)")
        stamp = parse_date(text)
        if stamp is None:
            raise _RowError(name, f"unparseable date {text!r} (expected YYYY-MM-DD)")
        if date_problem(stamp):
            raise _RowError(name, date_problem(stamp))
        dates.append(stamp)
    return dates[0], dates[1]


def _number(row: dict[str, str], name: str) -> float | None:
    number = parse_number(row.get(name, ""))
    if number is False:
        raise _RowError(name, f"not a number: {row[name]!r}")
    return number


def _year(row: dict[str, str], name: str) -> int | None:
    number = _number(row, name)
    if number is None:
        return None
    if number != int(number) or not 1900 <= number <= 2200:
        raise _RowError(name, f"not a year: {row[name]!r}")
    return int(number)
