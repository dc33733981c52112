"""Target probabilities on the bundled data: shares of the outlook's paths, conditioned on what was public then."""

import numpy as np
import pandas as pd
import pytest

from forecast.data import load_observations
from forecast.errors import InputError
from forecast.targets import check_all_targets, check_target
from forecast.targets.runrate import run_rate

pytestmark = pytest.mark.slow  # every test builds outlooks of bundled series


@pytest.fixture(scope="module")
def observations():
    return load_observations()


def test_probability_is_the_share_of_paths_meeting_the_target():
    result = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=500, seed=3)
    assert len(result.values) == 500
    assert result.probability == pytest.approx(np.mean(result.values >= 6000))
    assert 0 < result.probability < 1
    strict = check_target("xian", year=2025, more_than=6000, model="drift", n_paths=500, seed=3)
    assert strict.probability == pytest.approx(np.mean(strict.values > 6000))


def test_ytd_above_the_target_gives_probability_one():
    # Xi'an ran 5,063 trains in Jan-Oct 2025 (S0005): every path keeps them, so 5,000 is already met.
    result = check_target("xian", year=2025, at_least=5000, model="drift", n_paths=400)
    assert result.observed == pytest.approx(5063, abs=0.5) and result.observed_through == pd.Timestamp("2025-10-31")
    assert result.values.min() >= 5062.5
    assert result.probability == 1.0


def _with(observations, *rows):
    extra = [
        {
            "entity": "xian",
            "metric": "trains",
            "kind": "total",
            "qualifier": "exact",
            "unit": "trains",
            "note": "test",
            "source_url": "https://example.org",
            **row,
        }
        for row in rows
    ]
    return pd.concat([observations, pd.DataFrame(extra)], ignore_index=True)


def test_adding_a_ytd_fact_changes_the_answer_and_narrows_it(observations):
    without = observations[observations["id"] != "S0005"]
    before = check_target("xian", year=2025, at_least=6000, model="drift", observations=without, n_paths=500)
    after = check_target("xian", year=2025, at_least=6000, model="drift", observations=observations, n_paths=500)
    assert before.observed is None and after.observed == pytest.approx(5063, abs=0.5)
    assert after.probability != pytest.approx(before.probability, abs=0.02)
    # Two months left instead of twelve.
    assert np.ptp(after.interval(80)) < 0.5 * np.ptp(before.interval(80))


def test_no_fact_published_after_as_of_is_used(observations):
    later = _with(
        observations,
        {
            "id": "X1",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "value": 6100,
            "published": "2026-01-10",
        },
        {
            "id": "X2",
            "period_start": "2025-01-01",
            "period_end": "2025-05-31",
            "value": 2600,
            "published": "2025-07-02",
        },
    )
    clean = check_target("xian", year=2025, at_least=6000, as_of="2025-06-30", model="drift", observations=observations)
    dirty = check_target("xian", year=2025, at_least=6000, as_of="2025-06-30", model="drift", observations=later)
    np.testing.assert_array_equal(clean.values, dirty.values)
    # The outcome itself comes from every fact, later ones included.
    assert clean.met is None
    assert dirty.outcome == 6100 and dirty.met is True and "X1" in dirty.outcome_sources.split(";")


def test_outcome_is_the_reconciled_value_and_a_conflicting_fact_is_set_aside(observations):
    # A one-source 99,999 for Xi'an 2024 contradicts the stated 4,985: reconciliation sets it aside, the outcome
    # stays 4,985 and the row says a conflict was resolved instead of hiding it.
    poisoned = _with(
        observations,
        {
            "id": "X1",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "value": 99999,
            "published": "2025-01-02",
        },
    )
    result = check_target("xian", year=2024, at_least=5000, as_of="2024-06-30", model="drift", observations=poisoned)
    assert result.outcome == 4985 and result.met is False
    assert "conflicting sources" in " ".join(result.notes)


def test_hedged_outcome_decides_only_what_it_can(observations):
    # Shandong 2021 is only known as "more than 1,800" and capped by other facts: that settles "at least 1,000"
    # and leaves "at least 2,500" open.
    low = check_target("shandong", year=2021, at_least=1000, model="drift", observations=observations)
    assert low.outcome_lo >= 1800 and low.met is True
    high = check_target("shandong", year=2021, at_least=2500, model="drift", observations=observations)
    assert high.outcome_lo < 2500 < high.outcome_hi and high.met is None


def test_growth_of_an_entity_without_figures_is_its_parents_growth_widened():
    child = check_target(
        "shandong-special-trains", year=2024, growth_pct=20, as_of="2024-02-23", model="drift", n_paths=2000
    )
    parent = check_target("shandong", year=2024, growth_pct=20, as_of="2024-02-23", model="drift", n_paths=2000)
    assert child.probability == pytest.approx(np.mean(child.values > 20))
    assert np.median(child.values) == pytest.approx(np.median(parent.values), abs=5)
    assert np.ptp(child.interval(80)) > np.ptp(parent.interval(80))
    # An absolute target needs a level: none is invented.
    assert np.isnan(check_target("shandong-special-trains", year=2024, at_least=100, as_of="2024-02-23").probability)


def test_growth_target_compares_two_years_of_the_same_paths():
    result = check_target("shandong", year=2024, growth_pct=5, as_of="2024-03-01", model="drift", n_paths=400)
    assert result.target.kind == "growth"
    assert result.probability == pytest.approx(np.mean(result.values > 5))
    assert "base 2023" in result.method


def test_shandong_2024_plans_are_answered():
    table = check_all_targets(model="drift", n_paths=300)
    shandong = table[table["entity"].str.startswith("shandong-") & (table["period_end"] == "2024-12-31")]
    rows = {r.entity: r for r in shandong.itertuples()}
    assert rows["shandong-central-asia"].sources == "S0001;H0252"
    assert rows["shandong-central-asia"].threshold == 900 and rows["shandong-central-asia"].comparison == "more_than"
    assert 0 <= rows["shandong-central-asia"].probability <= 1
    assert 0 <= rows["shandong-russia-europe"].probability <= 1
    # No special-train figures exist at all: the row says so and answers from Shandong's growth, widened.
    special = rows["shandong-special-trains"]
    assert "no trains total of shandong-special-trains" in special.notes and "proxy" in special.notes
    assert special.method.startswith("growth of shandong") and 0 < special.probability < 1
    assert len(table) == 26  # 29 target facts, three published twice


def test_open_targets_are_judged_today_and_closed_ones_when_announced(observations):
    plan = _with(
        observations,
        {
            "id": "X3",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "kind": "target",
            "value": 6000,
            "qualifier": "more_than",
            "published": "2025-01-20",
        },
    )
    table = check_all_targets(model="drift", n_paths=200, observations=plan).set_index("sources")
    assert table.loc["X3", "as_of"] == "2025-12-31"  # the year the data runs to: the odds today
    assert table.loc["S0001;H0252", "as_of"] == "2024-02-23"  # over: what was said when it was announced
    today = check_target("xian", year=2025, more_than=6000, model="drift", n_paths=200, observations=plan)
    assert table.loc["X3", "probability"] == pytest.approx(today.probability)


def test_same_seed_same_answer():
    a = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=300, seed=7)
    b = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=300, seed=7)
    np.testing.assert_array_equal(a.values, b.values)


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
    result = check_target("khorgos", year=2024, at_least=8000, as_of="2024-10-01", model="drift", n_paths=200)
    assert result.run_rate.stated_per_day == 22  # P0241: 22 a day in 2024 so far
    assert "P0241" in result.run_rate.stated_source


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(entity="atlantis", year=2024, at_least=1), "unknown entity"),
        (dict(entity="xian", metric="bananas", year=2024, at_least=1), "unknown metric"),
        (dict(entity="xian", year=2024, at_least=1, basis="nonsense"), "basis: 'nonsense' is not one of"),
        (dict(entity="xian", year=2024, at_least=1, as_of="2024-02-30"), "as_of"),
        (dict(entity="xian", year=2024), "exactly one"),
        (dict(entity="xian", year=2024, at_least=1, model="crystal-ball"), "unknown model"),
    ],
)
def test_bad_input_is_an_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        check_target(**kwargs)
