"""The facts about an outlook's months, as bands on sums of them (:class:`forecast.outlook.conditioning.Band`).

The data layer keeps every fact of a series (not set aside as conflicting) as a linear constraint on its monthly
totals (:mod:`forecast.data.constraints`): a month, a quarter, a year-to-date, a year, a milestone since launch,
hedged wording as one-sided bounds, a growth rate as a ratio band. A constraint that touches the outlook's months
becomes a band on them: the part of it that falls on earlier, known months is replaced by the interval the facts
allow for that part (a milestone "110,000 trains since 2011, passed on 10 June 2025" leaves the 2025 part of the
sum, give or take what the facts leave open about 2011-2024). A growth rate whose base lies in the known past is
a band on its period; one comparing two outlook periods says what the base was when the level is stated too
("1,570,000 TEU in Jan-Sep, +11%": the base period ran 1,570,000 / 1.11), else it is a band around zero on the
difference of the period and the rate times its base, as wide as the rate's tolerance times the base's total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data.vintage import ReconciledSeries
from forecast.outlook.conditioning import Band


def outlook_bands(series: ReconciledSeries, months: pd.PeriodIndex) -> list[Band]:
    """Every kept fact of ``series`` that touches ``months`` (consecutive calendar months), as bands on them."""
    system = series.system
    if system is None:
        return []
    grid = system.months
    inside = (grid >= months[0]) & (grid <= months[-1])
    before = grid < months[0]
    position = np.asarray([months.get_loc(m) for m in grid[inside]], dtype=int)

    def split(vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        outlook = np.zeros(len(months))
        outlook[position] = vector[inside]
        return outlook, np.where(before, vector, 0.0)

    def past(vector: np.ndarray) -> tuple[float, float]:
        return system.bounds(vector)[:2] if np.any(vector) else (0.0, 0.0)

    levels = {(c.ids, c.period): c for c in system.kept if not c.is_growth}
    bands = []
    for c in system.kept:
        coef_o, coef_p = split(c.coef)
        label = f"{';'.join(c.ids)}: {c.label}"
        if not c.is_growth:
            if not coef_o.any():
                continue
            low, high = past(coef_p)
            bands.append(
                Band(
                    coef_o,
                    c.lo * system.scale - high,
                    c.hi * system.scale - low,
                    c.ids,
                    label,
                    since_launch=bool(coef_p.any()),
                )
            )
            continue
        base_o, base_p = split(c.base)
        if not coef_o.any() and not base_o.any():
            continue
        if not base_o.any() and not coef_p.any():  # the usual case: this year's period against a known one
            low, high = past(base_p)
            bands.append(Band(coef_o, c.lo * low, c.hi * high, c.ids, label))
            continue
        level = levels.get((c.ids, c.period))
        if level is not None and not base_p.any():  # "1,570,000 TEU, +11%": the rate says what the base was
            bands.append(
                Band(
                    base_o, level.lo * system.scale / c.hi, level.hi * system.scale / c.lo, c.ids, f"{label} (its base)"
                )
            )
            continue
        # coef·x = r · base·x give or take the rate's tolerance, the known months' part bounded by the facts
        ratio, tol = (c.lo + c.hi) / 2, (c.hi - c.lo) / 2
        low, high = past(coef_p - ratio * base_p)
        known_base = sum(past(base_p)) / 2 * tol  # the known part of the base widens the band by its share
        bands.append(Band(coef_o - ratio * base_o, -high - known_base, -low + known_base, c.ids, label, base_o, tol))
    return [b for b in bands if b.lo > 0 or np.isfinite(b.hi) or b.ratio_of is not None]  # drop what says nothing
