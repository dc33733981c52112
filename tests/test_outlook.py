"""One outlook per series: built on everything known by the as-of date, read by every command (the rules on a
hand-made hub; the bundled data where a test says so)."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts, years

from forecast.data.vintage import series_uid
from forecast.fitting import forecast_array, series_seed
from forecast.outlook import TRAFFIC, NoOutlook, Outlooks
from forecast.targets import check_target

pytestmark = pytest.mark.slow  # every test builds outlooks of a thousand paths

PATHS = 1000


# A hub growing by about 300 trains a year, with its first quarters of 2021-2024 (22.1 %, 22.5 %, 21.9 %, 22.3 % of
# their years); 2025's first quarter, 1,050 (stated to the nearest ten: 1,045-1,055), ran 8.4 % below 2024's 1,146,
# and March alone was 372.
HISTORY = {2017: 3012, 2018: 3297, 2019: 3641, 2020: 3893, 2021: 4218, 2022: 4461, 2023: 4837, 2024: 5137}
QUARTERS = [
    (f"Q{y}", f"{y}-01-01", f"{y}-03-31", "total", str(v), "exact", "", f"{y}-04-10")
    for y, v in {2021: 932, 2022: 1004, 2023: 1059, 2024: 1146}.items()
]
FIRST_QUARTER = [
    ("Q2025", "2025-01-01", "2025-03-31", "total", "1050", "exact", "", "2025-04-10"),
    ("M2025", "2025-03-01", "2025-03-31", "total", "372", "exact", "", "2025-04-10"),
]


@pytest.fixture(scope="module")
def hub():
    return Outlooks(facts(*years(HISTORY), *QUARTERS, *FIRST_QUARTER), n_paths=PATHS, hierarchy=None)


def test_the_year_in_progress_is_built_on_the_first_quarter(hub):
    view = hub.get("hub", "trains")  # as of the data's date: the first quarter's publication
    assert view.as_of == pd.Timestamp("2025-04-10") and view.years[0] == 2025 and view.status(2025) == "in progress"
    paths = view.year_paths(2025)
    np.testing.assert_allclose(view.monthly[:, :3].sum(axis=1), 1050, atol=5.01)  # Q2025, to the nearest ten
    np.testing.assert_allclose(view.monthly[:, 2], 372, atol=0.51)  # M2025: March alone
    assert view.observed[2025].exact[0] == pytest.approx(1050, abs=5)
    # The annual model continues the growth (above 2024's 5,137); a first quarter 8.4 % below 2024's, at a share of
    # about 22 %, pulls the year well below that: 1,050 / 0.225 = 4,667 .. 1,050 / 0.219 = 4,795, give or take how
    # much the share may vary.
    assert view.prior_mean[0] > 5137 and 4_400 < np.median(paths) < view.prior_mean[0] - 300
    assert paths.min() >= 1045


def test_a_target_is_a_share_of_the_charts_paths_and_its_interval_the_charts_band(hub):
    view = hub.get("hub", "trains")
    result = check_target("hub", year=2025, at_least=5000, outlooks=hub)
    paths = view.year_paths(2025)
    assert 0 < result.probability < 1 and result.probability == pytest.approx(np.mean(paths >= 5000))
    row = view.table().set_index("ds").loc[pd.Timestamp("2025-01-01")]
    assert (row["lo_80"], row["hi_80"]) == pytest.approx(result.interval(80))
    assert result.observed_through == pd.Timestamp("2025-03-31") and result.observed == pytest.approx(1050, abs=5)


def test_monthly_paths_sum_to_the_annual_paths(hub):
    view = hub.get("hub", "trains")
    months = view.monthly.reshape(view.n_paths, len(view.years), 12).sum(axis=2)
    np.testing.assert_allclose(months, view.annual, rtol=1e-12)


def test_an_old_series_forecasts_its_missing_years_with_widening_intervals():
    # Known to 2021; on 2023-06-30 that is two years back (not yet stale): 2022 is not out, 2023 is running
    made = Outlooks(facts(*years({y: v for y, v in HISTORY.items() if y <= 2021})), n_paths=300, hierarchy=None)
    view = made.get("hub", "trains", as_of="2023-06-30")
    assert view.last_known_year == 2021 and view.years[0] == 2022
    assert [view.status(y) for y in (2022, 2023, 2024)] == ["not yet published", "in progress", "forecast"]
    assert any("latest full year known: 2021" in note for note in view.notes)
    table = view.table()
    width = (table["hi_80"] - table["lo_80"]).to_numpy()
    free = table["ds"].dt.year > 2023  # years no fact touches
    assert free.sum() >= 2 and np.all(np.diff(width[free.to_numpy()]) > 0)


def test_facts_published_after_the_as_of_date_are_not_used():
    # Jan-Oct 2025: 5,063 (published 15 November); X9, Jan-Nov: 5,753 (published 20 December), a strong November
    known = [*years(HISTORY), ("S", "2025-01-01", "2025-10-31", "total", "5063", "exact", "", "2025-11-15")]
    later = ("X9", "2025-01-01", "2025-11-30", "total", "5753", "exact", "", "2025-12-20")
    a = Outlooks(facts(*known), n_paths=300, hierarchy=None).get("hub", "trains", as_of="2025-12-01")
    with_later = Outlooks(facts(*known, later), n_paths=300, hierarchy=None)
    b = with_later.get("hub", "trains", as_of="2025-12-01")
    np.testing.assert_array_equal(a.annual, b.annual)
    c = with_later.get("hub", "trains", as_of="2025-12-31")
    jan_nov = [view.monthly[:, :11].sum(axis=1).min() for view in (a, c)]  # X9 is 5,752.5 .. 5,753.5
    assert jan_nov[1] >= 5752.5 - 1e-6 > jan_nov[0] and c.year_paths(2025).min() >= 5752.5 - 1e-6


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
    made = facts(*years(HISTORY), *QUARTERS, *FIRST_QUARTER)
    short = Outlooks(made, n_paths=300, years=2, hierarchy=None).get("hub", "trains")
    long = Outlooks(made, n_paths=300, years=8, hierarchy=None).get("hub", "trains")
    np.testing.assert_array_equal(short.year_paths(2026), long.year_paths(2026))
    assert len(short.table()) == 2 and len(long.table()) == 8


def test_same_seed_same_paths_and_another_seed_other_paths():
    made = facts(*years(HISTORY), *QUARTERS, *FIRST_QUARTER)
    one, two, three = (Outlooks(made, n_paths=200, seed=s, hierarchy=None).get("hub", "trains") for s in (5, 5, 6))
    np.testing.assert_array_equal(one.annual, two.annual)
    assert not np.array_equal(one.annual, three.annual)


def test_a_series_without_any_fact_has_no_outlook_and_says_why(hub):
    with pytest.raises(NoOutlook, match="no trains total of anhui"):
        hub.get("anhui", "trains")  # a catalogue entity the hand-made facts say nothing of


def test_bundled_every_outlook_is_sane():
    # What `forecast run` charts: every series with an outlook on the data's date.
    outlooks = Outlooks(n_paths=PATHS)
    views, skipped = outlooks.every()
    assert views and skipped["reason"].str.len().gt(0).all()
    vintage = outlooks.facts.on()
    every = {series_uid(*key) for key in vintage.keys(metrics=TRAFFIC)}
    assert {view.uid for view in views} | set(skipped["unique_id"]) == every  # an outlook or a stated reason
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
