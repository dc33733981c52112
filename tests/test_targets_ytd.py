"""Year-to-date conditioning and share profiles: the observed part is fixed, only the remainder is drawn."""

import numpy as np
import pandas as pd
import pytest

from forecast.targets.facts import load_facts
from forecast.targets.runrate import run_rate
from forecast.targets.seasonal_profile import ShareProfile, donor_profile, share_points, year_fraction
from forecast.targets.ytd import condition_annual, condition_monthly


@pytest.fixture(scope="module")
def national_profile():
    points = share_points(load_facts(), "trains")
    return donor_profile(points, "nowhere-hub", "trains", 0.5, chain=[])


def test_profile_is_borrowed_from_the_national_series_and_has_spread(national_profile):
    assert national_profile.donor == "national/trains"
    mu, sd, years = national_profile.at(0.5)
    assert years >= 3 and sd > 0
    shares = national_profile.sample(0.5, 2000, np.random.default_rng(0))
    assert shares.min() > 0 and shares.max() < 1
    assert 0.35 < np.median(shares) < 0.6  # half the year runs roughly half the trains


def test_annual_conditioning_keeps_the_ytd_and_adds_a_nonnegative_remainder(national_profile):
    rng = np.random.default_rng(1)
    annual = rng.normal(1000, 150, 3000)
    result = condition_annual(annual, 700.0, pd.Timestamp("2024-09-30"), national_profile, rng, 3000)
    assert result.totals.min() >= 700
    assert 0 < result.model_weight < 1
    # Without model paths the year is the YTD figure scaled by the sampled share alone.
    alone = condition_annual(None, 700.0, pd.Timestamp("2024-09-30"), national_profile, np.random.default_rng(2), 3000)
    assert alone.model_weight == 0
    assert np.median(alone.totals) == pytest.approx(700 / national_profile.mean_share(year_fraction("2024-09-30")), rel=0.05)


def test_monthly_conditioning_sums_the_uncovered_part_of_the_year():
    paths = np.array([[100.0, 200.0, 300.0, 400.0], [10.0, 20.0, 30.0, 40.0]])  # Sep..Dec 2024
    result = condition_monthly(paths, pd.Timestamp("2024-09-01"), 2024, 5000.0, pd.Timestamp("2024-10-15"))
    # September is covered; October has 16 of 31 days left; November and December count in full.
    expected = 5000 + np.array([200 * 16 / 31 + 300 + 400, 20 * 16 / 31 + 30 + 40])
    np.testing.assert_allclose(result.totals, expected)


def test_monthly_paths_of_a_year_not_yet_begun_sum_its_twelve_months():
    paths = np.tile(np.arange(1.0, 16.0), (2, 1))  # Oct 2024 .. Dec 2025
    result = condition_monthly(paths, pd.Timestamp("2024-10-01"), 2025)
    np.testing.assert_allclose(result.totals, np.arange(4.0, 16.0).sum())  # only Jan..Dec 2025 count
    assert result.observed_through is None and result.method == "monthly paths"


def test_run_rate_by_hand():
    rate = run_rate(6000, pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"), 5063, pd.Timestamp("2025-10-31"))
    assert rate.remaining_days == 61  # November (30) + December (31)
    assert rate.needed_per_day == pytest.approx(937 / 61)
    assert rate.needed_per_month == pytest.approx(937 / 61 * 365.25 / 12)
    assert rate.observed_per_day == pytest.approx(5063 / 304)  # Jan-Oct 2025 has 304 days
    nothing_yet = run_rate(730, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"))
    assert nothing_yet.remaining_days == 366 and nothing_yet.needed_per_day == pytest.approx(730 / 366)
    done = run_rate(100, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-31"), 150, pd.Timestamp("2024-06-30"))
    assert done.needed_per_day == 0


def test_stated_daily_averages_sit_beside_the_run_rate():
    from forecast.targets import check_target

    result = check_target("khorgos", year=2024, at_least=8000, as_of="2024-10-01", model="drift", n_paths=200)
    assert result.run_rate.stated_per_day == 22  # P0241: 22 a day in 2024 so far
    assert "P0241" in result.run_rate.stated_source


def test_share_profile_without_donor_falls_back_to_an_even_pace():
    profile = ShareProfile("even pace (no donor)", pd.DataFrame(columns=["entity", "year", "t", "u"]))
    assert profile.mean_share(0.25) == pytest.approx(0.25)


def test_monthly_series_sums_monthly_paths_after_the_ytd():
    from forecast.targets import check_target

    months = pd.date_range("2021-01-01", "2024-06-01", freq="MS")
    rows = [{"id": f"M{i}", "entity": "testhub", "metric": "trains", "period_start": m.date().isoformat(),
             "period_end": (m + pd.offsets.MonthEnd(0)).date().isoformat(), "kind": "total", "value": 100 + i,
             "qualifier": "exact", "published": None} for i, m in enumerate(months)]  # fmt: skip
    # Jan-Jun 2024 months sum to 136 + ... + 141 = 831; a Jan-Jul figure reaches a month further.
    rows.append({"id": "Y", "entity": "testhub", "metric": "trains", "period_start": "2024-01-01",
                 "period_end": "2024-07-31", "kind": "total", "value": 973, "qualifier": "exact", "published": None})
    result = check_target("testhub", year=2024, at_least=1500, model="naive", n_paths=300,
                          observations=pd.DataFrame(rows))  # fmt: skip
    assert result.method == "ytd+monthly" and result.observed == 973
    assert result.observed_through == pd.Timestamp("2024-07-31")
    # Naive on a steady +1/month series: five more months near the last value (141) each.
    assert np.median(result.totals) == pytest.approx(973 + 5 * 141, rel=0.02)
    without_ytd = check_target("testhub", year=2024, at_least=1500, model="naive", n_paths=300,
                               observations=pd.DataFrame(rows[:-1]))  # fmt: skip
    assert without_ytd.observed == 831 and without_ytd.observed_through == pd.Timestamp("2024-06-30")
    assert result.probability == pytest.approx(np.mean(result.totals >= 1500))
