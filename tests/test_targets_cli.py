"""``forecast target``: one target from flags, every target, JSON, and one-line errors with exit code 2."""

import json

import pytest
from typer.testing import CliRunner

from forecast.cli.main import app

pytestmark = pytest.mark.slow  # every test builds outlooks of bundled series

runner = CliRunner()


def test_one_target_as_json():
    result = runner.invoke(
        app,
        [
            "target",
            "xian",
            "--year",
            "2025",
            "--at-least",
            "5000",
            "--model",
            "drift",
            "--samples",
            "300",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout, parse_constant=_reject)  # strict JSON: no NaN or Infinity tokens
    assert payload["probability"] == 1.0 and payload["observed"] == 5063 and payload["as_of"] == "2025-12-31"
    assert payload["run_rate"]["remaining_days"] == 61
    # 2025 is only known as "at least 5,063" so far: open above (written as null), yet already past 5,000.
    assert payload["outcome_lo"] == 5062.5 and payload["outcome_hi"] is None and payload["met"] is True


def test_national_2025_is_built_on_the_first_quarter_and_matches_the_outlook():
    args = [
        "target",
        "national",
        "--metric",
        "trains",
        "--year",
        "2025",
        "--at-least",
        "20000",
        "--samples",
        "500",
        "--format",
        "json",
    ]
    payload = json.loads(runner.invoke(app, args).stdout)
    assert payload["observed_through"] >= "2025-03-31" and payload["observed"] >= 4250
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
    year = next(r for r in json.loads(predicted.stdout) if r["ds"].startswith("2025"))
    # one outlook: the target's interval is the outlook's band for the year, to the train
    assert (payload["lo_80"], payload["hi_80"]) == pytest.approx((year["lo_80"], year["hi_80"]), rel=1e-12)
    assert payload["expected"] < 20_000 < year["hi_95"]


def _reject(token):
    raise ValueError(f"not strict JSON: {token}")


def test_all_targets_table_names_shandong_plans():
    result = runner.invoke(app, ["target", "--all", "--model", "drift", "--samples", "200"])
    assert result.exit_code == 0, result.output
    assert "shandong-central-asia trains 2024 > 900" in result.stdout


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


def test_the_backtest_selected_model_answers_when_a_selection_is_given(tmp_path):
    selection = tmp_path / "selection.csv"
    selection.write_text("unique_id,model\nxian/trains/reported,theta\n")
    args = [
        "target",
        "xian",
        "--year",
        "2025",
        "--at-least",
        "6000",
        "--as-of",
        "2025-06-30",
        "--samples",
        "300",
        "--format",
        "json",
    ]
    result = runner.invoke(app, [*args, "--selection", str(selection)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["model"] == "selected" and payload["used"] == "theta"
    assert "backtest-selected model for xian/trains/reported: theta" in payload["notes"]
    unlisted = runner.invoke(app, [*args[:1], "wuhan", *args[2:], "--selection", str(selection)])
    assert "no backtest selection for wuhan/trains/reported: auto" in json.loads(unlisted.stdout)["notes"]
    missing = runner.invoke(app, [*args, "--model", "selected"])
    assert missing.exit_code == 2 and "needs a selection" in missing.stderr
