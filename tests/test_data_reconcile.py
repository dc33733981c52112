"""Reconciliation on the real bundled data: values checked by hand against the facts that state them."""

import numpy as np
import pandas as pd
import pytest

from forecast.data.constraints import rounding_unit

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


def test_xian_2023_comes_from_its_exact_fact(bundled_rec):
    row = annual(bundled_rec, "xian/trains/reported", 2023)
    assert row["y"] == 5351 and "H0369" in row["sources"]


def test_alashankou_growth_implies_jan_apr_2022_within_rounding(bundled_rec):
    # 2,129 (±0.5) in Jan-Apr 2023 at +12.82 % (±0.01 pp) → Jan-Apr 2022 in [2128.5/1.1283, 2129.5/1.1281].
    lo, hi = bundled_rec.period_bounds("alashankou/trains/reported", "2022-01-01", "2022-04-30")
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
    assert (valued["y_lo"] <= valued["y"] + 1e-6).all() and (valued["y"] <= valued["y_hi"] + 1e-6).all()
    assert (series["y_lo"] >= 0).all()
    known = set(bundled_rec.facts["id"])
    for sources in valued["sources"]:
        ids = sources.split(";")
        assert ids and set(ids) <= known


def test_every_kept_exact_full_year_fact_is_met_within_rounding(bundled_rec):
    facts = bundled_rec.facts
    set_aside = set(";".join(bundled_rec.conflicts["fact_ids"]).split(";"))
    full_year = facts[
        (facts["kind"] == "total")
        & (facts["qualifier"] == "exact")
        & (facts["period_start"].dt.strftime("%m-%d") == "01-01")
        & (facts["period_end"] == facts["period_start"] + pd.offsets.YearEnd(0))
        & facts["metric"].isin(["trains", "teu", "tonnes"])
        & ~facts["id"].isin(set_aside)
    ]
    assert len(full_year) > 100
    for fact in full_year.itertuples():
        row = annual(bundled_rec, f"{fact.entity}/{fact.metric}/{fact.basis}", fact.period_start.year)
        half = rounding_unit(fact.value_text) / 2
        assert row["y_lo"] - 1e-6 <= fact.value + half and fact.value - half <= row["y_hi"] + 1e-6, fact.id


def test_conflicting_sources_are_reported_not_averaged(bundled_rec):
    conflicts = bundled_rec.conflicts
    # Xi'an's 2020 cumulative of 10,963 contradicts the annual counts and later milestones.
    row = conflicts[conflicts["fact_ids"] == "H0379"].iloc[0]
    assert row["unique_id"] == "xian/trains/reported" and row["violation"] > 1000 and row["against"]
    assert (conflicts["violation"] > 0).all()


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
