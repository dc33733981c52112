"""Target definitions: target facts (hand-made, and a property of the bundled ones), the user targets file
(file:line errors) and keyword flags."""

import pandas as pd
import pytest
from hand_facts import facts

from forecast.data import load_observations
from forecast.errors import InputError, ValidationError
from forecast.targets import read_targets_csv, targets_from_facts, year_target


def test_targets_merge_duplicate_sources_and_map_qualifiers():
    plans = facts(
        ("T1", "2024-01-01", "2024-12-31", "target", "900", "more_than", "", "2024-03-01"),
        ("T2", "2024-01-01", "2024-12-31", "target", "900", "more_than", "", "2024-02-23"),  # the same plan again
        ("G", "2024-01-01", "2024-12-31", "target", "", "more_than", "20", "2024-02-23"),  # "grow by more than 20%"
        ("E", "2017-01-01", "2017-12-31", "target", "1000", "exact", "", "2017-01-05"),  # "expected 1000 trains"
        ("Y", "2023-01-01", "2023-12-31", "total", "812", "exact", "", "2024-01-20"),  # not a target
    )
    expected, plan, growth = sorted(targets_from_facts(plans), key=lambda t: (t.kind, t.period_end))
    assert (expected.sources, plan.sources, growth.sources) == (("E",), ("T1", "T2"), ("G",))
    assert plan.published == pd.Timestamp("2024-02-23")  # the first of its pages
    assert plan.comparison == "more_than" and bool(plan.met_by(901)) and not plan.met_by(900)
    assert growth.kind == "growth" and growth.growth_pct == 20 and growth.base_end == pd.Timestamp("2023-12-31")
    assert expected.comparison == "at_least" and bool(expected.met_by(1000)) and not expected.met_by(999)


GOAL = ["entity", "metric", "period_start", "period_end", "value"]


def test_bundled_target_facts_each_belong_to_one_target_of_their_own_goal():
    observations = load_observations(include_user=False)
    stated = observations[observations["kind"] == "target"].set_index("id")
    targets = targets_from_facts(observations)
    assert sorted(i for t in targets for i in t.sources) == sorted(stated.index)
    for target in targets:
        goal = stated.loc[list(target.sources), GOAL]
        assert len(goal.drop_duplicates()) == 1 and goal["entity"].iloc[0] == target.entity, target.sources


def test_year_target_from_flags():
    target = year_target("xian", 2025, at_most=7000)
    assert (target.period_start, target.period_end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
    assert bool(target.met_by(7000)) and not target.met_by(7001)
    assert target.label == "xian trains 2025 <= 7000"
    with pytest.raises(InputError, match="exactly one"):
        year_target("xian", 2025, at_least=1, more_than=2)


def test_targets_file_reads_absolute_and_growth_rows(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        "entity,metric,year,comparison,value,growth_pct,label\n"
        "xian,trains,2025,at_least,6000,,Xi'an six thousand\n"
        "shandong,trains,2024,,,10,\n"
    )
    first, second = read_targets_csv(path)
    assert first.value == 6000 and first.label == "Xi'an six thousand" and first.sources == ("line 2",)
    assert second.kind == "growth" and second.base_start == pd.Timestamp("2023-01-01")


def test_targets_file_bad_rows_are_reported_with_file_line_and_field(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(
        "entity,metric,year,comparison,value\n"
        "xian,trains,2025,at_least,6000\n"
        "xian,trains,2025,at_least,lots\n"
        "xian,trains,2025,roughly,10\n"
    )
    with pytest.raises(ValidationError) as err:
        read_targets_csv(path)
    assert err.value.problems == [
        f"{path}:3: value: not a number: 'lots'",
        f"{path}:4: comparison: 'roughly' is not one of more_than, at_least, exact, about, nearly, at_most",
    ]
    assert str(err.value) == f"{path}:3: value: not a number: 'lots' (+1 more)"


def test_targets_file_unknown_column(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("entity,yaer,value\nxian,2025,1\n")
    with pytest.raises(ValidationError, match=r":1: header: unknown column .yaer."):
        read_targets_csv(path)


def test_key_names_the_target_not_its_label():
    from dataclasses import replace

    plan = year_target("shandong", 2024, "trains", at_least=2500)
    renamed = replace(plan, label="Qilu plan for 2024")
    assert renamed.key == plan.key and renamed.label != plan.label
    assert replace(plan, value=2600.0).key != plan.key
    assert (
        year_target("shandong", 2024, "trains", growth_pct=5).key
        != year_target("shandong", 2024, "trains", growth_pct=6).key
    )


def test_targets_file_is_read_as_observation_files_are(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_bytes(
        "\ufeffentity,period_start,period_end,comparison,value\n"
        'xian,2025-01-01,2025-06-30,at_least,"3,000"\n'
        "xian,2025-01-01,30/06/2025,at_least,3000\n".encode()
    )  # BOM dropped, thousands separator read
    with pytest.raises(ValidationError) as err:
        read_targets_csv(path)
    assert err.value.problems == [f"{path}:3: period_end: unparseable date '30/06/2025' (expected YYYY-MM-DD)"]
    path.write_bytes(path.read_bytes().rsplit(b"\n", 2)[0] + b"\n")
    (target,) = read_targets_csv(path)
    assert target.value == 3000 and target.period_end == pd.Timestamp("2025-06-30")
