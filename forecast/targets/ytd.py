"""Year-to-date conditioning: the observed part of a year is fixed; only the remainder is simulated.

Two ways to simulate the remainder:

- **monthly series**: the sum, per path, of the monthly forecasts for the months after the YTD cut-off (the
  cut-off month counts for the fraction of its days not yet covered);
- **annual series + share profile** (:func:`condition_annual`): each path draws the share ``s`` of the year
  that the YTD figure represents (donor profile, :mod:`forecast.targets.seasonal_profile`). The YTD figure then
  implies an annual total ``YTD / s``; the model's annual path is another estimate. They are combined on the log
  scale with weights from their spreads (inverse-variance), which for independent normal draws gives exactly
  the normal posterior of the annual total — the model dominates early in the year, when shares vary most in
  relative terms, the YTD figure late in the year. The remainder is that combined annual × (1 - s), so the
  outcome is YTD + a non-negative remainder: a YTD above the target gives probability 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.targets.seasonal_profile import ShareProfile, year_fraction


@dataclass(frozen=True)
class Conditioned:
    """Outcome totals per path after conditioning, with what was observed and how the rest was simulated."""

    totals: np.ndarray
    observed: float
    observed_through: pd.Timestamp
    method: str
    model_weight: float | None = None
    share_mean: float | None = None


def condition_annual(
    annual_paths: np.ndarray | None,
    ytd: float,
    through: pd.Timestamp,
    profile: ShareProfile,
    rng: np.random.Generator,
    n_paths: int,
) -> Conditioned:
    """Outcome = YTD + combined annual × (1 - share), per path (see the module docstring); without model
    paths (``None``) the annual total is the YTD-implied one alone."""
    t = year_fraction(through)
    shares = profile.sample(t, n_paths, rng)
    floor = max(ytd, 1.0) * 1e-3  # a path at zero says "no information", not log(0)
    log_implied = np.log(max(ytd, floor)) - np.log(shares)
    if annual_paths is None:
        weight, annual = 0.0, np.exp(log_implied)
    else:
        log_model = np.log(np.maximum(annual_paths, floor))
        var_model, var_implied = float(np.var(log_model)), float(np.var(log_implied))
        total_var = var_model + var_implied
        weight = 0.5 if total_var <= 0 else var_implied / total_var
        annual = np.exp(weight * log_model + (1.0 - weight) * log_implied)
    totals = ytd + annual * (1.0 - shares)
    return Conditioned(totals, ytd, through, f"ytd+profile ({profile.donor})", weight, float(np.mean(shares)))


def condition_monthly(
    monthly_paths: np.ndarray, first_month: pd.Timestamp, year: int, ytd: float = 0.0, through: pd.Timestamp | None = None
) -> Conditioned:
    """Outcome of ``year`` = YTD + the monthly paths summed over the part of ``year`` after ``through`` (the whole
    year when nothing is observed); ``first_month`` is the month of column 0."""
    months = pd.date_range(first_month, periods=monthly_paths.shape[1], freq="MS")
    weights = np.array([_uncovered_fraction(m, year, through) for m in months])
    totals = ytd + monthly_paths @ weights
    if through is None:
        return Conditioned(totals, 0.0, None, "monthly paths")
    return Conditioned(totals, ytd, through, "ytd+monthly")


def _uncovered_fraction(month: pd.Timestamp, year: int, through: pd.Timestamp | None) -> float:
    """Share of ``month`` that lies in ``year`` after ``through``."""
    if month.year != year:
        return 0.0
    month_end = month + pd.offsets.MonthEnd(0)
    if through is None or month > through:
        return 1.0
    if month_end <= through:
        return 0.0
    return (month_end - through).days / month.days_in_month
