"""Reconciliation: rules on hand-made facts (values worked out by hand in the comments), then the bundled data's
values checked by hand against the facts that state them, and properties every bundled series must have."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts

from forecast.data.basis import split_bases
from forecast.data.constraints import rounding_unit
from forecast.data.reconciliation import reconcile

pytestmark = pytest.mark.slow  # the bundled data reconciled (about a minute in a fresh session)


def annual(rec, uid, year):
    rows = rec.series[
        (rec.series["unique_id"] == uid)
        & (rec.series["freq"] == "annual")
        & (rec.series["ds"] == pd.Timestamp(year, 1, 1))
    ]
    assert len(rows) == 1, f"{uid} {year}: {len(rows)} rows"
    return rows.iloc[0]


def test_national_2016_is_the_stated_1702(bundled_rec):
    row = annual(bundled_rec, "national/trains/reported", 2016)
    assert row["y"] == 1702 and row["y_lo"] == 1701.5 and row["y_hi"] == 1702.5
    assert "N0006" in row["sources"].split(";")


def test_a_year_comes_from_its_exact_fact():
    # 2023 stated exactly (Y2023: 5,351) beside a growth rate of 2024 that agrees with it (5,351 · 1.1 = 5,886):
    # the year is its own figure, within its rounding, with its fact as the source.
    rec = reconcile(
        facts(
            ("Y2023", "2023-01-01", "2023-12-31", "total", "5351", "exact", "", "2024-01-10"),
            ("Y2024", "2024-01-01", "2024-12-31", "total", "5886", "exact", "10", "2025-01-10"),
        )
    )
    row = annual(rec, "hub/trains/reported", 2023)
    assert row["y"] == 5351 and (row["y_lo"], row["y_hi"]) == (5350.5, 5351.5) and "Y2023" in row["sources"]


def test_a_growth_rate_implies_the_same_months_of_the_year_before_within_rounding():
    # 2,129 (±0.5) in Jan-Apr 2023 at +12.82 % (±0.01 pp) → Jan-Apr 2022 in [2128.5/1.1283, 2129.5/1.1281].
    rec = reconcile(facts(("G", "2023-01-01", "2023-04-30", "total", "2129", "exact", "12.82", "2023-05-14")))
    lo, hi = rec.period_bounds("hub/trains/reported", "2022-01-01", "2022-04-30")
    assert lo == pytest.approx(2128.5 / 1.1283, rel=1e-6)
    assert hi == pytest.approx(2129.5 / 1.1281, rel=1e-6)
    assert 1886 < lo < hi < 1888


def test_xian_2024_local_and_national_ranking_are_two_series(bundled_rec):
    assert annual(bundled_rec, "xian/trains/reported", 2024)["y"] == 4985
    assert annual(bundled_rec, "xian/trains/national-ranking", 2024)["y"] == 3849
    conflicted = set(";".join(bundled_rec.conflicts["fact_ids"]).split(";"))
    assert "H0373" not in conflicted  # a different basis is not a conflict


def test_xinjiang_2025_is_partial_with_the_jan_nov_floor(bundled_rec):
    row = annual(bundled_rec, "xinjiang-ports/trains/reported", 2025)
    assert row["y_lo"] >= 16000 and np.isinf(row["y_hi"]) and np.isnan(row["y"])
    assert set(row["flags"].split(";")) >= {"partial", "open"} and "S0004" in row["sources"]


def test_every_value_lies_in_its_interval_and_is_traceable(bundled_rec):
    series = bundled_rec.series
    valued = series[series["y"].notna()]
    outside = valued[(valued["y_lo"] > valued["y"] + 1e-6) | (valued["y"] > valued["y_hi"] + 1e-6)]
    assert outside.empty, outside[["unique_id", "freq", "ds", "y", "y_lo", "y_hi", "sources"]].to_string()
    assert (series["y_lo"] >= 0).all()
    known = set(bundled_rec.facts["id"])
    for sources in valued["sources"]:
        ids = sources.split(";")
        assert ids and set(ids) <= known


def test_every_kept_exact_full_year_fact_is_met_within_rounding(bundled_rec):
    facts = split_bases(bundled_rec.facts)  # each fact in the series it is reconciled in (bases split at breaks)
    set_aside = set(";".join(bundled_rec.conflicts["fact_ids"]).split(";"))
    full_year = facts[
        (facts["kind"] == "total")
        & (facts["qualifier"] == "exact")
        & (facts["period_start"].dt.strftime("%m-%d") == "01-01")
        & (facts["period_end"] == facts["period_start"] + pd.offsets.YearEnd(0))
        & facts["metric"].isin(["trains", "teu", "tonnes"])
        & ~facts["id"].isin(set_aside)
    ]
    assert not full_year.empty
    for fact in full_year.itertuples():
        row = annual(bundled_rec, f"{fact.entity}/{fact.metric}/{fact.basis}", fact.period_start.year)
        half = rounding_unit(fact.value_text) / 2
        assert row["y_lo"] - 1e-6 <= fact.value + half and fact.value - half <= row["y_hi"] + 1e-6, fact.id


def test_conflicting_sources_are_reported_not_averaged():
    # 2015-2019 stated exactly (201 + 199 + 202 + 198 + 201 = 1,001, at most 1,003.5 with rounding); a milestone
    # of 3,000 over the same five years (two significant figures, ±50, widened by 5 · 0.3 % · 3,000 = 45) needs at
    # least 2,905: it is set aside, missing by 2,905 - 1,003.5 = 1,901.5, and the years stay as stated.
    years = {2015: 201, 2016: 199, 2017: 202, 2018: 198, 2019: 201}
    totals = [(f"T{y}", f"{y}-01-01", f"{y}-12-31", "total", str(v), "exact", "", "") for y, v in years.items()]
    rec = reconcile(facts(*totals, ("M", "2015-01-01", "2019-12-31", "cumulative", "3000", "exact", "", "")))
    (row,) = rec.conflicts.itertuples()
    assert (row.unique_id, row.fact_ids) == ("hub/trains/reported", "M")
    assert row.violation == pytest.approx(1901.5) and row.against == "T2015;T2016;T2017;T2018;T2019"
    assert [annual(rec, "hub/trains/reported", y)["y"] for y in years] == list(years.values())


def test_bundled_conflicts_each_miss_by_something_and_name_what_they_clash_with(bundled_rec):
    conflicts = bundled_rec.conflicts
    assert (conflicts["violation"] > 0).all() and (conflicts["against"].str.len() > 0).all()
    assert (conflicts["resolution"].str.len() > 0).all()


def test_monthly_series_from_single_months_and_ytd_differences(bundled_rec):
    monthly = bundled_rec.series[
        (bundled_rec.series["unique_id"] == "national/trains/reported") & (bundled_rec.series["freq"] == "monthly")
    ].set_index("ds")
    assert monthly.loc["2024-05-01", "y"] == 1724  # stated single month (N0258)
    assert len(monthly) >= 20 and (monthly["y"] > 0).all()


def test_panel_is_long_format_and_drops_unknown_years(bundled_rec):
    panel = bundled_rec.panel("annual")
    assert {"unique_id", "ds", "y"} <= set(panel.columns) and panel["y"].notna().all()
    counts = panel.groupby("unique_id").size()
    assert counts["national/trains/reported"] >= 14
