"""Check an observations file row by row; every problem is one ``file:line: field: reason`` line.

Reading is strict on purpose: a file either loads whole or not at all, so a bad user file never half-enters
the data. Line numbers are the file's own (header is line 1), so users can jump straight to the row.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import pandas as pd

from forecast.data.schema import (
    COLUMNS, KINDS, METRIC_UNITS, OPTIONAL_COLUMNS, QUALIFIERS, BASES, REQUIRED_FIELDS, SLUG_PATTERN, YOY_RANGE,
)
from forecast.errors import ValidationError

_SLUG = re.compile(SLUG_PATTERN)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PUBLISHED = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def read_observations(path: str | Path, known_entities: set[str] | None = None) -> pd.DataFrame:
    """Parse and validate an observations CSV; returns a string frame with a ``line`` column, or raises
    :class:`ValidationError` listing every problem."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            records = _records(handle, path)
    except FileNotFoundError:
        raise ValidationError([f"{path}: no such file"]) from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise ValidationError([f"{path}: cannot read as UTF-8 CSV: {err}"]) from None
    header, rows, problems = records
    frame = pd.DataFrame([values for _, values in rows], columns=header or list(COLUMNS), dtype=str)
    frame.insert(0, "line", [line for line, _ in rows])
    problems += validate_frame(frame, str(path), known_entities)
    if problems:
        raise ValidationError(problems)
    return frame


def _records(handle, path: Path) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        return [], [], [f"{path}:1: header: file is empty"]
    header = [h.strip() for h in header]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        return header, [], [f"{path}:1: header: {'; '.join(parts)}"]
    rows, problems, start = [], [], 2
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(f"{path}:{line}: row: expected {len(header)} fields, found {len(values)}")
            continue
        rows.append((line, [v.strip() for v in values]))
    return header, rows, problems


def validate_frame(frame: pd.DataFrame, source: str, known_entities: set[str] | None = None) -> list[str]:
    """Every problem of a parsed string frame (with ``line``), as ``source:line: field: reason``."""
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    for row in frame.to_dict("records"):
        where = f"{source}:{row['line']}"
        problems += [f"{where}: {field}: {reason}" for field, reason in _row_problems(row, known_entities)]
        content = tuple(row.get(c, "") for c in COLUMNS if c != "id")
        if content in seen_rows:
            problems.append(f"{where}: row: exact duplicate of line {seen_rows[content]}")
        seen_rows.setdefault(content, row["line"])
        if row["id"] in seen_ids:
            problems.append(f"{where}: id: {row['id']!r} already used on line {seen_ids[row['id']]}")
        seen_ids.setdefault(row["id"], row["line"])
    return problems


def _row_problems(row: dict, known_entities: set[str] | None):
    for field in REQUIRED_FIELDS:
        if not row.get(field):
            yield field, "required"
    entity, metric, unit, kind = row.get("entity", ""), row.get("metric", ""), row.get("unit", ""), row.get("kind", "")
    if entity and not _SLUG.match(entity):
        yield "entity", f"{entity!r} is not a slug (lower-case words joined by '-')"
    elif entity and known_entities is not None and entity not in known_entities:
        yield "entity", f"unknown entity {entity!r} (add it to $FORECAST_HOME/entities.csv first)"
    if metric and metric not in METRIC_UNITS:
        yield "metric", f"unknown metric {metric!r}; known: {', '.join(METRIC_UNITS)}"
    elif unit and unit != METRIC_UNITS[metric]:
        yield "unit", f"unit {unit!r} does not go with metric {metric!r} (expected {METRIC_UNITS[metric]!r})"
    if kind and kind not in KINDS:
        yield "kind", f"{kind!r} not in {', '.join(KINDS)}"
    if row.get("qualifier") and row["qualifier"] not in QUALIFIERS:
        yield "qualifier", f"{row['qualifier']!r} not in {', '.join(QUALIFIERS)}"
    if row.get("basis") and row["basis"] not in BASES:
        yield "basis", f"{row['basis']!r} not in {', '.join(BASES)}"
    yield from _date_problems(row)
    yield from _number_problems(row, kind)


def _date_problems(row: dict):
    dates = {}
    for field in ("period_start", "period_end"):
        text = row.get(field, "")
        if text:
            stamp = _parse_date(text)
            if stamp is None:
                yield field, f"unparseable date {text!r} (expected YYYY-MM-DD)"
            dates[field] = stamp
    start, end = dates.get("period_start"), dates.get("period_end")
    if start is not None and end is not None and end < start:
        yield "period_end", f"{end.date()} is before period_start {start.date()}"
    published = row.get("published", "")
    if published and (not _PUBLISHED.match(published) or _parse_date(published + "-01" * (2 - published.count("-"))) is None):
        yield "published", f"unparseable date {published!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)"


def _parse_date(text: str) -> pd.Timestamp | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        return pd.Timestamp(text)
    except ValueError:
        return None


def _number_problems(row: dict, kind: str):
    value = _number(row.get("value", ""))
    if value is False:
        yield "value", f"not a number: {row['value']!r}"
    elif value is None and kind and kind != "target":
        yield "value", "required (only a growth target may leave it empty)"
    elif value is not None and value < 0:
        yield "value", f"negative count {row['value']}"
    yoy = _number(row.get("yoy_pct", ""))
    if yoy is False:
        yield "yoy_pct", f"not a number: {row['yoy_pct']!r}"
    elif yoy is not None and not (YOY_RANGE[0] < yoy <= YOY_RANGE[1]):
        yield "yoy_pct", f"{row['yoy_pct']} out of range ({YOY_RANGE[0]:g}, {YOY_RANGE[1]:g}]"
    if kind == "target" and value is None and yoy is None:
        yield "value", "a target needs a value or a yoy_pct"


def _number(text: str):
    """float, None when empty, False when not a finite number."""
    if text is None or text == "":
        return None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return False
    return number if math.isfinite(number) else False
