"""Charts as inline SVG strings (matplotlib's object API, no pyplot or display), so the report needs no files.

Charts carry no text from data (titles live in the HTML), and each chart salts its SVG ids differently, so
several charts inlined in one page never share an id, and the same input always gives the same bytes.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

HISTORY, FORECAST = "#1f4e79", "#c0504d"


def series_chart(history: pd.DataFrame, forecast: pd.DataFrame, salt: str) -> str:
    """History (points, reconciled ranges, open markers for lower bounds) and the forecast fan: 95%, 80%, mean."""
    fig = Figure(figsize=(8, 3.2))
    ax = fig.subplots()
    ds, y = history["ds"], history["y"].astype(float)
    lo, hi = history["y_lo"].astype(float), history["y_hi"].astype(float)
    ax.plot(ds[y.notna()], y[y.notna()], "o-", color=HISTORY, ms=3.5, lw=1.4, label="reconciled history")
    ranged = lo.notna() & hi.notna() & np.isfinite(hi) & (hi > lo)
    if ranged.any():
        ax.vlines(ds[ranged], lo[ranged], hi[ranged], color=HISTORY, lw=5, alpha=0.3, label="reconciled range")
    open_above = lo.notna() & (hi.isna() | np.isinf(hi))
    if open_above.any():
        ax.plot(ds[open_above], lo[open_above], "^", ls="none", ms=8, mfc="white", mec=HISTORY, mew=1.5,
                label="lower bound (open above)")  # fmt: skip
    if not forecast.empty:
        fds = forecast["ds"]
        ax.fill_between(fds, forecast["lo_95"], forecast["hi_95"], color=FORECAST, alpha=0.15, lw=0, label="95%")
        ax.fill_between(fds, forecast["lo_80"], forecast["hi_80"], color=FORECAST, alpha=0.3, lw=0, label="80%")
        ax.plot(fds, forecast["mean"], "--", color=FORECAST, lw=1.6, label="forecast mean")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return to_svg(fig, salt)


def to_svg(fig: Figure, salt: str) -> str:
    """The figure as an ``<svg>`` element: glyphs as paths (no fonts needed), no date stamp, ids salted."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": salt}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]
