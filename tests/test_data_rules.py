"""Reconciliation rules on small hand-made fact sets: every number below is worked out by hand in the comment."""

import numpy as np
import pandas as pd
import pytest

from forecast.data.basis import infer_basis
from forecast.data.constraints import level_band, rounding_unit
from forecast.data.load import typed
from forecast.data.reconciliation import reconcile


def facts(*rows):
    """Typed facts from (id, start, end, kind, value, qualifier, yoy, published) tuples, entity 'hub'."""
    frame = pd.DataFrame(
        [
            {
                "id": r[0],
                "entity": "hub",
                "metric": "trains",
                "period_start": r[1],
                "period_end": r[2],
                "kind": r[3],
                "value": r[4],
                "unit": "trains",
                "qualifier": r[5],
                "yoy_pct": r[6],
                "source_url": "https://a.example",
                "published": r[7],
                "note": "",
                "basis": "",
            }
            for r in rows
        ]
    )
    return typed(frame)


def row(rec, year, freq="annual"):
    s = rec.series[(rec.series["freq"] == freq) & (rec.series["ds"] == pd.Timestamp(year))]
    return s.iloc[0]


@pytest.mark.parametrize(
    "text, unit",
    [("5351", 1), ("12400", 100), ("15000", 1000), ("900", 10), ("12.82", 0.01), ("1702", 1), ("100000", 10000)],
)
def test_rounding_unit(text, unit):
    assert rounding_unit(text) == unit


def test_qualifier_bands():
    assert level_band(17000, "more_than", 1000) == (17000, np.inf, 17500)
    assert level_band(6000, "nearly", 100) == (5400, 6000, 5950)
    assert level_band(19000, "about", 1000) == (18050, 19950, 19000)
    assert level_band(5351, "exact", 1) == (5350.5, 5351.5, 5351)


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


def test_two_milestones_give_the_year_between():
    rec = reconcile(
        facts(
            ("M1", "2015-01-01", "2019-12-31", "cumulative", "1001", "exact", "", ""),
            ("M2", "2015-01-01", "2020-12-31", "cumulative", "1302", "exact", "", ""),
            ("T", "2019-01-01", "2019-12-31", "total", "251", "exact", "", ""),
        )
    )
    year = row(rec, "2020")  # 1302 ± 0.5 minus 1001 ± 0.5 → [300, 302]
    assert (year["y_lo"], year["y_hi"]) == pytest.approx((300, 302)) and year["y"] == pytest.approx(301)
    assert "derived" in year["flags"] and set(year["sources"].split(";")) == {"M1", "M2"}


def test_hedged_full_year_is_a_lower_bound():
    rec = reconcile(facts(("H", "2022-01-01", "2022-12-31", "total", "3000", "more_than", "", "")))
    year = row(rec, "2022")
    assert year["y_lo"] == 3000 and np.isinf(year["y_hi"]) and year["y"] == 3050
    assert set(year["flags"].split(";")) == {"hedged", "open"}


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
