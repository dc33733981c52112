"""Reading facts as an analyst does, on hand-made facts: counting bases that do not chain, stale series that get no
outlook, priors that do not extrapolate a start-up boom, and an entity's own growth without its start-up jump."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts, years

from forecast.data.basis import bases_split, describe_break
from forecast.data.reconciliation import reconcile
from forecast.data.vintage import FactBase, known_on
from forecast.outlook import NoOutlook, Outlooks
from forecast.outlook.growth import pooled_growth
from forecast.outlook.prior import settled


def test_a_growth_rate_that_puts_last_year_on_another_basis_splits_the_series():
    # 2023: 5,351 stated; 2024: 4,985 "+25.1%" puts 2023 at 4985 / 1.251 = 3,985 — another way of counting
    data = facts(
        *years({2021: 3844, 2022: 4639, 2023: 5351}),
        ("N24", "2024-01-01", "2024-12-31", "total", "4985", "exact", "25.1", "2025-01-16"),
        ("N25", "2025-01-01", "2025-12-31", "total", "6037", "exact", "21.1", "2026-03-02"),
        ("Q25", "2025-01-01", "2025-03-31", "total", "1400", "exact", "", "2025-04-10"),
    )
    split, breaks = bases_split(data)
    basis = split.set_index("id")["basis"]
    assert basis[["Y2021", "Y2022", "Y2023"]].eq("reported-to-2023").all()
    assert basis[["N24", "N25", "Q25"]].eq("reported").all()
    (b,) = breaks.itertuples()
    assert (b.year, b.fact, b.stated) == (2024, "N24", 5351) and b.implied == pytest.approx(4985 / 1.251)
    assert "puts 2023 at 3,985 on that basis, against 5,351" in describe_break(b)
    vintage = FactBase(data).on("2026-03-31")
    current, earlier = vintage.series("hub", "trains"), vintage.series("hub", "trains", "reported-to-2023")
    assert current.annual.round().to_dict() == {2023: 3985, 2024: 4985, 2025: 6037}
    assert earlier.annual.to_dict() == {2021: 3844, 2022: 4639, 2023: 5351}
    # Before the rate that shows the break was published, nothing was split: what was known then, no more
    assert FactBase(data).on("2024-12-31").series("hub", "trains").annual.to_dict() == {
        2021: 3844,
        2022: 4639,
        2023: 5351,
    }


def test_rates_that_agree_with_last_year_split_nothing():
    data = facts(
        *years({2022: 4639}), ("N23", "2023-01-01", "2023-12-31", "total", "5351", "exact", "15.3", "2024-01-01")
    )
    split, breaks = bases_split(data)
    assert breaks.empty and split["basis"].eq("reported").all()


def test_a_stale_series_has_no_outlook_until_a_fact_speaks_of_the_year():
    old = facts(*years({2015: 100, 2016: 130, 2017: 150, 2018: 170}))
    outlooks = Outlooks(old, n_paths=200, hierarchy=None)
    with pytest.raises(
        NoOutlook, match="stale: hub/trains/reported was last known at 170 in 2018, more than 2 years before"
    ) as err:
        outlooks.get("hub", "trains", as_of="2021-03-01")
    assert err.value.stale and err.value.latest == (2018, 170)
    assert outlooks.get("hub", "trains", as_of="2020-03-01").years[0] == 2019  # two years on: still an outlook
    views, skipped = outlooks.every(as_of="2021-03-01")
    assert not views and skipped.set_index("unique_id").loc["hub/trains/reported", "latest_year"] == 2018
    # a year-to-date figure about the year in progress is an outlook again, conditioned on it
    fresh = facts(
        *years({2015: 100, 2016: 130, 2017: 150, 2018: 170}),
        ("Q", "2021-01-01", "2021-03-31", "total", "61", "exact", "", "2021-04-10"),
    )
    view = Outlooks(fresh, n_paths=200, hierarchy=None).get("hub", "trains", as_of="2021-04-30")
    assert view.year_paths(2021).min() >= 60.5
    # partial figures of the years between do not make the 2018 history a base for 2022's total
    recent = facts(
        *years({2015: 100, 2016: 130, 2017: 150, 2018: 170}),
        ("P", "2020-01-01", "2020-10-31", "total", "160", "exact", "", "2020-11-10"),
    )
    with pytest.raises(NoOutlook, match="stale"):
        Outlooks(recent, n_paths=200, hierarchy=None).get("hub", "trains", as_of="2022-03-01")


def test_a_prior_does_not_extrapolate_a_start_up_boom():
    history = pd.Series([194.0, 1235, 2133, 3720, 3844, 4639, 5351], index=range(2017, 2024))
    kept, note = settled(history)  # x6.4, then +73 %, +74 %, +3 %, +21 %, +15 %
    assert list(kept.index) == [2018, 2019, 2020, 2021, 2022, 2023]
    assert "a change of more than 100% into 2018 after 2017" in note
    doubled = pd.Series([100.0, 250, 260, 280], index=range(2020, 2024))  # x2.5 into 2021, then two calm years
    assert list(settled(doubled)[0].index) == [2021, 2022, 2023]
    calm = pd.Series([100.0, 120, 140, 150], index=range(2020, 2024))
    assert settled(calm) == (calm, None)
    ongoing = pd.Series([80.0, 308, 815, 1702, 3673], index=range(2013, 2018))  # the boom is the latest years
    assert settled(ongoing) == (ongoing, None)
    long = pd.Series([20.0, 194, 1235, 3720, 3844, 4100, 4400, 4639, 5000, 5351], index=range(2014, 2024))
    data = facts(*years(dict(zip(long.index, long.astype(int)))))
    view = Outlooks(data, n_paths=500, hierarchy=None, model="drift").get("hub", "trains", as_of="2024-02-01")
    assert "on 2017–2023" in view.method and any("history from 2017" in n for n in view.notes)
    # drift on the calm years (+272 a year), not on 2014-2023 (+592 a year)
    assert np.median(view.year_paths(2024)) == pytest.approx(5351 + (5351 - 3720) / 6, rel=0.03)


def test_an_entitys_own_growth_effect_leaves_its_start_up_jump_out():
    young = {2018: 11, 2019: 358, 2020: 394, 2021: 433}  # x33, then +10 % a year
    twin = {2019: 358, 2020: 394, 2021: 433}  # the same years without the start-up
    hubs = [facts(*years({2015 + k: round(1000 * 1.1**k) for k in range(7)}, prefix=f"{e}Y"), entity=e) for e in "abc"]
    data = pd.concat(
        [facts(*years(young), entity="young"), facts(*years(twin, prefix="T"), entity="twin"), *hubs],
        ignore_index=True,
    )
    pool = pooled_growth(FactBase(data).on("2022-06-30"), "trains")
    young_effect, twin_effect = pool.fit("young"), pool.fit("twin")
    assert young_effect.effect_mean == pytest.approx(twin_effect.effect_mean)
    assert young_effect.effect_sd == pytest.approx(twin_effect.effect_sd)


def test_one_fact_base_reconciles_each_date_as_a_fresh_reconciliation_would():
    # The facts of 2021-2023 are the "reported" series on 2024-12-31 and "reported-to-2023" once the 2024 rate
    # is out: the same fact ids on two bases, each reconciled as its own series by one memoising fact base.
    data = facts(
        *years({2021: 3844, 2022: 4639, 2023: 5351}),
        ("N24", "2024-01-01", "2024-12-31", "total", "4985", "exact", "25.1", "2025-01-16"),
    )
    base = FactBase(data)
    for day, uids in (
        ("2024-12-31", {"hub/trains/reported"}),
        ("2025-06-30", {"hub/trains/reported", "hub/trains/reported-to-2023"}),
    ):
        vintage = base.on(day)
        assert base.on(vintage) is vintage
        shared = vintage.reconciliation()
        fresh = reconcile(known_on(data, pd.Timestamp(day)))
        assert set(shared.series["unique_id"]) == uids
        pd.testing.assert_frame_equal(shared.series, fresh.series)
    earlier = base.on("2025-06-30").series("hub", "trains", "reported-to-2023")
    assert earlier.annual.to_dict() == {2021: 3844, 2022: 4639, 2023: 5351}
