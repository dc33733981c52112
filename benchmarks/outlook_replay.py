"""Outlook replay: every series' year, forecast at three fixed points of the year from what was public then.

Cases: every series (entity × metric × counting basis, count metrics) and every year Y from ``--from`` (2016)
whose full-year total the final data knows exactly — the latest vintage's reconciled year has a value and an
interval no wider than 2% of it (or 1 unit), whatever its flags say (a year pinned by a stated figure, or
through a growth rate or a hedge that happens to bind it to 2%, counts alike). Each is forecast as of three
dates, from the facts public on that date only (:meth:`FactBase.on`):

- ``start``: 31 December of Y − 1 (nothing of Y has run);
- ``30 June``: 30 June of Y;
- ``30 Nov``: 30 November of Y.

The outlook (:class:`Outlooks`, the one ``forecast predict --entity`` reads, reconciled with the catalogue's sums
unless ``--hierarchy none``) is scored by its median's absolute percentage error, CRPS from its paths as a
percentage of the final value and whether its central 80% / 95% intervals hold it
(:func:`nowcast_retrospective.outlook_scores`); beside it the three analyst rules of
``nowcast_retrospective.py`` on the same date (:func:`nowcast_retrospective.rules`: last year carried forward,
last year × the year-to-date growth, year to date ÷ the typical share run by then), each a point forecast whose
CRPS is its absolute error. A rule needs a full year known before Y; the rules are compared with the outlook on
the cases where they answer (``with rules`` columns).

*Unanswered*: a case where facts about the series were public on the date but no outlook of Y came out (no
outlook — NoOutlook or another InputError — or one that does not reach Y); listed with the reason. A case with
no public fact about the series on the date is not a case.

Printed per slice (overall, national, not national, each entity kind of ``datasets/entities.csv``) and as-of
point: n, unanswered, the outlook's MAPE, CRPS and coverage, and on the cases the rules answer, the outlook's
MAPE / CRPS and each rule's MAPE (= its CRPS); then the target line: on each slice with 10 or more cases, the
outlook's MAPE and CRPS below every rule's, 80% coverage 0.7–0.9, and no unanswered case.

``--before 2024`` (years before 2024) and ``--from 2024`` split the years: choose on the first, check on the second.

Run: ``python benchmarks/outlook_replay.py [--jobs 1] [--paths 1000] [--from 2016] [--before 2024]
[--metrics trains,teu] [--entity national] [--hierarchy mint|none] [--output cases.csv]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import namedtuple
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.entities import entity_catalogue
from forecast.data.schema import COUNT_METRICS
from forecast.data.vintage import FactBase
from forecast.errors import InputError
from forecast.outlook import Outlooks

sys.path.insert(0, str(Path(__file__).parent))
from fact_crossvalidation import markdown
from nowcast_retrospective import (
    RULES,
    add_outlook_arguments,
    by_date,
    outlook_options,
    outlook_scores,
    rule_scores,
    rules,
)

EXACT = 0.02  # the final year's interval at most 2% of its value (or 1 unit)
POINTS = ("start", "30 June", "30 Nov")
MIN_SLICE = 10
Case = namedtuple("Case", "entity metric basis year truth when as_of")


def as_of_dates(year: int) -> dict[str, pd.Timestamp]:
    return {
        "start": pd.Timestamp(year - 1, 12, 31),
        "30 June": pd.Timestamp(year, 6, 30),
        "30 Nov": pd.Timestamp(year, 11, 30),
    }


def replay_cases(facts: FactBase, metrics, first: int, before: int, entities=None) -> list[Case]:
    """Every (series, year known exactly in the final data, as-of point)."""
    latest = facts.on()
    out = []
    for key in latest.keys(metrics=metrics):
        if entities and key[0] not in entities:
            continue
        years = latest.series(*key).years
        y, lo, hi = (years[c].astype(float) for c in ("y", "y_lo", "y_hi"))
        exact = y.notna() & np.isfinite(hi) & (hi - lo <= np.maximum(EXACT * hi, 1.0)) & (y > 0)
        for year, truth in y[exact].items():
            if first <= int(year) < before:
                out += [Case(*key, int(year), float(truth), w, d) for w, d in as_of_dates(int(year)).items()]
    return out


_STATE: dict = {}


def run_date(task: tuple) -> list[dict]:
    """Every case of one as-of date on one fresh Outlooks (its paths are dropped after), sharing the process's
    FactBase and the content-keyed memos (top-level, for worker processes)."""
    as_of, todo, options = task
    if not _STATE:
        _STATE.update(base=FactBase(), points={}, fits={})
    facts = _STATE["base"]
    outlooks = Outlooks(facts=facts, years=2, **options)
    for name in ("points", "fits"):
        if isinstance(getattr(outlooks, f"_{name}", None), dict):
            setattr(outlooks, f"_{name}", _STATE[name])
    vintage = facts.on(as_of)
    rows = []
    for case in todo:
        common = {**case._asdict(), "series": f"{case.entity}/{case.metric}/{case.basis}"}
        if vintage.series(case.entity, case.metric, case.basis).empty:
            rows.append({**common, "method": "outlook", "status": "no facts", "reason": ""})
            continue
        paths, reason = None, ""
        try:
            view = outlooks.get(case.entity, case.metric, case.basis, as_of)
            paths = view.year_paths(case.year) if case.year in view.years else None
            if paths is None:
                reason = f"the outlook's years {view.years[0]}–{view.years[-1]} do not include {case.year}"
        except InputError as err:
            reason = f"{type(err).__name__}: {err}"
        except Exception as err:  # noqa: BLE001 — a failure of the code measured is counted and shown, not fatal
            reason = f"crash, {type(err).__name__}: {err}"
        if paths is None:
            rows.append({**common, "method": "outlook", "status": "unanswered", "reason": reason})
            continue
        rows.append({**common, "method": "outlook", "status": "answered", **outlook_scores(paths, case.truth)})
        for name, value in rules(facts, case).items():
            rows.append({**common, "method": name, "status": "answered", **rule_scores(value, case.truth)})
    return rows


def summary(table: pd.DataFrame, kinds: pd.Series) -> pd.DataFrame:
    """One row per slice × as-of point (see the module docstring)."""
    table = table.assign(kind=table["entity"].map(kinds).fillna("unknown"))
    slices = [("overall", table), ("national", table[table["entity"] == "national"])]
    slices.append(("not national", table[table["entity"] != "national"]))
    slices += [(f"kind: {kind}", part) for kind, part in table.groupby("kind", sort=True) if kind != "national"]
    rows = []
    for name, part in slices:
        for when, sub in [("all", part)] + [(w, part[part["when"] == w]) for w in POINTS]:
            outlook = sub[sub["method"] == "outlook"]
            ok = outlook[outlook["status"] == "answered"]
            ruled = sub[sub["method"] == RULES[0]]
            same = ok[
                ok.set_index(["series", "year", "when"]).index.isin(ruled.set_index(["series", "year", "when"]).index)
            ]
            row = {
                "slice": name,
                "as of": when,
                "n": len(ok),
                "unanswered": int((outlook["status"] == "unanswered").sum()),
                "MAPE %": 100 * ok["ape"].mean() if len(ok) else np.nan,
                "CRPS %": 100 * ok["crps"].mean() if len(ok) else np.nan,
                "coverage 80": ok["in80"].mean() if len(ok) else np.nan,
                "coverage 95": ok["in95"].mean() if len(ok) else np.nan,
                "n with rules": len(same),
                "outlook MAPE %": 100 * same["ape"].mean() if len(same) else np.nan,
                "outlook CRPS %": 100 * same["crps"].mean() if len(same) else np.nan,
            }
            for rule in RULES:
                scored = sub[sub["method"] == rule]
                row[f"{rule} %"] = 100 * scored["ape"].mean() if len(scored) else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def target_line(frame: pd.DataFrame) -> tuple[list[str], list[str], int]:
    """Per slice × as-of row with MIN_SLICE+ cases: outlook below every rule (MAPE and CRPS), 80% coverage
    0.7–0.9, nothing unanswered."""
    met, missed, small = [], [], 0
    for row in frame.to_dict("records"):
        if row["n"] + row["unanswered"] < MIN_SLICE:
            small += 1
            continue
        label = f"{row['slice']} / {row['as of']}"
        best = min(row[f"{rule} %"] for rule in RULES)
        checks = {
            "MAPE below rules": row["n with rules"] > 0 and row["outlook MAPE %"] < best,
            "CRPS below rules": row["n with rules"] > 0 and row["outlook CRPS %"] < best,
            "80% in 0.7–0.9": 0.7 <= row["coverage 80"] <= 0.9,
            "none unanswered": row["unanswered"] == 0,
        }
        bad = [name for name, ok in checks.items() if not ok]
        (missed if bad else met).append(f"{label}" + (f" ({', '.join(bad)})" if bad else ""))
    return met, missed, small


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_outlook_arguments(parser)
    parser.add_argument("--metrics", default=",".join(COUNT_METRICS))
    parser.add_argument("--from", dest="first", type=int, default=2016, help="only years from this one")
    parser.add_argument("--before", type=int, default=2100, help="only years before this one")
    parser.add_argument("--entity", default=None, help="only these entities (comma-separated slugs)")
    parser.add_argument("--jobs", type=int, default=1, help="local processes (1: in this one)")
    parser.add_argument("--output", default=None, help="write every case's scores here (CSV)")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    facts = FactBase()
    entities = set(args.entity.split(",")) if args.entity else None
    todo = replay_cases(facts, tuple(args.metrics.split(",")), args.first, args.before, entities)
    options = outlook_options(args)
    per_date: dict[pd.Timestamp, list[Case]] = {}
    for case in todo:
        per_date.setdefault(case.as_of, []).append(case)
    tasks = [(day, per_date[day], options) for day in sorted(per_date)]
    done = by_date(run_date, tasks, args.jobs)
    table = pd.DataFrame([row for part in done for row in part])
    if args.output:
        table.to_csv(args.output, index=False)
    outlook = table[table["method"] == "outlook"]
    print(
        f"{len(outlook)} series-year-date cases ({(outlook['status'] == 'no facts').sum()} with no public fact on "
        f"the date, left out), {outlook['series'].nunique()} series, years {args.first}–"
        f"{min(args.before - 1, int(outlook['year'].max()))}; model {args.model}, {args.paths} paths, hierarchy "
        f"{args.hierarchy}, seed {args.seed}; {time.perf_counter() - clock:.0f} s\n"
    )
    frame = summary(table[table["status"] != "no facts"], entity_catalogue().set_index("slug")["kind"])
    print("MAPE / CRPS in % of the final value; rule columns: the rule's MAPE (= its CRPS) on the 'with rules' cases\n")
    print(markdown(frame))
    met, missed, small = target_line(frame)
    print(
        f"\ntarget (outlook MAPE and CRPS below every rule, 80% coverage 0.7–0.9, nothing unanswered; rows with "
        f"{MIN_SLICE}+ cases, {small} smaller left out):"
    )
    print("met: " + ("; ".join(met) or "none"))
    print("missed: " + ("; ".join(missed) or "none"))
    unanswered = outlook[outlook["status"] == "unanswered"]
    if len(unanswered):
        stale = int(unanswered["reason"].str.contains("stale:").sum())
        crashed = int(unanswered["reason"].str.startswith("crash").sum())
        print(
            f"\nunanswered: {len(unanswered)}, of which {stale} refused as stale, {crashed} crashed and "
            f"{len(unanswered) - stale - crashed} other NoOutlook / InputError; a few:\n"
        )
        show = unanswered.drop_duplicates("reason").head(10)[["series", "year", "when", "reason"]]
        print(markdown(show.assign(reason=show["reason"].str.slice(0, 110))))
    worst = outlook[outlook["status"] == "answered"].sort_values("ape", ascending=False).head(10)
    if len(worst):
        print("\nfurthest off (APE of the outlook's median):\n")
        show = worst[["series", "year", "when", "truth", "forecast", "ape", "in80"]].assign(ape=100 * worst["ape"])
        print(markdown(show.rename(columns={"forecast": "median", "ape": "APE %", "truth": "final"})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
