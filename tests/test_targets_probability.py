"""Target probabilities on the bundled data: computed from the paths, conditioned on YTD, blind after as_of."""

import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.targets import check_all_targets, check_target
from forecast.targets.facts import load_facts


@pytest.fixture(scope="module")
def observations():
    return load_facts()


def test_probability_is_the_share_of_paths_meeting_the_target():
    result = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=500, seed=3)
    assert len(result.totals) == 500
    assert result.probability == pytest.approx(np.mean(result.totals >= 6000))
    assert 0 < result.probability < 1
    strict = check_target("xian", year=2025, more_than=6000, model="drift", n_paths=500, seed=3)
    assert strict.probability == pytest.approx(np.mean(strict.totals > 6000))


def test_ytd_above_the_target_gives_probability_one():
    # Xi'an ran 5,063 trains in Jan-Oct 2025 (S0005): every path keeps them, so 5,000 is already met.
    result = check_target("xian", year=2025, at_least=5000, model="drift", n_paths=400)
    assert result.observed == 5063 and result.observed_through == pd.Timestamp("2025-10-31")
    assert result.totals.min() >= 5063
    assert result.probability == 1.0


def test_adding_a_ytd_fact_changes_the_answer(observations):
    without = observations[observations["id"] != "S0005"]
    before = check_target("xian", year=2025, at_least=6000, model="drift", observations=without, n_paths=500)
    after = check_target("xian", year=2025, at_least=6000, model="drift", observations=observations, n_paths=500)
    assert before.observed is None and after.observed == 5063
    assert "ytd" in after.method and "ytd" not in before.method
    assert after.probability != pytest.approx(before.probability, abs=0.02)
    assert after.probability == pytest.approx(np.mean(after.totals >= 6000))
    # The YTD figure narrows the outcome: two months left instead of twelve.
    assert np.ptp(np.quantile(after.totals, [0.1, 0.9])) < np.ptp(np.quantile(before.totals, [0.1, 0.9]))


def test_no_fact_published_after_as_of_is_used(observations):
    as_of = "2024-06-30"
    extra = pd.DataFrame(
        [
            {"id": "X1", "entity": "xian", "metric": "trains", "period_start": "2024-01-01",
             "period_end": "2024-12-31", "kind": "total", "value": 99999, "qualifier": "exact",
             "published": "2024-07-01"},
            {"id": "X2", "entity": "xian", "metric": "trains", "period_start": "2024-01-01",
             "period_end": "2024-05-31", "kind": "total", "value": 50000, "qualifier": "exact",
             "published": "2024-07-02"},
        ]
    )  # fmt: skip
    raw = observations.drop(columns=["known_from"]).astype({"published": str})
    poisoned = pd.concat([raw, extra], ignore_index=True)
    clean = check_target("xian", year=2024, at_least=5000, as_of=as_of, model="drift", observations=raw)
    dirty = check_target("xian", year=2024, at_least=5000, as_of=as_of, model="drift", observations=poisoned)
    np.testing.assert_array_equal(clean.totals, dirty.totals)
    assert "X1" in dirty.outcome_sources  # the outcome itself comes from every fact, later ones included


def test_growth_target_compares_two_years_from_the_same_paths():
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
    # No special-train figures exist at all: the row says so instead of inventing a number.
    assert np.isnan(rows["shandong-special-trains"].probability)
    assert "no trains totals" in rows["shandong-special-trains"].notes
    assert len(table) == 26  # 29 target facts, three published twice


def test_same_seed_same_answer():
    a = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=300, seed=7)
    b = check_target("xian", year=2025, at_least=6000, model="drift", n_paths=300, seed=7)
    np.testing.assert_array_equal(a.totals, b.totals)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(entity="atlantis", year=2024, at_least=1), "unknown entity"),
        (dict(entity="xian", metric="bananas", year=2024, at_least=1), "unknown metric"),
        (dict(entity="xian", year=2024, at_least=1, as_of="2024-02-30"), "as_of"),
        (dict(entity="xian", year=2024), "exactly one"),
        (dict(entity="xian", year=2024, at_least=1, model="crystal-ball"), "unknown model"),
    ],
)
def test_bad_input_is_an_input_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        check_target(**kwargs)
