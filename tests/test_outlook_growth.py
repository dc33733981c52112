"""Short histories: growth that slows with size, each entity's own record, and paths that follow both."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hand_facts import facts

from forecast.data.vintage import FactBase
from forecast.outlook.growth import BOOM, DRIFT, GrowthModel, GrowthPool, growth_paths, pooled_growth
from forecast.targets.outcome import outcome_label


def synthetic_pool(effects: dict[str, float], a=2.0, b=-0.2, noise=0.05, years=8, seed=0) -> GrowthPool:
    """Entities growing by a + b·log(level) + their effect + noise, from different starting sizes."""
    rng = np.random.default_rng(seed)
    entity, level, growth = [], [], []
    for k, (name, effect) in enumerate(effects.items()):
        x = 3.0 + k
        for _ in range(years):
            g = a + b * x + effect + noise * rng.standard_normal()
            entity.append(name), level.append(x), growth.append(g)
            x += g
    return GrowthPool(np.array(entity), np.array(level), np.array(growth))


def test_without_entity_effects_the_fit_is_least_squares_on_size():
    pool = synthetic_pool({"a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0})
    model = pool.fit("a")
    reference = sm.OLS(pool.growth, sm.add_constant(pool.log_level)).fit()
    np.testing.assert_allclose(model.coef, reference.params, atol=0.02)
    assert model.coef[1] == pytest.approx(-0.2, abs=0.03)


def test_an_entity_that_grew_faster_keeps_part_of_its_lead():
    # Settled growth (every rate between 3 % and 37 % a year, no regime change: an entity's own effect is read
    # from its settled rates); "fast" grows 0.1 a year (log) faster than the size-dependent growth
    effects = {"fast": 0.1, "b": 0.0, "c": -0.025, "d": 0.025, "e": -0.05, "f": 0.0}
    pool = synthetic_pool(effects, a=0.3, b=-0.03, noise=0.0125)
    assert np.all(np.abs(pool.growth) <= np.log1p(BOOM))
    fast, newcomer = pool.fit("fast"), pool.fit("someone new")
    assert fast.method == newcomer.method == "mixed"
    assert 0.05 < fast.effect_mean <= 0.1125  # shrunk towards zero, not past its own record (0.1 + one noise sd)
    assert fast.effect_sd < newcomer.effect_sd  # eight own rates say more than none
    assert newcomer.effect_mean == 0.0


def test_paths_follow_the_size_dependent_growth_at_its_drift():
    model = GrowthModel(np.array([2.0, -0.2]), np.zeros((2, 2)), 0.0, 0.0, 0.1, "ols")
    rng = np.random.default_rng(0)
    small = growth_paths(model, np.exp(5.0), 2, 20000, rng)
    large = growth_paths(model, np.exp(8.0), 1, 20000, rng)
    first = 5.0 + DRIFT * (2.0 - 0.2 * 5.0)
    assert np.median(np.log(small[:, 0])) == pytest.approx(first, abs=0.01)
    # The second step grows from the new, larger level.
    assert np.median(np.log(small[:, 1])) == pytest.approx(first + DRIFT * (2.0 - 0.2 * first), abs=0.01)
    assert np.median(np.log(large[:, 0])) - 8.0 < np.median(np.log(small[:, 0])) - 5.0
    assert np.all(small > 0)


def test_a_positive_size_slope_is_never_used():
    model = GrowthModel(np.array([0.1, 0.05]), np.zeros((2, 2)), 0.0, 0.0, 0.0, "ols")
    paths = growth_paths(model, np.exp(6.0), 1, 10, np.random.default_rng(0))
    np.testing.assert_allclose(np.log(paths[:, 0]), 6.0 + DRIFT * 0.1)  # slope capped at 0: whatever the size


@pytest.mark.slow
def test_the_pool_reads_the_reconciled_series_of_the_date():
    # The hub's 2015: 1,137 trains "up 13.7 %" — the reconciliation fills 2014 in (1,137 / 1.137 = 1,000, within
    # [1136.5 / 1.1371, 1137.5 / 1.1369] = [999.5, 1000.5]: pinned), so the pool
    # holds the rate without a fact stating 2014 itself; 2016's 1,300, published after the date, is not in it.
    hub = [
        ("H15", "2015-01-01", "2015-12-31", "total", "1137", "exact", "13.7", "2016-01-20"),
        ("H16", "2016-01-01", "2016-12-31", "total", "1300", "exact", "", "2017-01-20"),
    ]
    old = [
        (f"O{y}", f"{y}-01-01", f"{y}-12-31", "total", v, "exact", "", f"{y + 1}-01-20")
        for y, v in [(2013, "500"), (2014, "553")]
    ]
    data = pd.concat([facts(*hub), facts(*old, entity="old")], ignore_index=True)
    pool = pooled_growth(FactBase(data).on("2016-02-21"), "trains")
    rates = [(x, g) for e, x, g in zip(pool.entity, pool.log_level, pool.growth) if e == "hub"]
    assert len(rates) == 1 and rates[0][1] == pytest.approx(np.log(1.137), abs=0.001)
    assert np.exp(rates[0][0]) == pytest.approx(1000, rel=0.001)
    assert sorted(np.exp(pool.growth)) == pytest.approx([553 / 500, 1.137], abs=0.001)


@pytest.mark.parametrize(
    "point, lo, hi, text",
    [
        (1850.0, 1800.0, 3016.0, "1,850"),
        (None, 1800.0, 3016.0, "1,800 – 3,016"),
        (np.nan, 5063.0, np.inf, "≥ 5,063"),
        (None, 0.0, 162.2, "≤ 162"),
        (None, 0.0, np.inf, ""),
        (None, None, None, ""),
    ],
)
def test_outcome_reads_as_what_the_facts_allow(point, lo, hi, text):
    assert outcome_label(point, lo, hi) == text


def test_reconciled_series_are_memoised_by_their_facts():
    known = facts(
        ("Y23", "2023-01-01", "2023-12-31", "total", "4837", "exact", "", "2024-01-20"),
        ("S25", "2025-01-01", "2025-10-31", "total", "5063", "exact", "", "2025-11-15"),
    )
    base = FactBase(known)
    first = base.on("2024-06-30").series("hub", "trains")
    again = base.on("2024-07-01").series("hub", "trains")
    assert again is first  # no fact was published on 1 July 2024: one reconciliation serves both dates
    assert base.on("2025-12-31").series("hub", "trains") is not first


def test_a_handful_of_rates_gives_their_mean_with_student_t_tails():
    pool = GrowthPool(np.array(["a", "a", "b", "c"]), np.array([3.0, 4.0, 5.0, 6.0]), np.array([0.9, 0.5, 0.7, 0.3]))
    model = pool.fit("a")
    assert model.method == "mean" and model.dof == 3
    np.testing.assert_allclose(model.coef, [0.6, 0.0])
    assert model.noise_sd == pytest.approx(np.std([0.9, 0.5, 0.7, 0.3], ddof=1))
    paths = growth_paths(model, 100.0, 1, 100_000, np.random.default_rng(0))[:, 0]
    z = np.log(paths / 100.0) - 0.6
    # Heavier tails than a Gaussian of the same scale: more than 2% of draws beyond 2.33 scale units.
    assert np.mean(np.abs(z) > 2.33 * model.noise_sd) > 0.04
