"""How much of a year's total is usually done by a given day: a share profile learnt from years where both a
year-to-date figure and the full-year total are known, with its year-to-year spread.

The share ``s`` run by year fraction ``t`` is modelled on the log-odds scale, ``u = logit(s) - logit(t)``
(0 = an even pace through the year; the scale keeps every share inside (0, 1) and shrinks to 1 as ``t`` → 1).
Each donor year gives one ``u`` near ``t`` (a kernel-weighted mean of that year's points); the profile at ``t`` is
the mean and spread of those yearly values, so sampling a share per path carries the year-to-year variation: a
Student-t draw with ``years - 1`` degrees of freedom scaled by ``sd * sqrt(1 + 1/years)`` (the predictive
distribution of one more year when mean and spread are both estimated from a handful of years). Donors, nearest
first: the entity itself, its parents, the national series, then every entity of the metric pooled; the first with
:data:`MIN_YEARS` years near ``t`` is used. A borrowed profile is at least as uncertain as the spread across every
entity-year near ``t`` (measured robustly): a hub's January is not the nation's January (without that floor, mid-year checks on the
bundled data were over-confident: 0.95 for a +10% that did not happen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.schema import DEFAULT_BASIS
from forecast.targets import facts as F

BANDWIDTH = 0.15  # in year fractions: points within ~2 months weigh most
MIN_YEARS = 3
FALLBACK_SD = 0.5  # log-odds spread when no donor has data: shares between ~t/2 and ~2t in odds terms
NATIONAL = "national"


@dataclass(frozen=True)
class ShareProfile:
    """Share of the annual total run by year fraction ``t``, for one donor (``u`` points: year, t, u)."""

    donor: str
    points: pd.DataFrame
    floor_sd: float = 0.0

    def at(self, t: float) -> tuple[float, float, int]:
        """Mean and predictive scale of ``u`` at ``t``, and how many donor years back them."""
        yearly = _yearly_u(self.points, t)
        if len(yearly) == 0:
            return 0.0, max(FALLBACK_SD, self.floor_sd), 0
        n = len(yearly)
        sd = max(float(np.std(yearly, ddof=1)) if n > 1 else FALLBACK_SD, self.floor_sd)
        return float(np.mean(yearly)), sd * float(np.sqrt(1.0 + 1.0 / n)), n

    def mean_share(self, t: float) -> float:
        """The typical share run by ``t``."""
        return float(_share(t, self.at(t)[0]))

    def sample(self, t: float, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        """One share per path: the profile's uncertainty at ``t`` made concrete."""
        mu, sd, n = self.at(t)
        draws = rng.standard_t(n - 1, n_paths) if n > 1 else rng.standard_normal(n_paths)
        return _share(t, mu + sd * draws)


def year_fraction(day: pd.Timestamp) -> float:
    """Fraction of the calendar year elapsed at the end of ``day``."""
    day = pd.Timestamp(day)
    return day.dayofyear / (366.0 if day.is_leap_year else 365.0)


def share_points(facts: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Every (entity, year, t, u) of ``metric``: a year-to-date total over the same entity's total of that year."""
    facts = facts[(facts["metric"] == metric) & (facts["basis"] == DEFAULT_BASIS)]  # one counting basis per pair
    pairs = F.ytd_table(facts).merge(F.annual_table(facts), on=["entity", "metric", "year"], suffixes=("", "_year"))
    share = pairs["value"] / pairs["value_year"]
    pairs = pairs[(share > 0) & (share < 1)]
    t = pairs["period_end"].map(year_fraction).to_numpy(dtype=float)
    u = _logit((pairs["value"] / pairs["value_year"]).to_numpy(dtype=float)) - _logit(t)
    return pd.DataFrame({"entity": pairs["entity"].to_numpy(), "year": pairs["year"].to_numpy(), "t": t, "u": u})


def donor_profile(points: pd.DataFrame, entity: str, metric: str, t: float, chain: list[str]) -> ShareProfile:
    """The first donor of ``[entity, *chain, national]`` with :data:`MIN_YEARS` years of shares near ``t``, else
    every entity pooled (see the module docstring); ``points`` come from :func:`share_points`."""
    pooled = points.assign(year=points["entity"] + "/" + points["year"].astype(str))
    spread = _yearly_u(pooled, t)
    # Robust (1.4826 × MAD): one odd entity-year (a "1,000th train" dated against the wrong total) must not set it.
    floor = 1.4826 * float(np.median(np.abs(spread - np.median(spread)))) if len(spread) > 2 else FALLBACK_SD
    for donor in dict.fromkeys([entity, *chain, NATIONAL]):
        own = points[points["entity"] == donor]
        if len(_yearly_u(own, t)) >= MIN_YEARS:
            return ShareProfile(f"{donor}/{metric}", own, 0.0 if donor == entity else floor)
    return ShareProfile(f"all entities/{metric}" if len(pooled) else "even pace (no donor)", pooled)


def _yearly_u(points: pd.DataFrame, t: float) -> np.ndarray:
    """One kernel-weighted ``u`` per donor year having a point within two bandwidths of ``t``."""
    near = points[np.abs(points["t"] - t) <= 2 * BANDWIDTH]
    if near.empty:
        return np.empty(0)
    weights = np.exp(-0.5 * ((near["t"] - t) / BANDWIDTH) ** 2)
    frame = near.assign(w=weights, wu=weights * near["u"]).groupby("year")[["w", "wu"]].sum()
    return (frame["wu"] / frame["w"]).to_numpy()


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _share(t: float, u):
    return 1.0 / (1.0 + np.exp(-(_logit(t) + np.asarray(u, dtype=float))))
