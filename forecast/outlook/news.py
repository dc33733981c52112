"""What moved the outlook between two vintages — the "news" of a nowcast, for facts like ours.

    from forecast.outlook.news import news
    moved = news(since="2026-03-17")        # until: the date the data runs to
    moved.table                            # one row per series, year and step (COLUMNS)

Between two as-of dates, new facts arrive. For every series a new fact touches (and, with a hierarchy, every
series reconciled with it), the outlook is rebuilt by the one builder (:class:`forecast.outlook.Outlooks`, same
model, seed, path count and hierarchy) on the old facts, then on the old facts plus the new ones *in publication
order*, a publication date at a time (facts published on the same day are one step; more than :data:`MAX_STEPS`
dates are merged into that many consecutive groups). Each step is the vintage of its date: what the toolkit would
have said the day those facts came out. The contribution of a step is the change it makes to the year's number
— the mean where the outlooks are reconciled (means add up), else the median: the number the report's outlook
table shows. The split is *sequential*: a fact's share depends on what came before it, as in central banks'
nowcast news tables.

What the steps do not explain is kept apart as "other changes": facts added late with an old publication date
(data corrections, found by comparing the two vintages' fact ids, not only dates), facts removed, a changed
model or code version (when the old number is a stored vintage's), and the shared growth pools and share profiles
that a new fact about one series moves for every other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast.data.schema import SERIES_KINDS
from forecast.data.vintage import FactBase, as_date, known_from, known_on, series_uid
from forecast.data.wording import fact_text
from forecast.defaults import DEFAULT_PATHS, DEFAULT_YEARS, HIERARCHY
from forecast.errors import InputError
from forecast.outlook import TRAFFIC, NoOutlook, Outlook, Outlooks

NEWS_THRESHOLD = 0.02  # a series is news when a year's number moved by more than 2% ...
ODDS_POINTS = 0.05  # ... or the odds of one of its open targets by 5 points or more
MAX_STEPS = 6  # publication dates per series; more are merged into this many consecutive groups
FACT, OTHER, TARGET, ARRIVED, SUMMARY = "fact", "other", "target", "arrived", "summary"
COLUMNS = [
    "unique_id",
    "year",
    "since",
    "as_of",
    "before",
    "after",
    "kind",
    "step",
    "published",
    "fact_ids",
    "what",
    "contribution",
    "note",
]


@dataclass
class News:
    """The news between ``since`` and ``until``: ``table`` (:data:`COLUMNS`: per series and year one row per step
    and one "other" row, both with the series' ``before`` and ``after``; per moved target one ``target`` row),
    the new facts and the late additions (id, series, publication date, what they say, source)."""

    since: pd.Timestamp
    until: pd.Timestamp
    table: pd.DataFrame
    new_facts: pd.DataFrame
    corrections: pd.DataFrame
    removed: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    point: str = "mean"

    def rows(self) -> pd.DataFrame:
        """Everything in one long frame (the store's ``news`` table): :attr:`table`, one ``arrived`` row per new
        fact or late addition (``note`` says which) and one ``summary`` row naming what else changed."""
        common = {"since": self.since, "as_of": self.until}
        arrived = [
            {
                **common,
                "unique_id": r.unique_id,
                "kind": ARRIVED,
                "published": r.published,
                "fact_ids": r.id,
                "what": r.what,
                "note": note,
            }
            for frame, note in ((self.new_facts, "new"), (self.corrections, "late addition"))
            for r in frame.itertuples()
        ]
        summary = {**common, "kind": SUMMARY, "what": "; ".join(self.other), "note": self.point}
        extra = pd.DataFrame([*arrived, summary], columns=COLUMNS)
        return pd.concat([self.table, extra], ignore_index=True) if len(self.table) else extra

    def moved(self) -> pd.DataFrame:
        """One row per series and year: before, after, the move, and how much the new facts explain."""
        rows = self.table[self.table["kind"] != TARGET]
        if rows.empty:
            return pd.DataFrame(columns=["unique_id", "year", "before", "after", "move", "by_facts", "other"])
        grouped = rows.groupby(["unique_id", "year"], sort=False)
        out = grouped.agg(before=("before", "first"), after=("after", "first")).reset_index()
        out["move"] = out["after"] - out["before"]
        facts = rows[rows["kind"] == FACT].groupby(["unique_id", "year"])["contribution"].sum()
        others = rows[rows["kind"] == OTHER].groupby(["unique_id", "year"])["contribution"].sum()
        key = list(zip(out["unique_id"], out["year"]))
        out["by_facts"] = [float(facts.get(k, 0.0)) for k in key]
        out["other"] = [float(others.get(k, 0.0)) for k in key]
        return out


def news(
    since,
    until=None,
    *,
    observations: pd.DataFrame | None = None,
    model: str = "auto",
    years: int = DEFAULT_YEARS,
    n_paths: int = DEFAULT_PATHS,
    seed: int = 0,
    hierarchy: str | None = HIERARCHY,
    metrics=TRAFFIC,
    threshold: float = NEWS_THRESHOLD,
    outlooks: Outlooks | None = None,
) -> News:
    """What moved the outlooks between the vintages of ``since`` and ``until`` (default: the date the data runs
    to), built with one model, seed, path count and hierarchy (or the ``outlooks`` given); see the module
    docstring."""
    outlooks = outlooks or Outlooks(
        observations, model=model, years=years, n_paths=n_paths, seed=seed, hierarchy=hierarchy
    )
    return explain(outlooks, since, until, metrics=metrics, threshold=threshold)


def explain(
    outlooks: Outlooks,
    since,
    until=None,
    *,
    before: dict[tuple[str, int], float] | None = None,
    old_ids: set[str] | None = None,
    odds_before: dict[str, tuple[str, float]] | None = None,
    odds_after: dict[str, tuple[str, float]] | None = None,
    other: list[str] | None = None,
    metrics=TRAFFIC,
    threshold: float = NEWS_THRESHOLD,
) -> News:
    """The news of ``outlooks`` between ``since`` and ``until``. ``before`` (uid, year → number), ``old_ids`` (the
    old vintage's fact ids) and ``odds_before`` / ``odds_after`` (target key → label, probability) come from a
    stored vintage when there is one; otherwise they are computed here, on the old date, from the same facts.
    ``other`` names what else changed (model, code)."""
    base = outlooks.facts
    new = base.on(until)
    old_date = as_date(since, "since")
    if old_date > new.as_of:
        raise InputError(f"since: {old_date.date()} is after the date the data runs to ({new.as_of.date()})")
    facts = base.facts
    seen = known_on(facts, new.as_of)
    published = known_from(seen).dt.normalize()
    if old_ids is None:
        old_ids = set(known_on(facts, old_date)["id"].astype(str))
    arrived = ~seen["id"].astype(str).isin(old_ids)
    series_kind = seen["kind"].isin(SERIES_KINDS) & seen["metric"].isin(metrics)
    seen = seen.assign(published=published.to_numpy())  # the day each fact became public
    fresh, late = seen[arrived & (published > old_date)], seen[arrived & (published <= old_date)]
    removed = sorted(old_ids - set(facts["id"].astype(str)))
    point = "mean" if outlooks.hierarchy is not None else "median"
    stepper = outlooks
    if (late_series := late[series_kind.reindex(late.index, fill_value=False)]).size:
        stepper = outlooks.over(
            FactBase(facts[~facts["id"].astype(str).isin(set(late_series["id"].astype(str)))], base.rule)
        )
    steps = fresh[series_kind.reindex(fresh.index, fill_value=False)].sort_values(["published", "id"], kind="stable")
    year = new.as_of.year
    wanted = (year, year + 1)
    keys = [k for k in new.keys(metrics=metrics)]
    touched = _touched(stepper, new.as_of, keys, steps)
    rows: list[dict] = []
    notes = list(other or [])
    if len(late):
        notes.append(f"{len(late)} fact(s) added with an earlier publication date: {', '.join(late['id'].astype(str))}")
    if removed:
        notes.append(f"{len(removed)} fact(s) no longer in the data: {', '.join(removed)}")
    other_text = "; ".join([*notes, "shared growth pools, share profiles and reconciliation"])
    for key in keys:
        uid = series_uid(*key)
        after = _numbers(outlooks, key, new.as_of, wanted, point)
        if after is None:
            continue
        relevant = touched.get(key)
        if relevant is not None and len(relevant):
            dates = _step_dates(relevant["published"])
            chain = [_numbers(stepper, key, day, wanted, point) for day in [old_date, *(d for d, _ in dates)]]
        else:
            dates, chain = [], [_numbers(outlooks, key, old_date, wanted, point)] if before is None else [None]
        for k, y in enumerate(wanted):
            old = before.get((uid, y)) if before is not None else (chain[0][k] if chain[0] else None)
            new_value = after[k]
            if old is None or new_value is None or not np.isfinite(old):
                continue
            move = new_value - old
            if abs(move) <= threshold * max(abs(old), 1.0) and not dates:
                continue
            common = {"unique_id": uid, "year": y, "since": old_date, "as_of": new.as_of, "before": old}
            explained, previous = 0.0, chain[0][k] if chain[0] else None
            for step, ((day, group), values) in enumerate(zip(dates, chain[1:]), start=1):
                value = values[k] if values else None
                change = value - previous if value is not None and previous is not None else np.nan
                explained += 0.0 if np.isnan(change) else change
                previous = value if value is not None else previous
                in_group = relevant[relevant["published"].isin(group)]
                rows.append(
                    {
                        **common,
                        "after": new_value,
                        "kind": FACT,
                        "step": step,
                        "published": day,
                        "fact_ids": ";".join(in_group["id"].astype(str)),
                        "what": " | ".join(fact_text(r) for _, r in in_group.iterrows()),
                        "contribution": change,
                        "note": f"{len(group)} publication dates merged into one step" if len(group) > 1 else "",
                        "own": bool(_about(in_group, key).any()),
                    }
                )
            rows.append(
                {
                    **common,
                    "after": new_value,
                    "kind": OTHER,
                    "step": 0,
                    "published": pd.NaT,
                    "fact_ids": ";".join(late.loc[_about(late, key), "id"]),
                    "what": other_text,
                    "contribution": move - explained,
                    "note": "",
                }
            )
    table = _keep_moved(pd.DataFrame(rows, columns=[*COLUMNS, "own"]), threshold)[COLUMNS]
    odds = _odds_rows(outlooks, old_date, new.as_of, odds_before, odds_after)
    table = pd.concat([table, odds], ignore_index=True) if len(odds) else table
    return News(
        old_date,
        new.as_of,
        table,
        _fact_frame(fresh),
        _fact_frame(late),
        removed,
        notes,
        point,
    )


def _keep_moved(table: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The series where a year moved by more than ``threshold`` (both years of such a series are kept), or that a
    new fact is about."""
    if table.empty:
        return table
    move = (table["after"] - table["before"]).abs() > threshold * table["before"].abs().clip(lower=1.0)
    has_fact = (table["kind"] == FACT) & table["own"].astype("boolean").fillna(False).astype(bool)
    keep = (move | has_fact).groupby(table["unique_id"]).transform("any")
    return table[keep].reset_index(drop=True)


def _touched(outlooks: Outlooks, as_of, keys, steps: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """Series key → the new facts that move it: its own and, with a hierarchy, those of every series reconciled
    with it."""
    if steps.empty:
        return {}
    own = {k: steps[_about(steps, k)] for k in keys}
    own = {k: v for k, v in own.items() if len(v)}
    if outlooks.hierarchy is None:
        return own
    found: dict[tuple, list] = {}
    for key, rows in own.items():
        members = [key]
        try:
            coherent = outlooks.coherent(key[0], key[1], key[2], as_of)
        except NoOutlook:
            coherent = None
        if coherent is not None:
            members += [(e, key[1], key[2]) for e in coherent.paths.structure.entities if (e, key[1], key[2]) in keys]
        for member in dict.fromkeys(members):
            found.setdefault(member, []).append(rows)
    return {k: pd.concat(v).drop_duplicates("id").sort_values(["published", "id"]) for k, v in found.items()}


def _about(facts: pd.DataFrame, key: tuple) -> pd.Series:
    """Which ``facts`` are about the series ``key`` (entity, metric, counting basis; a basis ended by a break,
    ``reported-to-2023``, holds facts stated on ``reported``)."""
    own_basis = key[2].split("-to-")[0]
    return (facts["entity"] == key[0]) & (facts["metric"] == key[1]) & (facts["basis"].astype(str) == own_basis)


def _step_dates(published: pd.Series) -> list[tuple[pd.Timestamp, list[pd.Timestamp]]]:
    """(date of the step, the publication dates it takes in), one per date, merged into :data:`MAX_STEPS`
    consecutive groups when there are more."""
    days = sorted(pd.to_datetime(published.unique()))
    groups = [list(g) for g in np.array_split(np.array(days, dtype=object), min(len(days), MAX_STEPS))]
    return [(g[-1], g) for g in groups]


def _numbers(outlooks: Outlooks, key, as_of, years, point: str) -> list[float | None] | None:
    """The outlook's number (mean or median) of each of ``years`` on ``as_of``; None without an outlook."""
    try:
        view = outlooks.get(*key, as_of)
    except NoOutlook:
        return None
    return [_point(view, y, point) for y in years]


def _point(view: Outlook, year: int, point: str) -> float | None:
    paths = view.year_paths(year)
    if paths is None:
        return None
    return float(paths.mean() if point == "mean" else np.median(paths))


def _odds_rows(outlooks, old_date, as_of, before, after) -> pd.DataFrame:
    """One ``target`` row per open target whose odds moved by :data:`ODDS_POINTS` or more."""
    if before is None or after is None:
        before, after = target_odds(outlooks, old_date, as_of), target_odds(outlooks, as_of, as_of)
    rows = []
    for key, (label, p) in after.items():
        if key not in before or p is None or before[key][1] is None or np.isnan(p) or np.isnan(before[key][1]):
            continue
        if abs(p - before[key][1]) >= ODDS_POINTS - 1e-9:
            rows.append(
                {
                    "unique_id": label,
                    "year": np.nan,
                    "since": old_date,
                    "as_of": as_of,
                    "before": before[key][1],
                    "after": p,
                    "kind": TARGET,
                    "step": 0,
                    "published": pd.NaT,
                    "fact_ids": "",
                    "what": f"P(met) {before[key][1]:.0%} → {p:.0%}",
                    "contribution": p - before[key][1],
                    "note": "",
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def target_odds(outlooks: Outlooks, when, open_on) -> dict[str, tuple[str, float]]:
    """Target key → (label, P(met)) on ``when`` of every target open on ``open_on`` and announced by ``when``."""
    from forecast.targets import is_open, targets_from_facts
    from forecast.targets.check import check

    when, open_on = pd.Timestamp(when), pd.Timestamp(open_on)
    found = {}
    for target in targets_from_facts(outlooks.facts.facts):
        if not is_open(target, open_on) or (target.published is not None and target.published > when):
            continue
        try:
            result = check(target, outlooks, when)
        except InputError:
            continue
        found[target.key] = (target.label, result.probability if result.assessed else None)
    return found


def _fact_frame(rows: pd.DataFrame) -> pd.DataFrame:
    columns = ["id", "unique_id", "published", "what", "source_url"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "id": rows["id"].astype(str),
            "unique_id": [series_uid(e, m, b) for e, m, b in zip(rows["entity"], rows["metric"], rows["basis"])],
            "published": rows["published"],
            "what": [fact_text(r) for _, r in rows.iterrows()],
            "source_url": rows["source_url"],
        }
    ).sort_values(["published", "id"], kind="stable")


def previous_month_end(as_of) -> pd.Timestamp:
    """The last day of the month before ``as_of``'s: the old vintage of a first report."""
    return pd.Timestamp(as_of).normalize().replace(day=1) - pd.Timedelta(days=1)


__all__ = ["COLUMNS", "MAX_STEPS", "NEWS_THRESHOLD", "News", "ODDS_POINTS", "explain", "news", "target_odds"]
