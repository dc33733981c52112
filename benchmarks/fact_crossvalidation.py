"""Fact cross-validation: hide a stated total, rebuild from the rest of what was known on its date, score the outlook.

The data layer's own backtest (``DESIGN.md``, "Reading facts as an analyst does"). Cases: every *exact*
(``qualifier == "exact"``) total (``kind == "total"``) of a count metric (trains, TEU, tonnes, value in USD or CNY)
whose period is a full calendar year or a year to date (it starts on 1 January and ends inside the same year).

- **Copies are one case.** The copies of a fact are the other exact facts with the same entity, metric, counting
  basis (the loaded facts' ``basis`` column), period and kind whose figure is within :data:`COPY` (2%) of it,
  whatever the outlet: the same figure reposted or rounded. A case hides the fact *and* its copies and is
  scored against the figure of the earliest-published of them. Other facts about the same period stay: hedged
  ones ("more than", "about", ...) and exact ones stating a figure more than 2% away (a revision, a typo).
- **As of the first publication.** The rest is rebuilt from the facts public on the date the figure was first
  published (:meth:`FactBase.on`: published by then and their period ended). A hidden fact without a publication
  date counts as published :data:`UNDATED` (30) days after its period ends; the facts kept follow the data layer's
  rule (an undated fact is known from the end of its period).
- **The outlook** is the one ``forecast predict --entity`` and ``forecast target`` read (:class:`Outlooks`,
  reconciled with the catalogue's sums unless ``--hierarchy none``), built on that vintage. Its distribution of
  the hidden period's total: a full year, the year's annual paths (:meth:`Outlook.year_paths`: a year the outlook
  starts after is the value the other facts pin, else drawn between their bounds); a year to date, the sum of the
  monthly paths from 1 January to the period's end (the last month by its share of days) — where the outlook has
  no monthly paths for the year, the year's paths times the share of the year's days run (``basis`` column
  ``annual × days`` in ``--output``).
- **Scores** (:func:`nowcast_retrospective.outlook_scores`): whether the central 80% / 95% intervals (quantiles
  of the paths) hold the hidden figure, the absolute percentage error of the median, and CRPS from the sample
  paths (:func:`forecast.backtest.metrics.crps_paths`) as a share of the figure. A case with no outlook (NoOutlook
  or any InputError) is *unanswered*, with the reason.

Printed: overall, by period (full year / year to date), by what the kept facts say about the same period on that
date (none / exact / hedged), by entity kind (``datasets/entities.csv``) and by metric; then the issue's targets
(80% coverage 0.7–0.9 and 95% coverage 0.9–0.98, overall and on every slice with 20 or more answered cases).

Speed: the cases of one publication date share its vintage's work — every other series' reconciliation (memoised
by its exact facts), the growth pool's fit (memoised by its rates) and the share points — so only the series a
case hides a fact from is re-reconciled, and its outlook (with its hierarchy's) rebuilt.

Run: ``python benchmarks/fact_crossvalidation.py [--jobs 1] [--paths 1000] [--seed 0] [--as-of-after 2020-01-01]
[--entity national,xian] [--limit 100] [--hierarchy mint|none] [--output cases.csv]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.data.entities import entity_catalogue
from forecast.data.schema import COUNT_METRICS
from forecast.data.vintage import FactBase, known_from
from forecast.errors import InputError
from forecast.outlook import Outlooks

sys.path.insert(0, str(Path(__file__).parent))
from _markdown import markdown as table_markdown
from nowcast_retrospective import add_outlook_arguments, by_date, outlook_options, outlook_scores

COPY = 0.02  # an exact figure within 2% of another about the same period and basis is a copy of it
UNDATED = pd.Timedelta(days=30)  # a hidden fact without a publication date: public 30 days after its period
KEY = ["entity", "metric", "basis", "period_start", "period_end", "kind"]
LOW, HIGH = {80: 0.7, 95: 0.9}, {80: 0.9, 95: 0.98}
MIN_SLICE = 20


def cases(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per exact year or year-to-date total and its copies: the figure, the ids hidden, the date."""
    counts = facts[(facts["kind"] == "total") & facts["metric"].isin(COUNT_METRICS)]
    start, end = counts["period_start"], counts["period_end"]
    counts = counts[(start.dt.month == 1) & (start.dt.day == 1) & (end.dt.year == start.dt.year)]
    dated = counts.assign(known=known_from(counts), undated=counts["published"].isna())
    dated.loc[dated["undated"], "known"] = dated.loc[dated["undated"], "period_end"] + UNDATED
    rows = []
    for key, group in dated.groupby(KEY, sort=True):
        exact = group[group["qualifier"] == "exact"].sort_values(["known", "id"])
        taken: set[str] = set()
        for fact in exact.itertuples():
            if fact.id in taken:
                continue
            copies = exact[~exact["id"].isin(taken) & ((exact["value"] - fact.value).abs() <= COPY * fact.value)]
            taken |= set(copies["id"])
            rows.append(
                {
                    **dict(zip(KEY, key)),
                    "id": fact.id,
                    "value": float(fact.value),
                    "hidden": tuple(sorted(copies["id"])),
                    "as_of": max(copies["known"].min(), fact.period_end).normalize(),
                    "undated": bool(fact.undated),
                    "period": "full year"
                    if (fact.period_end.month, fact.period_end.day) == (12, 31)
                    else "year to date",
                }
            )
    return pd.DataFrame(rows)


def _without(base: FactBase, hidden) -> FactBase:
    """``base`` less the ``hidden`` facts, sharing its reconciliations (memoised by each group's exact facts, so
    every group the hidden facts are not in is reused) and its counting bases as loaded."""
    clone = FactBase.__new__(FactBase)
    clone.__dict__.update(base.__dict__)
    clone.__dict__.pop("as_of", None)  # cached: the date the facts run to
    clone.facts = base.facts[~base.facts["id"].isin(hidden)]
    clone._vintages = {}
    return clone


_STATE: dict = {}


def _shared() -> dict:
    """Per process: one FactBase, and the memos every case's Outlooks may share (keyed by content)."""
    if not _STATE:
        _STATE["base"] = FactBase()
        _STATE["points"], _STATE["fits"] = {}, {}
    return _STATE


def _period_paths(view, case) -> tuple[np.ndarray | None, str]:
    """The outlook's paths of the case's period total, and how they were read (see the module docstring)."""
    year, end = case["period_end"].year, case["period_end"]
    if case["period"] == "full year":
        paths = view.year_paths(year)
        how = "outlook" if year in view.years else "facts" if paths is not None else ""
        return paths, how
    if view.monthly is not None and year in view.years:
        first = int(np.flatnonzero(view.months == pd.Period(f"{year}-01", "M"))[0])
        whole = end.month - 1
        last = view.monthly[:, first + whole] * (end.day / end.days_in_month)
        return view.monthly[:, first : first + whole].sum(axis=1) + last, "months"
    paths = view.year_paths(year)
    if paths is None:
        return None, ""
    days = 366 if pd.Timestamp(year, 12, 31).dayofyear == 366 else 365
    return paths * (end.dayofyear / days), "annual × days"


def run_date(task: tuple) -> list[dict]:
    """Every case published on one date (top-level, for worker processes)."""
    as_of, todo, options = task
    state = _shared()
    base = state["base"]
    out = []
    for case in todo:
        row = {**case, "answered": False, "reason": "", "how": ""}
        facts = _without(base, set(case["hidden"]))
        vintage = facts.on(as_of)
        about = vintage.facts[
            (vintage.facts[KEY[:5]] == pd.Series({k: case[k] for k in KEY[:5]})).all(axis=1)
            & (vintage.facts["kind"] == "total")
        ]
        row["kept"] = "none" if about.empty else "exact" if (about["qualifier"] == "exact").any() else "hedged"
        row["series known"] = not vintage.series(case["entity"], case["metric"], case["basis"]).empty
        outlooks = Outlooks(facts=facts, years=2, **options)
        for name in ("points", "fits"):  # content-keyed memos: shared across the cases' Outlooks
            if isinstance(getattr(outlooks, f"_{name}", None), dict):
                setattr(outlooks, f"_{name}", state[name])
        try:
            view = outlooks.get(case["entity"], case["metric"], case["basis"], as_of)
            paths, row["how"] = _period_paths(view, case)
            if paths is None:
                row["reason"] = f"the outlook from {view.years[0]} does not reach {case['period_end'].year}"
        except InputError as err:
            paths, row["reason"] = None, f"{type(err).__name__}: {err}"
        except Exception as err:  # noqa: BLE001 — a failure of the code measured is counted and shown, not fatal
            paths, row["reason"] = None, f"crash, {type(err).__name__}: {err}"
        if paths is not None:
            row.update(answered=True, **outlook_scores(np.asarray(paths, dtype=float), case["value"]))
        out.append(row)
    return out


def summary(table: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """n, unanswered, coverage, MAPE, median APE and scaled CRPS per slice."""
    rows = []
    for name, part in table.groupby(by, sort=True) if by else [("all", table)]:
        ok = part[part["answered"]]
        rows.append(
            {
                by or "cases": name,
                "n": len(part),
                "unanswered": int((~part["answered"]).sum()),
                "coverage 80": ok["in80"].mean() if len(ok) else np.nan,
                "coverage 95": ok["in95"].mean() if len(ok) else np.nan,
                "MAPE %": 100 * ok["ape"].mean() if len(ok) else np.nan,
                "median APE %": 100 * ok["ape"].median() if len(ok) else np.nan,
                "scaled CRPS %": 100 * ok["crps"].mean() if len(ok) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def cell(column: str, value) -> str:
    """Coverage to three decimals, other figures (percentages, counts of trains) to one."""
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.3f}" if "coverage" in column else f"{value:.1f}"
    return str(value)


def markdown(frame: pd.DataFrame) -> str:
    """A plain Markdown table (:func:`_markdown.markdown` with :func:`cell`)."""
    return table_markdown(frame, cell)


def targets(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The issue's coverage targets on the overall row and on every slice with MIN_SLICE or more answered."""
    met, missed = [], []
    for by, frame in tables.items():
        for row in frame.to_dict("records"):
            name, answered = row[frame.columns[0]], row["n"] - row["unanswered"]
            if by != "overall" and answered < MIN_SLICE:
                continue
            label = "overall" if by == "overall" else f"{by}={name}"
            for level in (80, 95):
                value = row[f"coverage {level}"]
                ok = LOW[level] <= value <= HIGH[level]
                (met if ok else missed).append(f"{label} {level}% {value:.3f}")
    return met, missed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_outlook_arguments(parser)
    parser.add_argument("--as-of-after", default=None, help="only facts first published on or after this date")
    parser.add_argument("--entity", default=None, help="only these entities (comma-separated slugs)")
    parser.add_argument("--limit", type=int, default=None, help="N cases evenly spaced over the (sorted) list")
    parser.add_argument("--jobs", type=int, default=1, help="local processes (1: in this one)")
    parser.add_argument("--output", default=None, help="write every case here (CSV)")
    args = parser.parse_args(argv)
    clock = time.perf_counter()
    base = _shared()["base"]
    todo = cases(base.facts)
    if args.as_of_after:
        todo = todo[todo["as_of"] >= pd.Timestamp(args.as_of_after)]
    if args.entity:
        todo = todo[todo["entity"].isin(args.entity.split(","))]
    todo = todo.sort_values(["as_of", *KEY]).reset_index(drop=True)
    if args.limit and args.limit < len(todo):
        todo = todo.iloc[np.unique(np.linspace(0, len(todo) - 1, args.limit).round().astype(int))]
    options = outlook_options(args)
    tasks = [(day, part.to_dict("records"), options) for day, part in todo.groupby("as_of", sort=True)]
    done = by_date(run_date, tasks, args.jobs)
    table = pd.DataFrame([row for part in done for row in part])
    kinds = entity_catalogue().set_index("slug")["kind"]
    table["entity kind"] = table["entity"].map(kinds).fillna("unknown")
    table["hidden"] = table["hidden"].map(";".join)
    if args.output:
        table.to_csv(args.output, index=False)
    seconds = time.perf_counter() - clock
    print(
        f"{len(table)} hidden figures ({len(table['hidden'].str.split(';').explode())} facts with their copies, "
        f"{table['entity'].nunique()} entities, {table['as_of'].nunique()} publication dates); model {args.model}, "
        f"{args.paths} paths, hierarchy {args.hierarchy}, seed {args.seed}; {seconds:.0f} s"
    )
    tables = {"overall": summary(table, None)}
    for by in ("period", "kept", "entity kind", "metric"):
        tables[by] = summary(table, by)
    titles = {"kept": "what the kept facts say about the same period (qualifier)"}
    for by, frame in tables.items():
        print(f"\n{titles.get(by, by)}\n\n{markdown(frame)}")
    met, missed = targets(tables)
    print(f"\ntargets (80% coverage 0.7–0.9, 95% coverage 0.9–0.98; overall and slices with {MIN_SLICE}+ answered):")
    print("met: " + (", ".join(met) or "none"))
    print("missed: " + (", ".join(missed) or "none"))
    unanswered = table[~table["answered"]]
    if len(unanswered):
        known = int(unanswered["series known"].sum())
        print(
            f"\nunanswered: {len(unanswered)}, of which {known} with another fact about the series public on the date "
            f"and {len(unanswered) - known} with none (the hidden figure was all there was)"
        )
        reasons = unanswered["reason"].str.replace(r"\d{4}-\d{2}-\d{2}", "DATE", regex=True).str.slice(0, 90)
        print("\nby reason:\n")
        print(markdown(reasons.value_counts().rename_axis("reason").reset_index(name="cases").head(8)))
    ok = table[table["answered"]].sort_values("ape", ascending=False).head(10)
    print("\nfurthest off (APE of the median):\n")
    show = ok[["entity", "metric", "basis", "period_end", "as_of", "value", "forecast", "ape", "kept", "how"]].copy()
    show["period_end"], show["as_of"] = show["period_end"].dt.date, show["as_of"].dt.date
    show["ape"] = 100 * show["ape"]
    print(markdown(show.rename(columns={"ape": "APE %", "forecast": "median"})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
