"""Chart geometry for the report: series small multiples and the reliability plot, as pixel coordinates that the
SVG templates (``templates/*.svg.j2``) draw.

Why not matplotlib here: a report charts a hundred series, and a matplotlib SVG takes about a quarter of a second
and 10-30 KB each; these charts are a few polylines and bands, so the geometry is computed here (tick values from
matplotlib's ``MaxNLocator``, the part worth a library) and jinja2 writes a 3 KB SVG in a millisecond. Every chart
is deterministic: the same data give the same bytes, and no id is shared between charts on one page.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

WIDTH, HEIGHT = 330, 190
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 10, 24
HISTORY_YEARS = 12  # small multiples show the last dozen years of history before the outlook
LEGEND_CHARS = 22  # a pace chart's legend wraps at this many characters
RANGE_ROOM = 1.25  # a history year's upper bound sets the axis only within this factor of the rest


@dataclass
class Scale:
    """Linear map from data to pixels on one axis."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value) -> np.ndarray:
        """Pixels for ``value``, held inside the axis (a band above the top is drawn up to it)."""
        span = self.hi - self.lo or 1.0
        pixels = self.start + (np.asarray(value, dtype=float) - self.lo) / span * (self.end - self.start)
        return np.clip(pixels, min(self.start, self.end), max(self.start, self.end))


@dataclass
class SeriesChart:
    """A small multiple: reconciled history, what the year in progress has run so far, and the outlook's bands."""

    width: int = WIDTH
    height: int = HEIGHT
    plot: tuple[float, float, float, float] = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    unit: str = ""
    history: str = ""
    points: list[tuple[float, float]] = field(default_factory=list)
    ranges: list[tuple[float, float, float]] = field(default_factory=list)
    lower_bounds: list[tuple[float, float]] = field(default_factory=list)
    observed: list[tuple[float, float]] = field(default_factory=list)
    band95: str = ""
    band80: str = ""
    median: str = ""
    label: str = ""
    clipped: bool = False  # the 95% band (or a loose bound) runs above the axis, which fits the history and 80% band
    y_max: float = 0.0  # the value at the top of the y-axis


def series_chart(history: pd.DataFrame, outlook: pd.DataFrame, unit: str, label: str) -> SeriesChart:
    """History rows (``ds, y, y_lo, y_hi``, annual) and outlook rows (``ds, q50, lo_80, hi_80, lo_95, hi_95,
    observed``) as a small multiple."""
    outlook = outlook.sort_values("ds")
    start = (outlook["ds"].dt.year.min() if len(outlook) else history["ds"].dt.year.max()) - HISTORY_YEARS
    history = history[history["ds"].dt.year >= start].sort_values("ds")
    years = np.r_[history["ds"].dt.year.to_numpy(), outlook["ds"].dt.year.to_numpy()].astype(float)
    if len(years) == 0:
        return SeriesChart(unit=unit, label=label)
    y_hist = history["y"].astype(float).to_numpy()
    lo_hist, hi_hist = history["y_lo"].astype(float).to_numpy(), history["y_hi"].astype(float).to_numpy()
    top = _fit_top([y_hist, np.where(np.isfinite(hi_hist), np.nan, lo_hist), outlook.get("hi_80", [])])
    top = _fit_top([[top], np.where(hi_hist <= RANGE_ROOM * top, hi_hist, np.nan)])  # a loose bound is clipped
    sy, y_ticks = _y_axis(top, HEIGHT - BOTTOM, TOP)
    sx = Scale(years.min() - 0.5, years.max() + 0.5, LEFT, WIDTH - RIGHT)
    chart = SeriesChart(unit=unit, label=label, y_max=sy.hi)
    chart.y_ticks = [(float(sy(v)), _short(v)) for v in y_ticks if v <= sy.hi]
    step = max(1, int(np.ceil((years.max() - years.min() + 1) / 6)))
    chart.x_ticks = [(float(sx(y)), f"{int(y)}") for y in np.arange(years.min(), years.max() + 1, step)]
    hx = history["ds"].dt.year.to_numpy(dtype=float)
    known = np.isfinite(y_hist)
    chart.history = _points(sx(hx[known]), sy(y_hist[known]))
    chart.points = list(zip(sx(hx[known]).round(1), sy(y_hist[known]).round(1)))
    ranged = np.isfinite(hi_hist) & np.isfinite(lo_hist) & (hi_hist > lo_hist * 1.02)
    chart.ranges = list(zip(sx(hx[ranged]).round(1), sy(lo_hist[ranged]).round(1), sy(hi_hist[ranged]).round(1)))
    open_above = ~np.isfinite(hi_hist) & (lo_hist > 0)
    chart.lower_bounds = list(zip(sx(hx[open_above]).round(1), sy(lo_hist[open_above]).round(1)))
    if len(outlook):
        ox = outlook["ds"].dt.year.to_numpy(dtype=float)
        chart.band95 = _band(sx(ox), sy(outlook["lo_95"]), sy(outlook["hi_95"]))
        chart.band80 = _band(sx(ox), sy(outlook["lo_80"]), sy(outlook["hi_80"]))
        chart.median = _points(sx(ox), sy(outlook["q50"]))
        chart.clipped = bool((outlook["hi_95"].astype(float) > sy.hi).any() or (hi_hist[ranged] > sy.hi).any())
        seen = outlook["observed"].astype(float).to_numpy() if "observed" in outlook else np.full(len(ox), np.nan)
        chart.observed = [(float(sx(x)), float(sy(v))) for x, v in zip(ox, seen) if np.isfinite(v)]
    return chart


@dataclass
class ReliabilityChart:
    """Forecast probability against how often it came true, per bin (dot area ~ cases), with the diagonal."""

    width: int = 240
    height: int = 200
    plot: tuple[float, float, float, float] = (40, 10, 230, 170)
    dots: list[tuple[float, float, float]] = field(default_factory=list)
    ticks: list[tuple[float, float, str]] = field(default_factory=list)


def reliability_chart(table: pd.DataFrame) -> ReliabilityChart:
    """``table``: one row per bin with ``mean_p``, ``frequency`` and ``n`` (forecast.targets.calibration)."""
    chart = ReliabilityChart()
    left, top, right, bottom = chart.plot
    sx, sy = Scale(0, 1, left, right), Scale(0, 1, bottom, top)
    chart.ticks = [(float(sx(v)), float(sy(v)), f"{v:.0%}") for v in (0, 0.5, 1.0)]
    n_max = float(table["n"].max()) if len(table) else 1.0
    chart.dots = [
        (float(sx(p)), float(sy(f)), float(3 + 7 * np.sqrt(n / n_max)))
        for p, f, n in zip(table["mean_p"], table["frequency"], table["n"])
    ]
    return chart


def _fit_top(parts) -> float:
    """The largest finite value of ``parts`` (1 when there is none): what a y-axis must show."""
    values = [np.asarray(p, dtype=float) for p in parts if len(p)]
    finite = [v[np.isfinite(v)] for v in values]
    return max([float(f.max()) for f in finite if len(f)] or [1.0])


def _y_axis(top: float, bottom_px: float, top_px: float) -> tuple[Scale, np.ndarray]:
    """A y scale from 0 to 5% above ``top`` and its round tick values below that."""
    ticks = MaxNLocator(nbins=4, min_n_ticks=3).tick_values(0.0, top * 1.05)
    ticks = ticks[(ticks >= 0) & (ticks <= top * 1.05)]
    return Scale(0.0, top * 1.05, bottom_px, top_px), ticks


@dataclass
class PaceChart:
    """Where the year stands: the cumulative total by date — the facts (with their bounds), the outlook's 80% and
    95% bands and median to the year's end, last year's and the typical year's pace, and any open target."""

    width: int = 480
    height: int = 270
    plot: tuple[float, float, float, float] = (54, 12, 325, 246)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    unit: str = ""
    band95: str = ""
    band80: str = ""
    median: str = ""
    last_year: str = ""
    typical: str = ""
    facts: list[tuple[float, float]] = field(default_factory=list)
    ranges: list[tuple[float, float, float]] = field(default_factory=list)
    lower_bounds: list[tuple[float, float]] = field(default_factory=list)
    targets: list[tuple[float, str]] = field(default_factory=list)
    today: float | None = None
    legend: list[tuple[str, list[str]]] = field(default_factory=list)  # (style key, lines of text) beside the plot
    clipped: bool = False
    label: str = ""


def pace_chart(rows: pd.DataFrame, targets: list[tuple[float, str]], as_of, unit: str, label: str) -> PaceChart:
    """``rows``: one series' pace lines (:data:`forecast.outlook.pace.PACE_COLUMNS`); ``targets``: (threshold,
    label) of its open targets this year; ``as_of``: the data's date (a mark on the time axis)."""
    chart = PaceChart(unit=unit, label=label)
    left, top_px, right, bottom = chart.plot
    rows = rows.assign(ds=pd.to_datetime(rows["ds"]))
    year = int(rows["ds"].dt.year.min())
    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    sx = Scale(0.0, float((end - start).days), left, right)

    def x(days) -> np.ndarray:
        return sx((pd.to_datetime(pd.Series(days)) - start).dt.days.to_numpy(dtype=float))

    line = {name: part.sort_values("ds") for name, part in rows.groupby("line")}
    outlook, facts = line.get("outlook"), line.get("fact")
    fact_hi = facts["y_hi"].astype(float) if facts is not None else pd.Series(dtype=float)
    fact_lo = facts["y_lo"].astype(float) if facts is not None else pd.Series(dtype=float)
    top = _fit_top(
        [
            outlook["hi_80"] if outlook is not None else [],
            *(line[k]["y"] for k in ("last year", "typical") if k in line),
            fact_lo,
            np.where(fact_hi <= RANGE_ROOM * _fit_top([fact_lo]), fact_hi, np.nan),
            [t for t, _ in targets],
        ]
    )
    sy, ticks = _y_axis(top, bottom, top_px)
    chart.y_ticks = [(float(sy(v)), _short(v)) for v in ticks if v <= sy.hi]
    months = pd.date_range(start, end, freq="MS")
    chart.x_ticks = [(float(x([m])[0]), f"{m:%b}") for m in months[::2]]
    if outlook is not None:
        ox = x(outlook["ds"])
        chart.band95 = _band(ox, sy(outlook["lo_95"]), sy(outlook["hi_95"]))
        chart.band80 = _band(ox, sy(outlook["lo_80"]), sy(outlook["hi_80"]))
        chart.median = _points(ox, sy(outlook["y"]))
        chart.clipped = bool((outlook["hi_95"].astype(float) > sy.hi).any())
        chart.legend.append(("band", "outlook: 80% and 95% of paths; dashed: median"))
    if facts is not None:
        fx = x(facts["ds"])
        value = facts["y"].astype(float).to_numpy()
        lo, hi = fact_lo.to_numpy(), fact_hi.to_numpy()
        pinned = np.isfinite(value)
        chart.facts = list(zip(fx[pinned].round(1), sy(value[pinned]).round(1)))
        ranged = np.isfinite(hi) & np.isfinite(lo) & (hi > lo * 1.02)
        chart.ranges = list(zip(fx[ranged].round(1), sy(lo[ranged]).round(1), sy(hi[ranged]).round(1)))
        open_above = ~np.isfinite(hi) & (lo > 0) & ~pinned
        chart.lower_bounds = list(zip(fx[open_above].round(1), sy(lo[open_above]).round(1)))
        chart.legend.append(("fact", "facts: run so far (bar: range, △: at least)"))
    if "last year" in line:
        chart.last_year = _points(x(line["last year"]["ds"]), sy(line["last year"]["y"]))
        chart.legend.append(("last", f"{year - 1}, on this year's dates"))
    if "typical" in line:
        typical = line["typical"]
        chart.typical = _points(x(typical["ds"]), sy(typical["y"]))
        scaled = "last year's total" if str(typical["sources"].iloc[0]) == "last year" else f"the {year} median"
        chart.legend.append(("typical", f"typical pace to {scaled}"))
    chart.targets = [(float(sy(t)), f"target {name}") for t, name in targets if t <= sy.hi * 1.0001]
    if chart.targets:
        chart.legend.append(("target", "open target (year's total)"))
    day = pd.Timestamp(as_of)
    chart.today = float(x([day])[0]) if start <= day <= end else None
    chart.legend = [(key, textwrap.wrap(words, LEGEND_CHARS)) for key, words in chart.legend]
    return chart


def _points(x, y) -> str:
    return " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(np.asarray(x), np.asarray(y)))


def _band(x, lo, hi) -> str:
    x, lo, hi = np.asarray(x), np.asarray(lo), np.asarray(hi)
    return _points(np.r_[x, x[::-1]], np.r_[hi, lo[::-1]])


def _short(value: float) -> str:
    """An axis label as people write it: 950, 9,500, 95k, 1.2M."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:.3g}M"
    if abs(value) >= 1e5:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"
