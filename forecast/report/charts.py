"""Chart geometry for the report: series small multiples and the reliability plot, as pixel coordinates that the
SVG templates (``templates/*.svg.j2``) draw.

Why not matplotlib here: a report charts a hundred series, and a matplotlib SVG takes about a quarter of a second
and 10-30 KB each; these charts are a few polylines and bands, so the geometry is computed here (tick values from
matplotlib's ``MaxNLocator``, the part worth a library) and jinja2 writes a 3 KB SVG in a millisecond. Every chart
is deterministic: the same data give the same bytes, and no id is shared between charts on one page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

WIDTH, HEIGHT = 330, 190
LEFT, RIGHT, TOP, BOTTOM = 46, 10, 10, 24
HISTORY_YEARS = 12  # small multiples show the last dozen years of history before the outlook


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
    tops = [y_hist, np.where(np.isfinite(hi_hist), hi_hist, lo_hist), outlook.get("hi_80", pd.Series(dtype=float))]
    top = max([float(np.nanmax(t)) for t in tops if len(t) and np.isfinite(t).any()] or [1.0])
    y_ticks = MaxNLocator(nbins=4, min_n_ticks=3).tick_values(0.0, top * 1.05)
    y_ticks = y_ticks[(y_ticks >= 0)]
    sy = Scale(0.0, float(max(y_ticks.max(), top)), HEIGHT - BOTTOM, TOP)
    sx = Scale(years.min() - 0.5, years.max() + 0.5, LEFT, WIDTH - RIGHT)
    chart = SeriesChart(unit=unit, label=label)
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
