"""Target probabilities: shares of the outlook's paths, conditioned on what was public then — the rules on a
hand-made hub, then a property of every bundled target."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts, years

from forecast.data import load_observations
from forecast.data.vintage import data_as_of
from forecast.errors import InputError
from forecast.outlook import Outlooks
from forecast.targets import check_all_targets, check_target, targets_from_facts
from forecast.targets.runrate import run_rate

pytestmark = pytest.mark.slow  # every test builds outlooks


# A hub growing by about 300 trains a year, each year published on 20 January of the next, and its January-October
# totals of the last four years (83.1 %, 82.7 %, 83.3 %, 82.9 % of their years): a steady share run by October.
HISTORY = {2017: 3012, 2018: 3297, 2019: 3641, 2020: 3893, 2021: 4218, 2022: 4461, 2023: 4837, 2024: 5137}
JAN_OCT = {2021: 3505, 2022: 3689, 2023: 4029, 2024: 4259}
YEARS = [
    (f"Y{y}", f"{y}-01-01", f"{y}-12-31", "total", str(v), "exact", "", f"{y + 1}-01-20") for y, v in HISTORY.items()
]
MONTHS = [(f"J{y}", f"{y}-01-01", f"{y}-10-31", "total", str(v), "exact", "", f"{y}-11-15") for y, v in JAN_OCT.items()]
YTD = ("S", "2025-01-01", "2025-10-31", "total", "5063", "exact", "", "2025-11-15")  # Jan-Oct 2025: 5,063


def outlooks(*rows, n_paths=500, seed=0):
    """Drift outlooks of the hub (no hierarchy: the hub is in no sum) from its history and ``rows``."""
    return Outlooks(facts(*YEARS, *MONTHS, *rows), model="drift", n_paths=n_paths, seed=seed, hierarchy=None)


def test_probability_is_the_share_of_paths_meeting_the_target():
    # As of mid-2025 nothing about 2025 is known: the year is a forecast a little above 2024's 5,137
    made = outlooks(n_paths=500, seed=3)
    result = check_target("hub", year=2025, at_least=5400, as_of="2025-06-30", outlooks=made)
    assert len(result.values) == 500
    assert result.probability == pytest.approx(np.mean(result.values >= 5400))
    assert 0 < result.probability < 1
    strict = check_target("hub", year=2025, more_than=5400, as_of="2025-06-30", outlooks=made)
    assert strict.probability == pytest.approx(np.mean(strict.values > 5400))


def test_ytd_above_the_target_gives_probability_one():
    # 5,063 trains ran in Jan-Oct 2025 (fact S): every path keeps them (5,063 - 0.5 of rounding), so 5,000 is met.
    result = check_target("hub", year=2025, at_least=5000, as_of="2025-11-30", outlooks=outlooks(YTD, n_paths=400))
    assert result.observed == pytest.approx(5063, abs=0.5) and result.observed_through == pd.Timestamp("2025-10-31")
    assert result.values.min() >= 5062.5
    assert result.probability == 1.0


def test_adding_a_ytd_fact_changes_the_answer_and_narrows_it():
    before = check_target("hub", year=2025, at_least=6000, as_of="2025-11-30", outlooks=outlooks())
    after = check_target("hub", year=2025, at_least=6000, as_of="2025-11-30", outlooks=outlooks(YTD))
    # Without S 2025 is a forecast a little above 5,137; with it, 5,063 by October at a share near 83 % is about 6,100.
    assert before.observed is None and after.observed == pytest.approx(5063, abs=0.5)
    assert after.probability != pytest.approx(before.probability, abs=0.02)
    # Two months left instead of twelve, at a share that has barely varied: the interval at least 60 % narrower.
    assert np.ptp(after.interval(80)) < 0.4 * np.ptp(before.interval(80))


def test_no_fact_published_after_as_of_is_used():
    later = (
        ("X1", "2025-01-01", "2025-12-31", "total", "6100", "exact", "", "2026-01-10"),
        ("X2", "2025-01-01", "2025-05-31", "total", "2600", "exact", "", "2025-07-02"),
    )
    clean = check_target("hub", year=2025, at_least=6000, as_of="2025-06-30", outlooks=outlooks())
    dirty = check_target("hub", year=2025, at_least=6000, as_of="2025-06-30", outlooks=outlooks(*later))
    np.testing.assert_array_equal(clean.values, dirty.values)
    # The outcome itself comes from every fact, later ones included.
    assert clean.met is None
    assert dirty.outcome == 6100 and dirty.met is True and "X1" in dirty.outcome_sources.split(";")


def test_outcome_is_the_reconciled_value_and_a_conflicting_fact_is_set_aside():
    # 2024's 5,137 is stated twice independently: by Y2024 and by its halves, 2,491 + 2,646 = 5,137. A one-source
    # 99,999 for 2024 contradicts both: reconciliation sets it aside, the outcome stays 5,137 and the row says a
    # conflict was resolved instead of hiding it.
    made = outlooks(
        ("H1", "2024-01-01", "2024-06-30", "total", "2491", "exact", "", "2024-07-15"),
        ("H2", "2024-07-01", "2024-12-31", "total", "2646", "exact", "", "2025-01-25"),
        ("X1", "2024-01-01", "2024-12-31", "total", "99999", "exact", "", "2025-01-02"),
    )
    result = check_target("hub", year=2024, at_least=5200, as_of="2024-06-30", outlooks=made)
    assert result.outcome == 5137 and result.met is False
    assert "conflicting sources" in " ".join(result.notes)


def test_hedged_outcome_decides_only_what_it_can():
    # 2025 is only known as "more than 5,800": two significant digits, read as 5,800 .. 5,800 · 1.25 = 7,250.
    # That settles "at least 5,000" (met) and "at least 7,500" (missed), and leaves "at least 6,000" open.
    made = outlooks(("H", "2025-01-01", "2025-12-31", "total", "5800", "more_than", "", "2026-01-20"))
    low = check_target("hub", year=2025, at_least=5000, outlooks=made)
    assert low.outcome_lo >= 5800 and low.met is True
    middle = check_target("hub", year=2025, at_least=6000, outlooks=made)
    assert middle.outcome_lo < 6000 < middle.outcome_hi and middle.met is None
    high = check_target("hub", year=2025, at_least=7500, outlooks=made)
    assert high.outcome_hi == pytest.approx(7250) and high.met is False


def test_open_targets_are_judged_today_and_closed_ones_when_announced():
    plans = (
        ("X3", "2025-01-01", "2025-12-31", "target", "6000", "more_than", "", "2025-01-20"),
        ("X4", "2023-01-01", "2023-12-31", "target", "4700", "at_least", "", "2023-02-01"),
    )
    made = outlooks(YTD, *plans, n_paths=200)
    table = check_all_targets(outlooks=made).set_index("sources")
    assert data_as_of(made.facts.facts) == pd.Timestamp("2025-11-15")  # the data runs to YTD's publication
    assert table.loc["X3", "as_of"] == "2025-11-15"  # open: the odds today
    assert table.loc["X4", "as_of"] == "2023-02-01"  # over: what was said when it was announced
    today = check_target("hub", year=2025, more_than=6000, outlooks=made)
    assert table.loc["X3", "probability"] == pytest.approx(today.probability)


# Shandong's plans of 23 February 2024 (real slugs, hand-made facts): more than 900 Central Asia trains (stated on
# two pages), and special trains to grow by more than 6 %, a part of Shandong with no figures of its own (Shandong
# grew by 304 a year from 2017 to 2023: 6.3 % in 2024).
PLANS = (
    ("CA1", "2024-01-01", "2024-12-31", "target", "900", "more_than", "", "2024-02-23"),
    ("CA2", "2024-01-01", "2024-12-31", "target", "900", "more_than", "", "2024-02-25"),
)
SPECIAL = ("SP", "2024-01-01", "2024-12-31", "target", "", "more_than", "6", "2024-02-23")
ROUTE = {2020: 530, 2021: 648, 2022: 739, 2023: 811}


def shandong(n_paths=2000):
    """Drift outlooks of Shandong (the hub's history), its Central Asia route and their plans."""
    frame = pd.concat(
        [
            facts(*YEARS, entity="shandong"),
            facts(*years(ROUTE, "R"), *PLANS, entity="shandong-central-asia"),
            facts(SPECIAL, entity="shandong-special-trains"),
        ],
        ignore_index=True,
    )
    return Outlooks(frame, model="drift", n_paths=n_paths, hierarchy=None)


def test_growth_of_an_entity_without_figures_is_its_parents_growth_widened():
    made = shandong()
    child = check_target("shandong-special-trains", year=2024, growth_pct=20, as_of="2024-02-23", outlooks=made)
    parent = check_target("shandong", year=2024, growth_pct=20, as_of="2024-02-23", outlooks=made)
    assert child.probability == pytest.approx(np.mean(child.values > 20))
    assert np.median(child.values) == pytest.approx(np.median(parent.values), abs=5)
    assert np.ptp(child.interval(80)) > np.ptp(parent.interval(80))
    # An absolute target needs a level: none is invented.
    absolute = check_target("shandong-special-trains", year=2024, at_least=100, as_of="2024-02-23", outlooks=made)
    assert np.isnan(absolute.probability)


def test_growth_target_compares_two_years_of_the_same_paths():
    result = check_target("hub", year=2024, growth_pct=5, as_of="2024-03-01", outlooks=outlooks(n_paths=400))
    assert result.target.kind == "growth"
    assert result.probability == pytest.approx(np.mean(result.values > 5))
    assert "base 2023" in result.method


def test_plans_are_answered_once_each():
    table = check_all_targets(outlooks=shandong(n_paths=300))
    assert len(table) == 2  # the plan on two pages is one target
    rows = {r.entity: r for r in table.itertuples()}
    route = rows["shandong-central-asia"]
    assert route.sources == "CA1;CA2" and route.threshold == 900 and route.comparison == "more_than"
    assert route.as_of == "2024-02-23"  # over by the data's date (2025-01-20): judged when first announced
    assert 0 < route.probability < 1  # 2023: 811, growing by 94 a year
    # No special-train figures exist at all: the row says so and answers from Shandong's growth, widened.
    special = rows["shandong-special-trains"]
    assert "no trains total of shandong-special-trains" in special.notes and "proxy" in special.notes
    assert special.method.startswith("growth of shandong") and 0 < special.probability < 1


def test_bundled_targets_each_have_an_answer_or_a_stated_reason():
    table = check_all_targets(model="drift", n_paths=300)
    assert len(table) == len(targets_from_facts(load_observations()))
    for row in table.itertuples():
        assert 0 <= row.probability <= 1 or (np.isnan(row.probability) and row.notes), row.target


def test_same_seed_same_answer():
    a = check_target("hub", year=2025, at_least=6000, outlooks=outlooks(n_paths=300, seed=7))
    b = check_target("hub", year=2025, at_least=6000, outlooks=outlooks(n_paths=300, seed=7))
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
    # Daily averages of 2024: 20 to June, 22 to 24 September, 25 to November (published after the as-of date)
    rates = facts(
        ("D1", "2024-01-01", "2024-06-30", "average", "20", "exact", "", "2024-07-05"),
        ("D2", "2024-01-01", "2024-09-24", "average", "22", "exact", "", "2024-09-25"),
        ("D3", "2024-01-01", "2024-11-30", "average", "25", "exact", "", "2024-12-05"),
        metric="trains_per_day",
    )
    made = Outlooks(pd.concat([facts(*YEARS), rates], ignore_index=True), model="drift", n_paths=200, hierarchy=None)
    result = check_target("hub", year=2024, at_least=8000, as_of="2024-10-01", outlooks=made)
    assert result.run_rate.stated_per_day == 22  # the latest known on 1 October
    assert result.run_rate.stated_source == "D2 (exact, 2024-01-01..2024-09-24)"


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
