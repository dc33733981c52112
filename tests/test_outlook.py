"""One outlook per series on the bundled data: built on everything known by the as-of date, read by every command."""

import numpy as np
import pandas as pd
import pytest

from forecast.data.vintage import FactBase
from forecast.fitting import forecast_array, series_seed
from forecast.outlook import NoOutlook, Outlooks
from forecast.targets import check_target

pytestmark = pytest.mark.slow  # every test builds outlooks of bundled series

PATHS = 1000


@pytest.fixture(scope="module")
def outlooks():
    return Outlooks(n_paths=PATHS)


def test_the_national_year_in_progress_is_built_on_the_first_quarter(outlooks):
    view = outlooks.get("national", "trains")
    assert view.as_of == pd.Timestamp("2025-12-31") and view.years[0] == 2025 and view.status(2025) == "in progress"
    paths = view.year_paths(2025)
    q1 = view.monthly[:, :3].sum(axis=1)
    np.testing.assert_allclose(q1, 4250, atol=5.01)  # N0274: 4,250 in Q1 (stated to the nearest ten)
    np.testing.assert_allclose(view.monthly[:, 2], 1592, atol=0.51)  # N0284: March alone
    assert view.observed[2025].exact[0] == pytest.approx(4250, abs=5)
    # Q1 ran 6.4% below 2024's (4,541 of 19,392): the year lands near 4,250 / 23.4%, far below the annual model.
    assert view.prior_mean[0] > 20_500 and 17_500 < np.median(paths) < 20_000
    assert paths.min() >= 7_294  # the 110,000th train (10 June) says at least this much ran by then


def test_a_target_is_a_share_of_the_charts_paths_and_its_interval_the_charts_band(outlooks):
    view = outlooks.get("national", "trains")
    result = check_target("national", year=2025, at_least=20000, outlooks=outlooks)
    paths = view.year_paths(2025)
    assert result.probability == pytest.approx(np.mean(paths >= 20000))
    row = view.table().set_index("ds").loc[pd.Timestamp("2025-01-01")]
    assert (row["lo_80"], row["hi_80"]) == pytest.approx(result.interval(80))
    assert result.observed_through >= pd.Timestamp("2025-03-31")


def test_monthly_paths_sum_to_the_annual_paths(outlooks):
    view = outlooks.get("national", "teu")
    months = view.monthly.reshape(view.n_paths, len(view.years), 12).sum(axis=2)
    np.testing.assert_allclose(months, view.annual, rtol=1e-12)


def test_an_old_series_forecasts_its_missing_years_with_widening_intervals(outlooks):
    view = outlooks.get("zhengzhou", "trains")
    assert view.last_known_year == 2021 and view.years[0] == 2022
    assert [view.status(y) for y in (2022, 2025, 2026)] == ["not yet published", "in progress", "forecast"]
    assert any("latest full year known: 2021" in note for note in view.notes)
    table = view.table()
    width = (table["hi_80"] - table["lo_80"]).to_numpy()
    free = table["ds"].dt.year > 2025  # years no fact touches
    assert np.all(np.diff(width[free.to_numpy()]) > 0)


def test_facts_published_after_the_as_of_date_are_not_used():
    facts = FactBase()
    later = facts.facts.copy()
    extra = later[later["id"] == "S0005"].assign(
        id="X9", period_end=pd.Timestamp("2025-11-30"), value=5600.0, value_text="5600", published="2025-12-20"
    )
    with_later = FactBase(pd.concat([later, extra], ignore_index=True))
    a = Outlooks(facts=facts, n_paths=300).get("xian", "trains", as_of="2025-12-01")
    b = Outlooks(facts=with_later, n_paths=300).get("xian", "trains", as_of="2025-12-01")
    np.testing.assert_array_equal(a.annual, b.annual)
    c = Outlooks(facts=with_later, n_paths=300).get("xian", "trains", as_of="2025-12-31")
    assert c.year_paths(2025).min() >= 5599.5 > a.year_paths(2025).min()


def test_without_sub_annual_facts_the_outlook_is_the_annual_model():
    years = range(2012, 2024)
    values = [120, 150, 170, 230, 260, 310, 330, 400, 420, 470, 520, 560]
    frame = pd.DataFrame(
        {
            "id": [f"T{y}" for y in years],
            "entity": "testhub",
            "metric": "trains",
            "period_start": [f"{y}-01-01" for y in years],
            "period_end": [f"{y}-12-31" for y in years],
            "kind": "total",
            "value": values,
            "qualifier": "exact",
            "published": None,
        }
    )
    view = Outlooks(frame, model="theta", n_paths=300, years=2).get("testhub", "trains", as_of="2024-01-15")
    assert view.monthly is None and list(view.shown) == [2024, 2025] and view.years[0] == 2024
    reference, used, _ = forecast_array(
        np.array(values, float), len(view.years), "theta", 1, 300, series_seed(0, "testhub/trains/reported", "theta")
    )
    np.testing.assert_allclose(view.annual, reference.paths, rtol=1e-9)
    assert view.used == used == "theta"


def test_a_years_paths_do_not_depend_on_how_many_years_are_shown():
    short = Outlooks(n_paths=300, years=2).get("xian", "trains")
    long = Outlooks(n_paths=300, years=8).get("xian", "trains")
    np.testing.assert_array_equal(short.year_paths(2026), long.year_paths(2026))
    assert len(short.table()) == 2 and len(long.table()) == 8


def test_same_seed_same_paths_and_another_seed_other_paths():
    one = Outlooks(n_paths=200, seed=5).get("khorgos", "trains")
    two = Outlooks(n_paths=200, seed=5).get("khorgos", "trains")
    three = Outlooks(n_paths=200, seed=6).get("khorgos", "trains")
    np.testing.assert_array_equal(one.annual, two.annual)
    assert not np.array_equal(one.annual, three.annual)


def test_a_series_without_any_fact_has_no_outlook_and_says_why(outlooks):
    with pytest.raises(NoOutlook, match="no trains total of anhui"):
        outlooks.get("anhui", "trains")


def test_every_bundled_outlook_is_sane(outlooks):
    # What `forecast run` charts: every series with an outlook on the data's date.
    views, skipped = outlooks.every()
    assert len(views) >= 80 and set(skipped.columns) == {"unique_id", "reason"}
    for view in views:
        paths = view.annual
        assert np.all(np.isfinite(paths)) and paths.min() >= 0, view.uid
        lo, hi = np.quantile(paths, [0.1, 0.9], axis=0)
        assert np.all(hi > lo), f"{view.uid}: an 80% interval of no width"
        recent = view.series.history().tail(3).to_numpy()
        if len(recent) and recent.min() >= 10:
            assert np.mean(paths <= 0) < 0.01, f"{view.uid}: a point mass at zero for a series at {recent[-1]:,.0f}"
        for year, seen in view.observed.items():
            assert view.year_paths(year).min() >= seen.lo - 1e-6 * max(seen.lo, 1), f"{view.uid} {year}"
        if view.monthly is not None:
            np.testing.assert_allclose(view.monthly.reshape(len(paths), len(view.years), 12).sum(axis=2), paths)
