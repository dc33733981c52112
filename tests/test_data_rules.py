"""Reconciliation rules on small hand-made fact sets: every number below is worked out by hand in the comment."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts

from forecast.data.basis import infer_basis
from forecast.data.constraints import level_band, rounding_unit
from forecast.data.hedges import hedge_table, measure_hedges
from forecast.data.reconciliation import reconcile


def row(rec, year, freq="annual"):
    s = rec.series[(rec.series["freq"] == freq) & (rec.series["ds"] == pd.Timestamp(year))]
    return s.iloc[0]


@pytest.mark.parametrize(
    "text, unit",
    [("5351", 1), ("12400", 100), ("15000", 1000), ("900", 10), ("12.82", 0.01), ("1702", 1), ("100000", 10000)],
)
def test_rounding_unit(text, unit):
    assert rounding_unit(text) == unit


def test_qualifier_bands_follow_the_measured_reading_with_at_least_one_rounding_unit():
    # "17000": two significant digits, more than → +1.7 % median, up to +25 %: 17000 · 1.017, 17000 · 1.25
    assert level_band(17000, "more_than", 1000, "17000") == pytest.approx((17000, 21250, 17289))
    # "6000": one digit, nearly → -0.4 % median, down to -2 % (5880, wider than one unit of 100)
    assert level_band(6000, "nearly", 100, "6000") == pytest.approx((5880, 6000, 5976))
    # "19000": two digits, about → -2 % .. +3 %, but at least half a unit (500) below: 18500 .. 19570
    assert level_band(19000, "about", 1000, "19000") == pytest.approx((18500, 19570, 19000))
    # "700": one digit → up to +50 %; "702" more than: two digits, at least one unit (1) above
    assert level_band(700, "more_than", 100, "700")[1] == pytest.approx(1050)
    assert level_band(5351, "exact", 1) == (5350.5, 5351.5, 5351)


def test_hedge_pairs_are_measured_once_per_release_against_the_exact_figure():
    data = facts(
        ("E", "2024-01-01", "2024-12-31", "total", "5351", "exact", "", "2025-01-02"),
        ("H1", "2024-01-01", "2024-12-31", "total", "5300", "more_than", "", "2025-01-01"),
        ("H2", "2024-01-01", "2024-12-31", "total", "5300", "more_than", "", "2025-01-03"),  # a copy of H1
        ("N", "2023-01-01", "2023-12-31", "total", "4000", "nearly", "", "2024-01-01"),
        ("F", "2023-01-01", "2023-12-31", "total", "3990", "exact", "", "2024-01-02"),
        ("L", "2022-01-01", "2022-12-31", "total", "3000", "more_than", "", ""),  # no exact figure: no pair
    )
    pairs = measure_hedges(data)
    assert pairs["ids"].tolist() == ["H1;H2", "N"]
    assert pairs["offset"].tolist() == pytest.approx([5351 / 5300 - 1, 3990 / 4000 - 1])
    assert pairs["units"].tolist() == pytest.approx([0.51, -0.1])  # rounding units of 100
    assert pairs["precision"].tolist() == ["2+ digits", "1 digit"]
    table = hedge_table(pairs).set_index("wording")
    assert table.loc["more_than", "pairs"] == 1 and table.loc["nearly", "within_one_unit"] == 1.0


def test_disagreeing_sources_set_aside_by_rule_and_override():
    data = facts(
        ("A1", "2020-01-01", "2020-12-31", "total", "1001", "exact", "", "2021-01-05"),
        ("A2", "2020-01-01", "2020-12-31", "total", "1001", "exact", "", "2021-01-06"),
        ("B", "2020-01-01", "2020-12-31", "total", "1203", "exact", "", "2021-03-01"),
    )
    rec = reconcile(data)  # two sources say 1001: B is set aside, missing by 1202.5 - 1001.5 = 201
    assert rec.conflicts["fact_ids"].tolist() == ["B"]
    assert rec.conflicts["violation"].iloc[0] == pytest.approx(201)
    assert row(rec, "2020")["y"] == 1001 and "conflict" in row(rec, "2020")["flags"]
    assert reconcile(data, rule="latest").conflicts["fact_ids"].tolist() == ["A1;A2"]
    assert row(reconcile(data, keep=["B"]), "2020")["y"] == 1203
    excluded = reconcile(data, exclude=["A1", "A2"])
    assert excluded.conflicts.empty and row(excluded, "2020")["y"] == 1203


def test_two_ytd_figures_give_the_month_between_and_bound_the_year():
    rec = reconcile(
        facts(
            ("J", "2023-01-01", "2023-10-31", "total", "503", "exact", "", ""),
            ("K", "2023-01-01", "2023-11-30", "total", "561", "exact", "", ""),
        )
    )
    november = row(rec, "2023-11-01", "monthly")  # 561 ± 0.5 - 503 ± 0.5
    assert november["y"] == pytest.approx(58) and (november["y_lo"], november["y_hi"]) == (57, 59)
    year = row(rec, "2023")
    assert np.isnan(year["y"]) and year["y_lo"] == 560.5 and np.isinf(year["y_hi"])


def test_growth_rate_implies_the_year_before_with_rounding_of_both():
    rec = reconcile(facts(("G", "2021-01-01", "2021-12-31", "total", "111", "exact", "10", "")))
    before = row(rec, "2020")  # 111 ± 0.5 at +10 % ± 1 pp → [110.5/1.11, 111.5/1.09], point 111/1.1
    assert before["y"] == pytest.approx(111 / 1.1) and before["flags"] == "implied"
    assert before["y_lo"] == pytest.approx(110.5 / 1.11) and before["y_hi"] == pytest.approx(111.5 / 1.09)


def test_milestones_are_loose_sums_that_never_outvote_period_totals():
    years = [("T5", "2015", "201"), ("T6", "2016", "199"), ("T7", "2017", "202"), ("T8", "2018", "198")]
    totals = [(i, f"{y}-01-01", f"{y}-12-31", "total", v, "exact", "", "") for i, y, v in years]
    rec = reconcile(
        facts(
            *totals,
            ("T9", "2019-01-01", "2019-12-31", "total", "201", "exact", "", ""),
            ("M", "2015-01-01", "2020-12-31", "cumulative", "1302", "exact", "", ""),
        )
    )
    # 2015-2019 sum to 1001 ± 2.5; the milestone spans six years, one (2020) that no total speaks of:
    # widened by (6 · 0.003 + 1 · 0.02) · 1302 = 49.476 on each side of 1302 ± 0.5
    year = row(rec, "2020")
    assert (year["y_lo"], year["y_hi"]) == pytest.approx((1302 - 0.5 - 49.476 - 1003.5, 1302 + 0.5 + 49.476 - 998.5))
    assert "partial" in year["flags"]
    # A milestone that cannot hold with the exact years is set aside, however many outlets repeat it
    clash = reconcile(
        facts(
            *totals,
            *[(f"M{k}", "2015-01-01", "2018-12-31", "cumulative", "600", "exact", "", "") for k in range(5)],
        )
    )
    assert clash.conflicts["fact_ids"].tolist() == ["M0;M1;M2;M3;M4"]
    assert row(clash, "2016")["y"] == 199


def test_hedged_full_year_is_read_as_a_bounded_band_at_its_measured_median():
    rec = reconcile(facts(("H", "2022-01-01", "2022-12-31", "total", "3000", "more_than", "", "")))
    year = row(rec, "2022")  # one significant digit: 3000 .. 3000 · 1.5, median 3000 · 1.04
    assert (year["y_lo"], year["y_hi"], year["y"]) == pytest.approx((3000, 4500, 3120))
    assert year["flags"] == "hedged"


@pytest.mark.parametrize(
    "note, basis",
    [
        ("CRCT (China Railway Container) city ranking 2024; lower than local counts", "national-ranking"),
        ("counts OUTBOUND China-Europe and China-Asia trains only", "outbound"),
        ("IRJ citing CR: May 2020, first month above 1000 (outbound 556, inbound 477)", "reported"),
        ("Horgos customs; record, already above 2019 full year", "customs"),
        ("Suzhou 2021 in converted trains (折算列) per operator; customs count is 406", "converted"),
        ("all imports+exports through the pass in 2018, not only China-Europe trains", "all-rail-freight"),
        ("RETURN (inbound) trains only; year 2020 inferred", "inbound"),
        ("passed 110000 with a Qingdao Jiaozhou departure Jun 10 2025", "reported"),
    ],
)
def test_basis_read_from_the_note(note, basis):
    assert infer_basis(note) == basis
