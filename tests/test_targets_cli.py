"""``forecast target``: one target from flags, every target, JSON, and one-line errors with exit code 2 (on hubs of
the user's own with hand-made facts, and on the bundled data where a test says so)."""

import json

import pytest
from cli_runs import forecast, home_with_cache
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data import load_observations
from forecast.data.schema import COLUMNS
from forecast.data.vintage import data_as_of

pytestmark = pytest.mark.slow  # every test builds outlooks of bundled series

runner = CliRunner()


# Two hubs of the user's own (catalogue rows and facts in a fresh $FORECAST_HOME): testhub, known 2017-2024 and
# to October 2025 (Jan-Oct: 5,063, published 15 November 2025), with a plan of more than 6,000 in 2025; otherhub.
HISTORY = {2017: 3012, 2018: 3297, 2019: 3641, 2020: 3893, 2021: 4218, 2022: 4461, 2023: 4837, 2024: 5137}
OTHER = {2019: 812, 2020: 905, 2021: 1033, 2022: 1107, 2023: 1262, 2024: 1318}


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory, bundled_rec):
    home = home_with_cache(tmp_path_factory.mktemp("hubs") / "home")
    (home / "entities.csv").write_text("slug,name,kind,parents\ntesthub,Test hub,hub,\notherhub,Other hub,hub,\n")
    rows = [
        (f"{e[0].upper()}{y}", e, f"{y}-01-01", f"{y}-12-31", v, f"{y + 1}-01-20")
        for e, values in (("testhub", HISTORY), ("otherhub", OTHER))
        for y, v in values.items()
    ]
    rows.append(("S25", "testhub", "2025-01-01", "2025-10-31", 5063, "2025-11-15"))
    lines = [
        f"{i},{e},trains,{a},{b},total,{v},trains,exact,,https://{i.lower()}.example,{p},test"
        for i, e, a, b, v, p in rows
    ]
    lines.append(
        "P25,testhub,trains,2025-01-01,2025-12-31,target,6000,trains,more_than,,https://p25.example,2025-01-20,"
    )
    (home / "observations.csv").write_text("\n".join([",".join(COLUMNS), *lines]) + "\n")
    return home


def test_one_target_as_json(hub_home):
    args = ["target", "testhub", "--year", "2025", "--at-least", "5000", "--as-of", "2025-11-30", "--model", "drift"]
    result = forecast(hub_home, *args, "--samples", "300", "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout, parse_constant=_reject)  # strict JSON: no NaN or Infinity tokens
    assert payload["probability"] == 1.0 and payload["observed"] == 5063 and payload["as_of"] == "2025-11-30"
    assert payload["run_rate"]["remaining_days"] == 61  # November (30) + December (31)
    # 2025 is only known as "at least 5,063" so far: open above (written as null), yet already past 5,000.
    assert payload["outcome_lo"] == 5062.5 and payload["outcome_hi"] is None and payload["met"] is True


def test_bundled_national_year_in_progress_target_matches_the_outlook():
    year = data_as_of(load_observations()).year  # the year in progress as of the data's date
    predicted = runner.invoke(
        app,
        [
            "predict",
            "--entity",
            "national",
            "--metric",
            "trains",
            "--basis",
            "reported",
            "--horizon",
            "6",
            "--samples",
            "500",
            "--format",
            "json",
        ],
    )
    row = next(r for r in json.loads(predicted.stdout) if r["ds"].startswith(str(year)))
    assert row["status"] == "in progress"
    threshold = round(row["median"])  # a target the outlook leaves open
    args = ["target", "national", "--metric", "trains", "--year", str(year), "--at-least", str(threshold)]
    payload = json.loads(runner.invoke(app, [*args, "--samples", "500", "--format", "json"]).stdout)
    # one outlook: the target's interval is the outlook's band for the year, to the train
    assert (payload["lo_80"], payload["hi_80"]) == pytest.approx((row["lo_80"], row["hi_80"]), rel=1e-12)
    assert payload["expected"] == pytest.approx(row["mean"], rel=1e-12)
    assert row["lo_95"] < threshold < row["hi_95"] and 0 < payload["probability"] < 1
    if payload["observed"] is not None:  # what ran so far this year, and every path keeps it
        assert payload["observed_through"].startswith(str(year)) and row["lo_95"] >= payload["observed"] - 0.5


def _reject(token):
    raise ValueError(f"not strict JSON: {token}")


def test_all_targets_table_names_the_users_plans(hub_home):
    result = forecast(hub_home, "target", "--all", "--model", "drift", "--samples", "200")
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if line.startswith("testhub trains 2025 > 6000 ")]
    assert "%" in row  # answered with a probability


def test_user_targets_file_with_bad_row_exits_2(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("entity,year,comparison,value\nxian,2025,at_least,many\n")
    result = runner.invoke(app, ["target", "--all", "--targets", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: value: not a number: 'many'" in result.stderr


def test_bad_input_is_one_line_and_exit_2():
    for args in (
        ["target", "atlantis", "--year", "2024", "--at-least", "1"],
        ["target", "xian", "--year", "2024", "--at-least", "1", "--as-of", "2024-13-01"],
        ["target", "xian", "--at-least", "1"],
        ["target"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


def test_the_backtest_selected_model_answers_when_a_selection_is_given(tmp_path, hub_home):
    selection = tmp_path / "selection.csv"
    selection.write_text("unique_id,model\ntesthub/trains/reported,theta\n")
    args = ["target", "testhub", "--year", "2025", "--at-least", "6000", "--as-of", "2025-06-30", "--samples", "300"]
    result = forecast(hub_home, *args, "--format", "json", "--selection", selection)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["model"] == "selected" and payload["used"] == "theta"  # eight years: enough for theta
    assert "backtest-selected model for testhub/trains/reported: theta" in payload["notes"]
    unlisted = forecast(hub_home, *args[:1], "otherhub", *args[2:], "--format", "json", "--selection", selection)
    assert "no backtest selection for otherhub/trains/reported: auto" in json.loads(unlisted.stdout)["notes"]
    missing = forecast(hub_home, *args, "--model", "selected")
    assert missing.exit_code == 2 and "needs a selection" in missing.stderr
