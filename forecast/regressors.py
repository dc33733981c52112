"""Events and user regressors as columns on a series' time index, for its history and its forecast steps.

An **events file** (``datasets/events.csv`` ships the known breaks; users write their own in the same columns,
``datasets/README.md``) has one row per event: ``name, start, end, kind, scope, source`` (``description``
optional). Each event becomes one regressor column: the share of each period the event covers, period by
period, so on a grid whose periods the event starts and ends with the values are exactly

- ``step``: 0 before ``start``, 1 from it on (no ``end``: a change that ends is a pulse);
- ``pulse``: 1 within ``[start, end]``, 0 outside;
- ``ramp``: rising linearly from 0 before ``start`` to 1 on ``end`` (by day), then 1.

A date stands for the calendar month, quarter or year it falls in (monthly, quarterly, annual data; month-end
dates included), or for the week or day starting on it. ``scope`` is ``all`` or ``;``-separated names: a series
is in scope when its id is one of them or starts with one and ``/`` (``national`` covers
``national/trains/reported``).

A **regressors file** (``--exog``) is long: ``unique_id, ds`` and one column per regressor, with a value at
every date of each series' history and of the forecast steps.

Bad rows are :class:`forecast.errors.InputError`\\ s naming the file, line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.errors import InputError
from forecast.frequency import Frequency, future_dates
from forecast.limits import date_problem
from forecast.longframe import _numbers, read_csv
from forecast.paths import bundled

KINDS = ("step", "pulse", "ramp")
EVENT_COLUMNS = ("name", "start", "end", "kind", "scope", "source")
ALL = "all"
BUNDLED = "bundled"  # the word that names the shipped events file (``--events bundled``)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_CALENDAR = {"monthly": "M", "quarterly": "Q", "annual": "Y"}


@dataclass(frozen=True)
class Event:
    """One row of an events file (see the module docstring); ``end`` is None for a step."""

    name: str
    start: pd.Timestamp
    end: pd.Timestamp | None
    kind: str
    scope: tuple[str, ...]
    source: str
    description: str = ""

    def covers(self, unique_id: str) -> bool:
        """Whether series ``unique_id`` is in the event's scope."""
        return any(s == ALL or unique_id == s or unique_id.startswith(s + "/") for s in self.scope)

    def values(self, dates: pd.DatetimeIndex, freq: Frequency) -> np.ndarray:
        """The event's column on ``dates``: per period, the mean over its days of the event's daily value."""
        first, stop = periods(dates, freq)
        return (self._area(stop) - self._area(first)) / (stop - first)

    def _area(self, day: np.ndarray) -> np.ndarray:
        """Sum of the daily values over the days before ``day`` (day numbers)."""
        start = _day(self.start)
        if self.kind == "step":
            return np.maximum(day - start, 0).astype(float)
        length = _day(self.end) - start + 1
        k = np.clip(day - start, 0, length).astype(float)
        if self.kind == "pulse":
            return k
        return k * (k + 1) / (2 * length) + np.maximum(day - start - length, 0)  # ramp: 1/L, 2/L, ..., 1, 1, ...


def periods(dates: pd.DatetimeIndex, freq: Frequency) -> tuple[np.ndarray, np.ndarray]:
    """First day and the day after the last of each date's period, as day numbers (see the module docstring)."""
    dates = pd.DatetimeIndex(dates).normalize()
    if freq.name in _CALENDAR:
        spans = dates.to_period(_CALENDAR[freq.name])
        first, stop = spans.start_time, spans.end_time.normalize() + pd.Timedelta(days=1)
    else:
        first, stop = dates, dates + pd.Timedelta(days=7 if freq.name == "weekly" else 1)
    return _day(first), _day(stop)


def _day(stamps) -> np.ndarray:
    return np.asarray(pd.DatetimeIndex(np.atleast_1d(stamps)).asi8 // 86_400_000_000_000, dtype=np.int64)


def read_events(source) -> tuple[Event, ...]:
    """The events of a file (a path; :data:`BUNDLED` for ``datasets/events.csv``), a frame in the same columns,
    or events already read; every row checked (see the module docstring)."""
    if source is None:
        return ()
    if isinstance(source, (list, tuple)) and all(isinstance(e, Event) for e in source):
        return tuple(source)
    if isinstance(source, pd.DataFrame):
        frame, name = source.copy(), None
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        frame = frame.fillna("").astype(str)
    else:
        path = bundled("events.csv") if str(source) == BUNDLED else Path(source)
        frame, name = read_csv(path), str(path)
    missing = [c for c in EVENT_COLUMNS if c not in frame.columns]
    if missing:
        where = f"{name}:1: header: " if name else ""
        raise InputError(f"{where}no column(s) {', '.join(missing)}; an events file has {', '.join(EVENT_COLUMNS)}")
    events, seen = [], {}
    for position, row in enumerate(frame.to_dict("records")):
        line = position + 2
        row = {k: str(v if v is not None else "").strip() for k, v in row.items()}
        if not any(row.get(c) for c in EVENT_COLUMNS):
            continue  # a blank line
        event = _event(row, lambda field, reason, line=line: _fail(name, line, field, reason))
        if event.name in seen:
            _fail(name, line, "name", f"event {event.name!r} is already defined on line {seen[event.name]}")
        seen[event.name] = line
        events.append(event)
    return tuple(events)


def _fail(name: str | None, line: int, field: str, reason: str):
    raise InputError(f"{name}:{line}: {field}: {reason}" if name else f"row {line}: {field}: {reason}")


def _event(row: dict, fail) -> Event:
    name = row["name"]
    if not _NAME.match(name):
        fail("name", f"{name!r} is not a name (a letter, then letters, digits or _)")
    kind = row["kind"].lower()
    if kind not in KINDS:
        fail("kind", f"{row['kind']!r} is not one of {', '.join(KINDS)}")
    start = _date(row["start"], "start", fail)
    end = None
    if kind == "step":
        if row["end"]:
            fail("end", "a step has no end (a change that ends is a pulse)")
    else:
        if not row["end"]:
            fail("end", f"a {kind} needs an end date")
        end = _date(row["end"], "end", fail)
        if end < start:
            fail("end", f"{end.date()} is before the start {start.date()}")
    scope = tuple(s.strip() for s in row["scope"].split(";") if s.strip())
    if not scope:
        fail("scope", f"empty; write {ALL} or the series (entities) it affects, separated by ;")
    if not row["source"]:
        fail("source", "empty; say where the event is documented")
    return Event(name, start, end, kind, scope, row["source"], row.get("description", ""))


def _date(text: str, field: str, fail) -> pd.Timestamp:
    stamp = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce") if text else pd.NaT
    if pd.isna(stamp):
        fail(field, f"{text!r} is not a date (YYYY-MM-DD)")
    problem = date_problem(stamp)
    if problem:
        fail(field, problem)
    return pd.Timestamp(stamp)


@dataclass(frozen=True)
class Exog:
    """User regressors: per series, a frame indexed by date with one column per regressor (NaN where blank)."""

    series: dict[str, pd.DataFrame]
    columns: tuple[str, ...]
    source: str


def read_exog(source, id_col: str = "unique_id", ds_col: str = "ds") -> Exog | None:
    """User regressors from a long file or frame (``unique_id, ds, <columns>``), every row checked."""
    if source is None or isinstance(source, Exog):
        return source
    if isinstance(source, pd.DataFrame):
        frame, name = source, "regressors"
    else:
        frame, name = read_csv(Path(source)), str(source)

    def fail(position: int, field: str, reason: str):
        raise InputError(f"{name}:{position + 2}: {field}: {reason}")

    missing = [c for c in (id_col, ds_col) if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name}:1: header: no column(s) {', '.join(missing)}; regressors are long: "
            f"{id_col}, {ds_col}, then one column per regressor"
        )
    columns = tuple(str(c) for c in frame.columns if c not in (id_col, ds_col))
    if not columns:
        raise InputError(f"{name}:1: header: no regressor columns besides {id_col} and {ds_col}")
    for column in columns:
        if not _NAME.match(column):
            raise InputError(
                f"{name}:1: header: {column!r} is not a regressor name (a letter, then letters, digits or _)"
            )
    ids = frame[id_col].astype(str).str.strip()
    blank = np.flatnonzero(ids.eq("").to_numpy())
    if len(blank):
        fail(int(blank[0]), id_col, "empty series id")
    ds = pd.to_datetime(frame[ds_col], errors="coerce")
    if ds.isna().any():
        i = int(np.flatnonzero(ds.isna().to_numpy())[0])
        fail(i, ds_col, f"unparseable date {frame[ds_col].iloc[i]!r}")
    values = {c: _numbers(frame[c], lambda i, reason, c=c: fail(i, c, reason)) for c in columns}
    data = pd.DataFrame({"unique_id": ids.to_numpy(), "ds": ds.dt.normalize().to_numpy(), **values})
    dup = np.flatnonzero(data.duplicated(["unique_id", "ds"]).to_numpy())
    if len(dup):
        i = int(dup[0])
        fail(i, ds_col, f"series {data['unique_id'].iloc[i]!r} has a second row at {data['ds'].iloc[i].date()}")
    series = {uid: rows.set_index("ds")[list(columns)] for uid, rows in data.groupby("unique_id", sort=False)}
    return Exog(series, columns, name)


def check_names(events: tuple[Event, ...], exog: Exog | None) -> None:
    """Event and regressor names are column names: no name may be both."""
    clash = sorted({e.name for e in events} & set(exog.columns if exog else ()))
    if clash:
        raise InputError(f"{exog.source}:1: header: {', '.join(clash)} is also an event's name; rename one")


@dataclass(frozen=True)
class Regressors:
    """One series' regressors: its events in scope and its user regressors, on its history ``dates`` and the
    dates after them. Positions count from the first history date; positions from ``len(dates)`` on are
    forecast steps."""

    uid: str
    dates: pd.DatetimeIndex
    freq: Frequency
    events: tuple[Event, ...] = ()
    exog: pd.DataFrame | None = None
    source: str = ""
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self):
        names = tuple(e.name for e in self.events) + tuple(self.exog.columns if self.exog is not None else ())
        object.__setattr__(self, "names", names)

    @classmethod
    def of(cls, uid, dates, freq, events=(), exog: Exog | None = None) -> "Regressors | None":
        """The regressors of series ``uid``, or None when it has none (no event in scope, no user regressors)."""
        mine = tuple(e for e in events if e.covers(uid))
        if exog is not None and uid not in exog.series:
            raise InputError(f"{exog.source}: no rows for series {uid!r}; give every series its regressors")
        own = exog.series[uid] if exog is not None else None
        if not mine and own is None:
            return None
        return cls(uid, pd.DatetimeIndex(dates), freq, mine, own, exog.source if exog is not None else "")

    def window(self, part: slice) -> "Regressors":
        """The same regressors for the history ``dates[part]`` (a backtest window)."""
        return Regressors(self.uid, self.dates[part], self.freq, self.events, self.exog, self.source)

    def matrix(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (exclusive; past the history: forecast steps), one column per name; a
        user regressor without a value at one of those dates is an :class:`InputError`."""
        n = len(self.dates)
        dates = self.dates[start : min(stop, n)]
        if stop > n:
            dates = dates.append(future_dates(self.dates[-1], stop - n, self.freq)[max(start - n, 0) :])
        columns = [e.values(dates, self.freq) for e in self.events]
        if self.exog is not None:
            own = self.exog.reindex(dates.normalize())
            for column in own.columns:
                values = own[column].to_numpy(dtype=float)
                gap = np.flatnonzero(~np.isfinite(values))
                if len(gap):
                    when = "forecast step" if start + int(gap[0]) >= n else "history date"
                    raise InputError(
                        f"{self.source}: series {self.uid!r} has no value of {column!r} for {when} "
                        f"{dates[int(gap[0])].date()}; regressors need a value at every date of the history "
                        "and of the horizon"
                    )
                columns.append(values)
        return np.column_stack(columns) if columns else np.empty((len(dates), 0))


@dataclass(frozen=True)
class Design:
    """The regressors one fit uses: the columns that vary over the fitted history ``start:stop``, the ones left
    out because they do not (their effect cannot be estimated) and, for :meth:`future`, what produces the rows
    after ``stop``."""

    regressors: Regressors
    start: int
    stop: int
    columns: tuple[int, ...]
    constant: tuple[str, ...]  # left out: constant over the history but not over the forecast steps

    @classmethod
    def of(cls, regressors: Regressors, start: int, stop: int, h: int) -> "Design":
        """The design of a fit on positions ``start:stop`` forecasting ``h`` steps (checks those rows exist)."""
        full = regressors.matrix(start, stop + h)
        history, ahead = full[: stop - start], full[stop - start :]
        varies = np.ptp(history, axis=0) > 0 if len(history) else np.zeros(full.shape[1], bool)
        constant = tuple(
            name
            for j, name in enumerate(regressors.names)
            if not varies[j] and len(ahead) and np.any(ahead[:, j] != history[0, j])
        )
        return cls(regressors, start, stop, tuple(int(j) for j in np.flatnonzero(varies)), constant)

    @property
    def history(self) -> np.ndarray:
        return self.regressors.matrix(self.start, self.stop)[:, list(self.columns)]

    def future(self, h: int) -> np.ndarray:
        """The ``h`` rows after the fitted history."""
        return self.regressors.matrix(self.stop, self.stop + h)[:, list(self.columns)]
