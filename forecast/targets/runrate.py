"""Required run-rate: trains per remaining day (and month) needed to meet a target, beside the rate observed so
far — the number planners discuss. A "month" here is 365.25 / 12 days, so daily and monthly rates agree."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class RunRate:
    """What is still needed per day/month against what has been run per day so far (and what sources state)."""

    required_total: float
    observed: float
    observed_through: pd.Timestamp | None
    remaining_days: int
    needed_per_day: float
    needed_per_month: float
    observed_per_day: float | None
    stated_per_day: float | None
    stated_source: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def run_rate(
    required_total: float,
    period_start: pd.Timestamp,
    period_end: pd.Timestamp,
    observed: float = 0.0,
    observed_through: pd.Timestamp | None = None,
    stated: pd.DataFrame | None = None,
) -> RunRate:
    """(required - observed) / remaining days, with the remaining days counted after ``observed_through``
    (the whole period when nothing is observed) and the observed rate = observed / elapsed days; ``stated``
    daily averages (facts, oldest first) put the latest one beside them."""
    start, end = pd.Timestamp(period_start), pd.Timestamp(period_end)
    if observed_through is None:
        remaining, observed_rate = (end - start).days + 1, None
    else:
        through = pd.Timestamp(observed_through)
        remaining = max((end - through).days, 0)
        observed_rate = observed / ((through - start).days + 1)
    still = max(required_total - observed, 0.0)
    per_day = still / remaining if remaining else (0.0 if still == 0 else float("inf"))
    latest = stated.iloc[-1] if stated is not None and len(stated) else None
    return RunRate(
        required_total=float(required_total),
        observed=float(observed),
        observed_through=observed_through,
        remaining_days=int(remaining),
        needed_per_day=float(per_day),
        needed_per_month=float(per_day * DAYS_PER_MONTH),
        observed_per_day=observed_rate,
        stated_per_day=None if latest is None else float(latest["value"]),
        stated_source=None
        if latest is None
        else (
            f"{latest['id']} ({latest['qualifier']}, "
            f"{pd.Timestamp(latest['period_start']).date()}.."
            f"{pd.Timestamp(latest['period_end']).date()})"
        ),
    )
