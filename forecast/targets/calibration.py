"""Are the target probabilities honest? Scores of what the toolkit would have said against what happened.

- **Retrospective** (bundled data): every published target whose outcome the facts now decide, judged with the
  data public when it was announced; and thresholds on past years' reconciled totals ("more than last year",
  "more than +10%"), judged at the start of the year (1 February, after last year's figures) and mid-year
  (31 July, with the YTD figures published by then). A case counts only when the facts decide it.
- **Simulated** (known truth): series from a random walk with drift, a damped trend and Poisson counts; the
  80% interval of the next value should cover it 80% of the time, within ``3 * sqrt(0.8 * 0.2 / n)`` (three
  binomial standard errors: a well-calibrated model fails this check about 3 times in 1,000), and
  P(next > threshold) should match the observed frequency (reliability table, Brier score). The well-specified
  pair (drift on the random walk with drift) checks the probability machinery itself; ``auto`` on all three
  processes checks how it copes with processes it does not assume.

Scores: Brier (mean squared error of the probability; 0 is perfect, 0.25 is a coin toss) beside the Brier of
always saying the base rate (known only in hindsight) and, for thresholds, of a rule of thumb known at the time
(the share of all past year-on-year growth that beat the threshold); log score (mean negative log-likelihood,
probabilities clipped to [0.01, 0.99]).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.defaults import LIBRARY_PATHS
from forecast.fitting import forecast_array
from forecast.outlook import Outlooks
from forecast.targets.check import check
from forecast.targets.definitions import targets_from_facts, year_target

CLIP = 0.01
THRESHOLD_STEPS = (1.0, 1.1)
CUTOFFS = {"start of year": (2, 1), "mid-year": (7, 31)}
PROCESSES = ("random walk with drift", "damped trend", "poisson counts")


def brier(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between probability and the 0/1 outcome."""
    return float(np.mean((np.asarray(p, float) - np.asarray(outcome, float)) ** 2))


def log_score(p: np.ndarray, outcome: np.ndarray) -> float:
    """Mean negative log-likelihood of the outcomes (probabilities clipped to [0.01, 0.99])."""
    p = np.clip(np.asarray(p, float), CLIP, 1 - CLIP)
    y = np.asarray(outcome, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def reliability(p: np.ndarray, outcome: np.ndarray, bins: int = 5) -> pd.DataFrame:
    """Per probability bin: cases, mean forecast probability, observed frequency."""
    frame = pd.DataFrame({"p": np.asarray(p, float), "y": np.asarray(outcome, float)})
    frame["bin"] = pd.cut(frame["p"], np.linspace(0, 1, bins + 1), include_lowest=True)
    table = frame.groupby("bin", observed=True).agg(n=("y", "size"), mean_p=("p", "mean"), frequency=("y", "mean"))
    return table.reset_index().assign(bin=lambda t: t["bin"].astype(str))


def summary(cases: pd.DataFrame, by: str = "group") -> pd.DataFrame:
    """Per group: cases, Brier, base-rate Brier, log score (cases need columns ``p`` and ``outcome``), and the
    Brier of the rule of thumb known at the time where cases carry one (column ``p_rule``)."""
    rows = []
    for name, group in cases.groupby(by, sort=False):
        base = group["outcome"].mean()
        row = {
            by: name,
            "n": len(group),
            "brier": brier(group["p"], group["outcome"]),
            "brier_base_rate": brier(np.full(len(group), base), group["outcome"]),
        }
        if "p_rule" in group and group["p_rule"].notna().all():
            row["brier_rule_of_thumb"] = brier(group["p_rule"], group["outcome"])
        rows.append({**row, "log_score": log_score(group["p"], group["outcome"]), "event_rate": base})
    return pd.DataFrame(rows)


def retrospective(model: str = "auto", n_paths: int = LIBRARY_PATHS, seed: int = 0, observations=None) -> pd.DataFrame:
    """Published targets and past-year thresholds: probability then, outcome (0/1) now — one row per case.

    Thresholds are set on the reconciled ``reported``-basis series of every entity (the previous year's value
    × :data:`THRESHOLD_STEPS`); a case counts only when the facts decide it (the year's whole interval is on one
    side of the threshold), so a hedged "more than 3,800" never passes for an exact outcome."""
    outlooks = Outlooks(observations, model=model, n_paths=n_paths, seed=seed)
    rows = []
    for target in targets_from_facts(outlooks.facts.facts):
        result = check(target, outlooks, target.published or target.period_start)
        if result.assessed and result.met is not None:
            rows.append(
                {
                    "group": "published targets",
                    "case": target.label,
                    "as_of": result.as_of,
                    "used": result.used,
                    "p": result.probability,
                    "outcome": float(result.met),
                }
            )
    for entity, year, previous in _consecutive_years(outlooks, "trains"):
        for cutoff, (month, day) in CUTOFFS.items():
            as_of = pd.Timestamp(year, month, day)
            for step in THRESHOLD_STEPS:
                target = year_target(entity, year, "trains", more_than=round(previous * step))
                result = check(target, outlooks, as_of)
                if result.assessed and result.method != "observed" and result.met is not None:
                    rows.append(
                        {
                            "group": f"thresholds, {cutoff}",
                            "case": target.label,
                            "as_of": as_of,
                            "used": result.used,
                            "p": result.probability,
                            "outcome": float(result.met),
                            "p_rule": rule_of_thumb(outlooks, as_of, step),
                        }
                    )
    return pd.DataFrame(rows, columns=["group", "case", "as_of", "used", "p", "outcome", "p_rule"])


def rule_of_thumb(outlooks: Outlooks, as_of: pd.Timestamp, step: float) -> float:
    """What a planner could have said without a model: the share of every year-on-year growth known on ``as_of``
    (all entities) that beat ``step`` (1.1 = +10%); a fair, non-hindsight reference for the threshold cases."""
    growth = outlooks.pool(outlooks.facts.on(as_of), "trains").growth
    return float(np.mean(growth > np.log(step))) if len(growth) else 0.5


def _consecutive_years(outlooks: Outlooks, metric: str) -> list[tuple[str, int, float]]:
    """(entity, year, previous year's value) for every reconciled ``reported`` series with both years pinned."""
    out = []
    latest = outlooks.facts.on()
    for key in latest.keys(metrics=(metric,), basis="reported"):
        pinned = latest.series(*key).pinned
        out += [(key[0], int(y), float(pinned[y - 1])) for y in pinned.index if y - 1 in pinned.index]
    return sorted(out)


def simulate(process: str, length: int, rng: np.random.Generator) -> np.ndarray:
    """One series of ``length + 1`` points (the last is the truth to forecast) from a named process."""
    n = length + 1
    if process == "random walk with drift":
        return 1000 + np.cumsum(rng.normal(50, 100, n))
    if process == "damped trend":
        level, slope, out = 1000.0, 120.0, []
        for _ in range(n):
            slope *= 0.8
            level += slope + rng.normal(0, 60)
            out.append(level)
        return np.asarray(out)
    if process == "poisson counts":
        rate = 200 * np.exp(np.cumsum(rng.normal(0.08, 0.12, n)))
        return rng.poisson(rate).astype(float)
    raise ValueError(f"unknown process {process!r}")


def simulated(
    model: str = "drift",
    n_series: int = 300,
    length: int = 12,
    n_paths: int = LIBRARY_PATHS,
    seed: int = 0,
    processes=PROCESSES,
) -> pd.DataFrame:
    """Per simulated series: 80% interval coverage of the next value, and P(next > threshold) against truth
    (threshold = last value × a uniform draw in [0.9, 1.3], so events happen at varied rates)."""
    rng = np.random.default_rng(seed)
    rows = []
    for process in processes:
        for k in range(n_series):
            series = simulate(process, length, rng)
            history, truth = series[:-1], series[-1]
            paths, used, _ = forecast_array(history, 1, model, 1, n_paths, seed + k)
            lo, hi = paths.interval(80)
            threshold = history[-1] * rng.uniform(0.9, 1.3)
            rows.append(
                {
                    "group": process,
                    "used": used,
                    "covered": float(lo[0] <= truth <= hi[0]),
                    "p": paths.prob_exceeds(threshold, step=0),
                    "outcome": float(truth > threshold),
                }
            )
    return pd.DataFrame(rows)


def coverage_tolerance(n: int, level: float = 0.8, z: float = 3.0) -> float:
    """``z`` binomial standard errors of an observed coverage over ``n`` independent cases."""
    return z * float(np.sqrt(level * (1 - level) / n))
