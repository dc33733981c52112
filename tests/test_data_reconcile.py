"""Reconciliation: rules on hand-made facts (values worked out by hand in the comments), then properties every
bundled series must have, whatever a data release adds."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts

from forecast.data.basis import split_bases
from forecast.data.constraints import rounding_unit
from forecast.data.reconciliation import reconcile

BUNDLED = pytest.mark.slow  # the bundled data reconciled (about a minute in a fresh session)


def annual(rec, uid, year):
    rows = rec.series[
        (rec.series["unique_id"] == uid)
        & (rec.series["freq"] == "annual")
        & (rec.series["ds"] == pd.Timestamp(year, 1, 1))
    ]
    assert len(rows) == 1, f"{uid} {year}: {len(rows)} rows"
    return rows.iloc[0]


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


def test_two_counting_bases_are_two_series_not_a_conflict():
    # 2024 counted locally (4,985) and in the national ranking (3,849): each its own series, neither set aside.
    local = facts(("L", "2024-01-01", "2024-12-31", "total", "4985", "exact", "", "2025-01-20"))
    ranking = facts(
        ("R", "2024-01-01", "2024-12-31", "total", "3849", "exact", "", "2025-01-21"), basis="national-ranking"
    )
    rec = reconcile(pd.concat([local, ranking], ignore_index=True))
    for uid, value, source in (("hub/trains/reported", 4985, "L"), ("hub/trains/national-ranking", 3849, "R")):
        row = annual(rec, uid, 2024)
        assert (row["y"], row["y_lo"], row["y_hi"], row["sources"]) == (value, value - 0.5, value + 0.5, source)
    assert rec.conflicts.empty


def test_a_year_known_to_november_is_partial_with_its_floor():
    # "More than 16,000" in Jan-Nov 2025 and nothing after: the year is at least 16,000, open above, with no value.
    rec = reconcile(facts(("N", "2025-01-01", "2025-11-30", "total", "16000", "more_than", "7.6", "2025-12-05")))
    row = annual(rec, "hub/trains/reported", 2025)
    assert row["y_lo"] >= 16000 and np.isinf(row["y_hi"]) and np.isnan(row["y"])
    assert set(row["flags"].split(";")) >= {"partial", "open"} and row["sources"] == "N"


@BUNDLED
def test_bundled_every_value_lies_in_its_interval_and_is_traceable(bundled_rec):
    series = bundled_rec.series
    valued = series[series["y"].notna()]
    outside = valued[(valued["y_lo"] > valued["y"] + 1e-6) | (valued["y"] > valued["y_hi"] + 1e-6)]
    assert outside.empty, outside[["unique_id", "freq", "ds", "y", "y_lo", "y_hi", "sources"]].to_string()
    assert (series["y_lo"] >= 0).all()
    known = set(bundled_rec.facts["id"])
    for sources in valued["sources"]:
        ids = sources.split(";")
        assert ids and set(ids) <= known


@BUNDLED
def test_bundled_every_kept_exact_full_year_fact_is_met_within_rounding_and_named(bundled_rec):
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
        assert fact.id in row["sources"].split(";"), fact.id


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


@BUNDLED
def test_bundled_conflicts_each_miss_by_something_and_name_what_they_clash_with(bundled_rec):
    conflicts = bundled_rec.conflicts
    assert (conflicts["violation"] > 0).all() and (conflicts["against"].str.len() > 0).all()
    assert (conflicts["resolution"].str.len() > 0).all()


def test_monthly_series_from_single_months_and_ytd_differences():
    # Jan-Mar 2024: 1,517 and Jan-Apr: 2,143 (each ±0.5) make April 2,143 - 1,517 = 626 (±1); May is stated: 712.
    rec = reconcile(
        facts(
            ("Q", "2024-01-01", "2024-03-31", "total", "1517", "exact", "", "2024-04-10"),
            ("A", "2024-01-01", "2024-04-30", "total", "2143", "exact", "", "2024-05-10"),
            ("M", "2024-05-01", "2024-05-31", "total", "712", "exact", "", "2024-06-10"),
        )
    )
    monthly = rec.series[rec.series["freq"] == "monthly"].set_index("ds")
    assert list(monthly.index) == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01")]
    april, may = monthly.loc["2024-04-01"], monthly.loc["2024-05-01"]
    assert (april["y"], april["y_lo"], april["y_hi"], april["sources"]) == (626, 625, 627, "A;Q")
    assert (may["y"], may["y_lo"], may["y_hi"], may["sources"]) == (712, 711.5, 712.5, "M")


def test_panel_is_long_format_and_drops_unknown_years():
    # 2022 and 2023 are stated; 2024 is only known to April (at least 2,142.5): the panel has the first two.
    rec = reconcile(
        facts(
            ("Y22", "2022-01-01", "2022-12-31", "total", "5987", "exact", "", "2023-01-20"),
            ("Y23", "2023-01-01", "2023-12-31", "total", "6412", "exact", "", "2024-01-20"),
            ("A", "2024-01-01", "2024-04-30", "total", "2143", "exact", "", "2024-05-10"),
        )
    )
    panel = rec.panel("annual")
    assert {"unique_id", "ds", "y"} <= set(panel.columns)
    assert panel[["unique_id", "ds", "y"]].values.tolist() == [
        ["hub/trains/reported", pd.Timestamp("2022-01-01"), 5987],
        ["hub/trains/reported", pd.Timestamp("2023-01-01"), 6412],
    ]
    assert len(rec.panel("annual", complete=False)) == 3
