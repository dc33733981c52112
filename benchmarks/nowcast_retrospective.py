"""Retrospective nowcasts: how well the outlook knew a year's total from what was published at the time.

For every series-year whose full-year total the bundled facts now pin down (on that series' own counting basis),
the year's total is forecast as of 1 January of that year and as of each date within the year on which a fact
about that year was published, from the facts public on that date only. Beside the outlook, three rules an
analyst uses at the same date:

- ``last year``: the latest full year known, carried forward;
- ``last year × YTD growth``: that year × (1 + the latest year-on-year growth of a year-to-date figure known for
  the year), else last year;
- ``YTD ÷ typical share``: the latest year-to-date total known for the year divided by the share of the year the
  same series (else the nation) has run by that date in the years known then (their median), else last year.

Scores per case: absolute percentage error of the median (the point forecast that absolute errors call for; rules:
their single number), CRPS as a percentage of the outcome (rules: a point forecast's CRPS is its absolute error),
and whether the outlook's 80%/95% intervals cover the outcome. Printed overall, for the national series alone, and
by when in the year the forecast was made.

Run: ``python benchmarks/nowcast_retrospective.py [--model auto] [--paths 1000] [--metrics trains,teu]
[--start 2012] [--output cases.csv]`` (about five minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from forecast.backtest.metrics import crps_paths
from forecast.data.vintage import FactBase, known_from
from forecast.outlook import NoOutlook, Outlooks
from forecast.outlook.profile import year_fraction

RULES = ("last year", "last year × YTD growth", "YTD ÷ typical share")
NEAR = 0.08  # a past year's share counts as "typical" within about a month of the same date


def cases(facts: FactBase, metrics: tuple[str, ...], start: int) -> pd.DataFrame:
    """(entity, metric, basis, year, truth, as_of): every known year × every date its facts were published."""
    latest = facts.on()
    every = facts.facts.assign(known_from=known_from(facts.facts))
    rows = []
    for key in latest.keys(metrics=metrics):
        pinned = latest.series(*key).pinned
        own = every[(every["entity"] == key[0]) & (every["metric"] == key[1]) & (every["basis"] == key[2])]
        for year, truth in pinned.items():
            year = int(year)
            if year < start or truth <= 0:
                continue
            about = own[(own["period_end"].dt.year == year) & (own["period_end"] < pd.Timestamp(year, 12, 31))]
            dates = {pd.Timestamp(year, 1, 1)} | {d.normalize() for d in about["known_from"] if d.year == year}
            rows += [
                {"entity": key[0], "metric": key[1], "basis": key[2], "year": year, "truth": float(truth), "as_of": d}
                for d in sorted(dates)
            ]
    return pd.DataFrame(rows)


def rules(facts: FactBase, case) -> dict[str, float]:
    """The three analyst rules as of the case's date (see the module docstring)."""
    vintage = facts.on(case.as_of)
    series = vintage.series(case.entity, case.metric, case.basis)
    pinned = series.pinned[series.pinned.index < case.year]
    if pinned.empty:
        return {}
    last_year = float(pinned.iloc[-1])
    out = {RULES[0]: last_year, RULES[1]: last_year, RULES[2]: last_year}
    ytd = series.ytd[(series.ytd.index.year == case.year)]
    ytd = ytd[np.isfinite(ytd["y_hi"].astype(float)) & (ytd["y_hi"] - ytd["y_lo"] <= np.maximum(0.02 * ytd["y_hi"], 1))]
    growth = _latest_ytd_growth(vintage, case)
    if growth is not None and pinned.index[-1] == case.year - 1:
        out[RULES[1]] = last_year * (1 + growth)
    if len(ytd):
        day, row = ytd.index[-1], ytd.iloc[-1]
        share = _typical_share(vintage, case, year_fraction(day))
        if share is not None:
            out[RULES[2]] = (row["y_lo"] + row["y_hi"]) / 2 / share
    return out


def _latest_ytd_growth(vintage, case) -> float | None:
    """The year-on-year growth of the latest year-to-date figure of the year known on the date: a stated rate,
    else the ratio of the two years' year-to-date totals where the facts pin both."""
    facts = vintage.facts
    mine = facts[
        (facts["entity"] == case.entity)
        & (facts["metric"] == case.metric)
        & (facts["basis"] == case.basis)
        & (facts["kind"] == "total")
        & (facts["period_start"] == pd.Timestamp(case.year, 1, 1))
        & (facts["period_end"] < pd.Timestamp(case.year, 12, 31))
        & facts["yoy_pct"].notna()
    ]
    series = vintage.series(case.entity, case.metric, case.basis)
    computed = []
    for day, row in series.ytd[series.ytd.index.year == case.year].iterrows():
        before = day - pd.DateOffset(years=1)
        if before in series.ytd.index and np.isfinite(row["y_hi"]):
            past = series.ytd.loc[before]
            if np.isfinite(past["y_hi"]) and past["y_lo"] > 0:
                computed.append((day, (row["y_lo"] + row["y_hi"]) / (past["y_lo"] + past["y_hi"]) - 1))
    stated = [(r.period_end, r.yoy_pct / 100) for r in mine.itertuples()]
    found = sorted(stated + computed, key=lambda item: item[0])
    return float(found[-1][1]) if found else None


def _typical_share(vintage, case, t: float) -> float | None:
    """Median share run by year fraction ``t`` in the past years of the series, else of the nation, known then."""
    for key in ((case.entity, case.metric, case.basis), ("national", case.metric, "reported")):
        series = vintage.series(*key)
        shares = []
        for day, row in series.ytd.iterrows():
            if day.year < case.year and day.year in series.pinned.index and abs(year_fraction(day) - t) <= NEAR:
                if np.isfinite(row["y_hi"]) and row["y_hi"] - row["y_lo"] <= max(0.02 * row["y_hi"], 1):
                    shares.append((row["y_lo"] + row["y_hi"]) / 2 / series.pinned[day.year])
        if shares:
            return float(np.median(shares))
    return None


def outlook_scores(paths: np.ndarray, truth: float) -> dict:
    """One case's scores of a distribution of sample paths: its median, the median's absolute percentage error,
    CRPS as a share of the outcome, and whether the central 80% / 95% intervals (quantiles of the paths) hold it."""
    lo80, hi80, lo95, hi95 = np.quantile(paths, [0.1, 0.9, 0.025, 0.975])
    median = float(np.median(paths))
    return {
        "forecast": median,
        "ape": abs(median - truth) / truth,
        "crps": float(crps_paths(np.asarray(paths, dtype=float)[:, None], np.array([truth]))[0]) / truth,
        "in80": float(lo80 <= truth <= hi80),
        "in95": float(lo95 <= truth <= hi95),
    }


def add_outlook_arguments(parser) -> None:
    """The outlook's settings on the command line of the scripts that replay it by date."""
    parser.add_argument("--model", default="auto")
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hierarchy", default="mint", help="mint (what predict --entity reads), ols, bottom_up, none")


def outlook_options(args) -> dict:
    """Those settings as ``Outlooks`` keyword arguments."""
    hierarchy = None if args.hierarchy == "none" else args.hierarchy
    return {"model": args.model, "n_paths": args.paths, "seed": args.seed, "hierarchy": hierarchy}


def by_date(work, tasks: list[tuple], jobs: int) -> list:
    """``work`` over ``(as-of date, cases, options)`` tasks, one vintage per date, in this process or on ``jobs``
    local processes (the fact cross-validation and the replay share this)."""
    from forecast import executor

    return executor.run(
        work,
        tasks,
        engine="serial" if jobs <= 1 else "processes",
        jobs=jobs,
        desc="dates",
        unit="case",
        size=lambda task: len(task[1]),
    )


def rule_scores(value: float, truth: float) -> dict:
    """A point forecast's scores on the same scale (its CRPS is its absolute error)."""
    ape = abs(value - truth) / truth
    return {"forecast": value, "ape": ape, "crps": ape, "in80": np.nan, "in95": np.nan}


def score(table: pd.DataFrame) -> pd.DataFrame:
    """MAPE, CRPS (% of the outcome) and coverage per method over the cases of ``table``."""
    rows = []
    for method, group in table.groupby("method", sort=False):
        rows.append(
            {
                "method": method,
                "cases": len(group),
                "MAPE %": 100 * group["ape"].mean(),
                "CRPS %": 100 * group["crps"].mean(),
                "80% coverage": group["in80"].mean() if group["in80"].notna().any() else np.nan,
                "95% coverage": group["in95"].mean() if group["in95"].notna().any() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto")
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--metrics", default="trains,teu,tonnes")
    parser.add_argument("--start", type=int, default=2012)
    parser.add_argument("--until", type=int, default=2100, help="only years up to this one (validation splits)")
    parser.add_argument("--output", default=None, help="write every case's scores here (CSV)")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    facts = FactBase()
    outlooks = Outlooks(facts=facts, model=args.model, n_paths=args.paths, years=2)
    todo = cases(facts, tuple(args.metrics.split(",")), args.start)
    todo = todo[todo["year"] <= args.until]
    scored = []
    for case in todo.itertuples(index=False):
        truth = case.truth
        try:
            view = outlooks.get(case.entity, case.metric, case.basis, case.as_of)
        except NoOutlook:
            continue
        paths = view.year_paths(case.year)
        if paths is None or case.year not in view.years:
            continue
        analyst = rules(facts, case)
        if not analyst:
            continue
        common = {
            "series": f"{case.entity}/{case.metric}/{case.basis}",
            "year": case.year,
            "as_of": case.as_of,
            "national": case.entity == "national",
            "when": "1 January"
            if case.as_of.month == 1 and case.as_of.day == 1
            else f"{'H1' if case.as_of.month <= 6 else 'H2'} of the year",
            "truth": truth,
        }
        scored.append({**common, "method": "outlook", **outlook_scores(paths, truth)})
        for name, value in analyst.items():
            scored.append({**common, "method": name, **rule_scores(value, truth)})
    table = pd.DataFrame(scored)
    if args.output:
        table.to_csv(args.output, index=False)
    pd.set_option("display.width", 200)
    n_cases = table[table["method"] == "outlook"]
    print(
        f"{len(n_cases)} series-year-date cases ({n_cases['series'].nunique()} series, "
        f"{len(n_cases.groupby(['series', 'year']))} series-years); model {args.model}, {args.paths} paths; "
        f"{time.perf_counter() - clock:.0f} s"
    )
    for title, part in (("overall", table), ("national series", table[table["national"]])):
        print(f"\n{title}\n" + score(part).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    for when, part in table.groupby("when"):
        print(f"\nas of {when}\n" + score(part).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
