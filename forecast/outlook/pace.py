"""Where the year stands: the year in progress as a cumulative total by date, beside its pace.

For a series with facts about the year in progress, :func:`pace_rows` gives the lines a pace chart draws, all on
this year's calendar (long format, :data:`PACE_COLUMNS`, one ``line`` each):

- ``fact``: what the facts say had run by each date a fact about the year ends on (the year-to-date total the
  reconciled facts allow: ``y`` where they pin it, ``y_lo`` .. ``y_hi`` always);
- ``outlook``: the outlook's monthly paths cumulated, to each month end (median, 80% and 95% bands), from 0 on
  1 January to the year's total on 31 December — the same paths as every other number about the series;
- ``last year``: last year's year-to-date totals the facts pin down and its full-year total, moved onto this
  year's dates;
- ``typical``: the typical year's pace (the mean of the share profile the outlook's months were drawn from,
  :mod:`forecast.outlook.profile`) scaled to last year's total (``sources`` says ``last year``), or to this year's
  median when last year's total is not known (``median``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.outlook.profile import YTD_PINNED, MonthProfile, year_fraction
from forecast.outlook.result import Outlook

PACE_COLUMNS = ["unique_id", "line", "ds", "y", "y_lo", "y_hi", "lo_80", "hi_80", "lo_95", "hi_95", "sources"]
OUTLOOK, FACTS, LAST_YEAR, TYPICAL = "outlook", "fact", "last year", "typical"


def has_facts_about(view: Outlook, year: int) -> bool:
    """Whether a kept fact of the series covers a period that starts in ``year`` (a milestone since launch
    does not)."""
    system = view.series.system
    return bool(system is not None and any(c.period[0].year == year for c in system.kept))


def pace_rows(view: Outlook, profile: MonthProfile | None = None) -> pd.DataFrame:
    """The pace lines of ``view``'s year in progress (empty without facts about it or monthly paths)."""
    year = view.as_of.year
    if view.monthly is None or view.months is None or not has_facts_about(view, year):
        return pd.DataFrame(columns=PACE_COLUMNS)
    series, uid = view.series, view.uid
    start = pd.Timestamp(year, 1, 1)
    frames = []
    ytd = series.ytd[series.ytd.index.year == year]
    if len(ytd):
        frames.append(
            pd.DataFrame(
                {
                    "line": FACTS,
                    "ds": ytd.index,
                    "y": ytd["y"].astype(float).to_numpy(),
                    "y_lo": ytd["y_lo"].astype(float).to_numpy(),
                    "y_hi": ytd["y_hi"].astype(float).to_numpy(),
                    "sources": ytd["sources"].astype(str).to_numpy(),
                }
            )
        )
    inside = np.asarray(view.months.year == year)
    cumulative = np.concatenate([np.zeros((view.n_paths, 1)), view.monthly[:, inside].cumsum(axis=1)], axis=1)
    ends = [start, *(p.to_timestamp(how="end").normalize() for p in view.months[inside])]
    q = np.quantile(cumulative, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    frames.append(
        pd.DataFrame(
            {"line": OUTLOOK, "ds": ends, "y": q[0], "lo_80": q[1], "hi_80": q[2], "lo_95": q[3], "hi_95": q[4]}
        )
    )
    last = _last_year(series, year)
    if len(last):
        frames.append(last)
    if profile is not None:
        total = series.pinned.get(year - 1)
        reference, which = (float(total), "last year") if total is not None else (float(np.median(q[0][-1])), "median")
        shares = [profile.mean_share(year_fraction(day)) if day != start else 0.0 for day in ends]
        shares[-1] = 1.0
        frames.append(pd.DataFrame({"line": TYPICAL, "ds": ends, "y": np.array(shares) * reference, "sources": which}))
    out = pd.concat(frames, ignore_index=True).assign(unique_id=uid)
    return out.reindex(columns=PACE_COLUMNS)


def _last_year(series, year: int) -> pd.DataFrame:
    """Last year's pinned year-to-date totals and its total, on this year's dates (from 0 on 1 January)."""
    ytd = series.ytd[series.ytd.index.year == year - 1]
    lo, hi = ytd["y_lo"].astype(float), ytd["y_hi"].astype(float)
    ytd = ytd[np.isfinite(hi) & (hi - lo <= np.maximum(YTD_PINNED * hi, 1.0))]
    days = [pd.Timestamp(year, 1, 1)] + [_same_day(d, year) for d in ytd.index]
    values = [0.0] + list(((lo + hi) / 2)[ytd.index])
    sources = [""] + list(ytd["sources"].astype(str))
    if year - 1 in series.pinned.index:
        days.append(pd.Timestamp(year, 12, 31))
        values.append(float(series.pinned[year - 1]))
        sources.append(series.sources(year - 1))
    if len(days) < 2:
        return pd.DataFrame(columns=PACE_COLUMNS)
    frame = pd.DataFrame({"line": LAST_YEAR, "ds": days, "y": values, "sources": sources})
    return frame.drop_duplicates("ds", keep="last").sort_values("ds")


def _same_day(day: pd.Timestamp, year: int) -> pd.Timestamp:
    """``day`` moved to ``year`` (29 February to 28 February)."""
    return pd.Timestamp(year, day.month, min(day.day, 28 if day.month == 2 else day.day))
