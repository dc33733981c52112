"""Check an observations file row by row; every problem is one ``file:line: field: reason`` line.

Reading is strict on purpose: a file either loads whole or not at all, so a bad user file never half-enters
the data, and whatever passes here loads in every later command. Line numbers are the file's own (header is
line 1), so users can jump straight to the row. Files are UTF-8, with or without a byte-order mark (Excel's
"CSV UTF-8" writes one). Numbers are plain ASCII digits with optional thousands commas (``5,351``, ``12.5``);
``9_000``, ``1e5``, ``inf`` or other scripts' digits are not numbers. No field may hold an invisible character
(control, format or bidirectional-override characters, NUL), which could disguise text in a report. Ids are
letters, digits, ``.``, ``_`` and ``-`` (``;`` joins ids in ``sources``, ``/`` joins series names). Dates and
values must lie within the limits of :mod:`forecast.limits`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pandas as pd

from forecast.data.schema import (
    BASES,
    COLUMNS,
    KINDS,
    METRIC_UNITS,
    OPTIONAL_COLUMNS,
    QUALIFIERS,
    REQUIRED_FIELDS,
    SLUG_PATTERN,
    YOY_RANGE,
)
from forecast.errors import ValidationError
from forecast.limits import ceiling_problem, date_problem, today
from forecast.paths import read_text

_SLUG = re.compile(SLUG_PATTERN)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_PUBLISHED = re.compile(r"^[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?$")
_NUMBER = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # controls, format (bidi), surrogates, unassigned, breaks


def read_observations(path: str | Path, known_entities: set[str] | None = None) -> pd.DataFrame:
    """Parse and validate an observations CSV; returns a string frame with a ``line`` column, or raises
    :class:`ValidationError` listing every problem."""
    path = Path(path)
    return parse_observations(read_text(path), str(path), known_entities)


def parse_observations(text: str, source: str, known_entities: set[str] | None = None) -> pd.DataFrame:
    """:func:`read_observations` on text already read (``source`` names it in messages)."""
    header, rows, problems = csv_records(text, source, _header_problem)
    if not header or _header_problem(header):
        raise ValidationError(problems)
    frame = pd.DataFrame([values for _, values in rows], columns=header, dtype=str)
    frame.insert(0, "line", [line for line, _ in rows])
    problems += validate_frame(frame.assign(file=source), known_entities)
    if problems:
        raise ValidationError(problems)
    return frame


def csv_records(
    text: str, source: str, header_problem=None
) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """The header, the non-blank rows as (line, stripped values) and the problems (``source:line: field: reason``)
    of CSV text; ``header_problem(header)`` may refuse the header (no rows are read then)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return [], [], [f"{source}:1: header: file is empty"]
        header = [h.strip() for h in header]
        problem = header_problem(header) if header_problem else None
        if problem:
            return header, [], [f"{source}:1: header: {problem}"]
        rows, problems, start = [], [], 2
        for values in reader:
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(f"{source}:{line}: row: expected {len(header)} fields, found {len(values)}")
                continue
            rows.append((line, [v.strip() for v in values]))
    except csv.Error as err:
        return header or [], [], [f"{source}:{reader.line_num}: row: not valid CSV ({err})"]
    return header, rows, problems


def _header_problem(header: list[str]) -> str | None:
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in seen:
            return f"column {name!r} appears twice (columns {seen[name]} and {number})"
        seen[name] = number
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
        [f"unknown column(s) {', '.join(map(repr, unknown))}"] if unknown else []
    )
    return "; ".join(parts) or None


def validate_frame(frame: pd.DataFrame, known_entities: set[str] | None = None) -> list[str]:
    """Every problem of a parsed string frame (with ``file`` and ``line``), as ``file:line: field: reason``;
    rows of several files are checked together (no id twice, no fact twice under two ids)."""
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    seen_rows: dict[tuple, tuple[str, str]] = {}
    for row in frame.to_dict("records"):
        where = f"{row['file']}:{row['line']}"
        problems += [f"{where}: {field}: {reason}" for field, reason in _row_problems(row, known_entities)]
        content = tuple(row.get(c, "") for c in COLUMNS if c != "id")
        if content in seen_rows:
            other_id, other = seen_rows[content]
            problems.append(
                f"{where}: row: the same fact as {other_id!r} ({_short(other, row['file'])}) under another id"
            )
        seen_rows.setdefault(content, (row["id"], where))
        if row["id"] in seen_ids:
            problems.append(f"{where}: id: {row['id']!r} already used ({_short(seen_ids[row['id']], row['file'])})")
        seen_ids.setdefault(row["id"], where)
    return problems


def _short(where: str, file: str) -> str:
    """``line N`` for a place in ``file`` itself, else the full ``other-file:line``."""
    return f"line {where.rsplit(':', 1)[1]}" if where.rsplit(":", 1)[0] == file else where


def _row_problems(row: dict, known_entities: set[str] | None):
    for field in [c for c in (*COLUMNS, *OPTIONAL_COLUMNS) if c in row]:
        hidden = next((ch for ch in str(row[field]) if unicodedata.category(ch) in _INVISIBLE), None)
        if hidden is not None:
            name = unicodedata.name(hidden, "control character")
            yield field, f"contains an invisible character U+{ord(hidden):04X} ({name}); remove it"
            return
    for field in REQUIRED_FIELDS:
        if not row.get(field):
            yield field, "required"
    if row.get("id") and not _ID.fullmatch(row["id"]):
        yield "id", f"{row['id']!r}: ids are up to 64 letters, digits, '.', '_' or '-' (';' joins ids in sources)"
    entity, metric, unit, kind = row.get("entity", ""), row.get("metric", ""), row.get("unit", ""), row.get("kind", "")
    if entity and not _SLUG.fullmatch(entity):
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
    yield from _date_problems(row, kind)
    yield from _number_problems(row, kind, metric)


def _date_problems(row: dict, kind: str):
    dates = {}
    for field in ("period_start", "period_end"):
        text = row.get(field, "")
        if text:
            stamp = parse_date(text)
            if stamp is None:
                yield field, f"unparseable date {text!r} (expected YYYY-MM-DD)"
            elif date_problem(stamp):
                yield field, date_problem(stamp)
            else:
                dates[field] = stamp
    start, end = dates.get("period_start"), dates.get("period_end")
    if start is not None and end is not None:
        if end < start:
            yield "period_end", f"{end.date()} is before period_start {start.date()}"
        elif kind == "target" and not (
            start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
        ):
            yield (
                "period_end",
                "a target covers one calendar year (YYYY-01-01 to YYYY-12-31), the periods targets are checked over",
            )
    published = row.get("published", "")
    if published:
        stamp = parse_date(published + "-01" * (2 - published.count("-"))) if _PUBLISHED.fullmatch(published) else None
        if stamp is None:
            yield "published", f"unparseable date {published!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)"
        elif date_problem(stamp):
            yield "published", date_problem(stamp)
        else:
            yield from _publication_problems(published, stamp, end, kind)


def _publication_problems(published: str, first: pd.Timestamp, end: pd.Timestamp | None, kind: str):
    """A publication after today, or (for a fact, not a target) before the period it reports on ends. A partial
    date (``2025``, ``2025-06``) is refused only when every day it can mean is: after today from its first day,
    before the period's end from its last."""
    now = today()
    if first > now:
        yield "published", f"{published} is after today ({now.date()}): a fact cannot have been published yet"
        return
    last = first + (
        pd.offsets.YearEnd(0)
        if len(published) == 4
        else pd.offsets.MonthEnd(0)
        if len(published) == 7
        else pd.Timedelta(0)
    )
    if kind != "target" and end is not None and last < end:
        yield (
            "published",
            f"{published} is before period_end {end.date()}: a figure is published once its period has run "
            "(a target, announced ahead, is the exception)",
        )


def parse_date(text: str) -> pd.Timestamp | None:
    """An ISO date (``YYYY-MM-DD``), or None when the text is not one."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return pd.Timestamp(text)
    except ValueError:
        return None


def _number_problems(row: dict, kind: str, metric: str):
    value = parse_number(row.get("value", ""))
    if value is False:
        yield "value", f"not a number: {row['value']!r} (write digits, e.g. 5351 or 5,351.5)"
    elif value is None and kind and kind != "target":
        yield "value", "required (only a growth target may leave it empty)"
    elif value is not None and value < 0:
        yield "value", f"negative count {row['value']}"
    elif value is not None and ceiling_problem(value, metric):
        yield "value", ceiling_problem(value, metric)
    yoy = parse_number(row.get("yoy_pct", ""))
    if yoy is False:
        yield "yoy_pct", f"not a number: {row['yoy_pct']!r} (write digits, e.g. 15.3 or -2)"
    elif yoy is not None and not (YOY_RANGE[0] < yoy <= YOY_RANGE[1]):
        yield "yoy_pct", f"{row['yoy_pct']} out of range ({YOY_RANGE[0]:g}, {YOY_RANGE[1]:g}]"
    if kind == "target" and value is None and yoy is None:
        yield "value", "a target needs a value or a yoy_pct"


def parse_number(text: str):
    """float, None when empty, False when not a number as the module docstring defines one."""
    if text is None or text == "":
        return None
    return float(text.replace(",", "")) if _NUMBER.fullmatch(text) else False
