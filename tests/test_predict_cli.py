"""``forecast predict`` end to end: CSV in, wide table out (atomically), bundled series, one-line errors."""

import io
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data import load_observations
from forecast.data.vintage import data_as_of


def run(*args):
    return CliRunner().invoke(app, ["predict", *map(str, args)])


@pytest.fixture
def csv(tmp_path):
    rows = [("a", f"{2010 + i}-01-01", 10 + 3 * i + (i % 2)) for i in range(10)]
    rows += [("b", f"{2016 + i}-01-01", v) for i, v in enumerate([4.0, 5.0])]
    path = tmp_path / "in.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(path, index=False)
    return path


def test_csv_to_csv_with_columns_named_as_typed(csv, tmp_path):
    out = tmp_path / "out.csv"
    result = run(
        csv, "--horizon", 3, "--model", "auto", "--model", "Theta", "--level", 90, "--samples", 200, "--output", out
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == [
        "unique_id",
        "ds",
        "auto",
        "auto-lo-90",
        "auto-hi-90",
        "Theta",
        "Theta-lo-90",
        "Theta-hi-90",
    ]
    assert len(table) == 6 and table.notna().all().all()
    assert table[table.unique_id == "a"]["ds"].tolist() == ["2020-01-01", "2021-01-01", "2022-01-01"]
    assert (table["auto-lo-90"] <= table["auto"]).all() and (table["auto"] <= table["auto-hi-90"]).all()
    # 2 points: below theta's minimum of 3 and drift's, so naive (whose error scale needs 2 points) answers
    assert (
        "fallback: b Theta -> naive: theta: needs at least 3 points, got 2; drift: needs at least 3 points"
        in result.stderr
    )
    assert not list(tmp_path.glob(".out.csv.*"))  # no temporary file left behind


def test_default_model_is_auto_and_json_goes_to_stdout(csv):
    result = run(csv, "--horizon", 2, "--samples", 100, "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 4 and {"auto", "auto-lo-80", "auto-hi-95"} <= set(records[0])


def test_other_column_names_and_same_seed_same_output(tmp_path):
    path = tmp_path / "custom.csv"
    pd.DataFrame(
        {
            "hub": ["x"] * 8,
            "month": pd.date_range("2020-01", periods=8, freq="MS").astype(str),
            "trains": [5, 6, 7, 6, 8, 9, 8, 10],
        }
    ).to_csv(path, index=False)
    args = [
        path,
        "--horizon",
        2,
        "--model",
        "drift",
        "--id-col",
        "hub",
        "--ds-col",
        "month",
        "--y-col",
        "trains",
        "--format",
        "csv",
        "--seed",
        3,
    ]
    first, second = run(*args), run(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert "2020-09-01" in first.stdout


@pytest.mark.slow
def test_bundled_entity_series_is_its_outlook_from_the_as_of_date():
    year = str(data_as_of(load_observations()).year)  # the year in progress as of the data's date
    result = run("--entity", "xian", "--metric", "trains", "--horizon", 5, "--samples", 400, "--format", "json")
    assert result.exit_code == 0, result.output
    records = {(r["unique_id"], r["ds"][:4]): r for r in json.loads(result.stdout)}
    assert records and all(uid.startswith("xian/trains/") for uid, _ in records)
    now = records[("xian/trains/reported", year)]
    assert now["status"] == "in progress" and now["lo_80"] <= now["median"] <= now["hi_80"]
    if now["observed"] is not None:  # what the facts say ran so far this year: every path starts from it
        assert now["observed_through"].startswith(year) and now["lo_95"] >= now["observed"] - 0.5
    assert all(r["lo_80"] > 0 for r in records.values())  # no point mass at zero for a hub running thousands
    assert "latest full year" in result.stderr
    csv_out = run("--entity", "xian", "--metric", "trains", "--horizon", 2, "--samples", 100, "--format", "csv")
    assert f"{year}-01-01" in csv_out.stdout and "T00" not in csv_out.stdout


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--model", "bogus"], "unknown model 'bogus'"),
        (["--y-col", "value"], "no column(s) value"),
        (["--level", "120"], "level must be between 0 and 100"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(csv, tmp_path, extra, message):
    out = tmp_path / "out.csv"
    result = run(csv, "--horizon", 2, *extra, "--output", out)
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_missing_and_malformed_files_exit_2(tmp_path):
    missing = run(tmp_path / "nope.csv", "--horizon", 2)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("unique_id,ds,y\na,2020-01-01,1\na,not-a-date,2\n")
    result = run(bad, "--horizon", 2)
    assert result.exit_code == 2 and "unparseable date" in result.stderr


@pytest.mark.parametrize(
    "body, message",
    [
        ("unique_id,ds,y\na,2020-01-01,1\na,2021-01-01,abc\na,2022-01-01,3\n", "bad.csv:3: y: not a number: 'abc'"),
        (
            "unique_id,ds,y\na,2020-01-01,1\na,2021-01-01,-5\na,2022-01-01,3\n",
            "bad.csv:3: y: negative value -5: counts cannot be negative",
        ),
        (
            "unique_id,ds,y\na,2020-01-01,1\na,2021-01-01,2\n\nb,2021-01-01,7\n",
            "bad.csv:5: y: series 'b' has 1 observed value(s); at least 2 are needed",
        ),
        (
            "unique_id,ds,y\na,2020-01-01,1\na,2020-01-01,2\n",
            "bad.csv:3: ds: series 'a' has a second value at 2020-01-01",
        ),
        ("unique_id,ds,y\n,2020-01-01,1\n", "bad.csv:2: unique_id: empty series id"),
        ('unique_id,ds,y\na,2020-01-01,1\na,2021-01-01,"2\n', "bad.csv: cannot read CSV"),
        ("", "bad.csv: cannot read CSV"),
    ],
)
def test_bad_rows_name_file_line_and_field_exit_2_and_write_nothing(tmp_path, body, message):
    bad, out = tmp_path / "bad.csv", tmp_path / "out.csv"
    bad.write_text(body)
    result = run(bad, "--horizon", 2, "--output", out)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_blank_values_are_gaps_and_negatives_can_be_allowed(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("unique_id,ds,y\na,2020-01-01,5\na,2021-01-01,\na,2022-01-01,-1\na,2023-01-01,2\n")
    result = run(path, "--horizon", 1, "--model", "naive", "--allow-negative", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "filled 1 missing value(s)" in result.stderr
    assert json.loads(result.stdout)[0]["ds"].startswith("2024-01-01")


def test_needs_exactly_one_source(csv):
    assert run("--horizon", 2).exit_code == 2
    assert run(csv, "--entity", "xian", "--horizon", 2).exit_code == 2


@pytest.mark.slow
def test_selection_from_a_backtest_forecasts_each_series_with_its_own_model(tmp_path):
    rows = [("up", f"{2010 + i}-01-01", 10.0 + 5 * i + (i % 3)) for i in range(12)]
    rows += [("flat", f"{2010 + i}-01-01", 50.0 + (-1) ** i) for i in range(12)]
    data = tmp_path / "in.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(data, index=False)
    selection = tmp_path / "sel.csv"
    backtest = CliRunner().invoke(
        app,
        [
            "backtest",
            str(data),
            "--horizon",
            "1",
            "--windows",
            "3",
            "--model",
            "naive",
            "--model",
            "drift",
            "--model",
            "mean",
            "--paths",
            "100",
            "--selection",
            str(selection),
        ],
    )
    assert backtest.exit_code == 0, backtest.output
    chosen = dict(pd.read_csv(selection)[["unique_id", "model"]].to_numpy())
    assert chosen["up"] == "drift" and chosen["flat"] == "mean"
    result = run(data, "--horizon", 2, "--selection", selection, "--samples", 200, "--format", "csv")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout)).set_index(["unique_id", "ds"])
    for uid, model in chosen.items():
        alone = pd.read_csv(
            io.StringIO(run(data, "--horizon", 2, "--model", model, "--samples", 200, "--format", "csv").stdout)
        ).set_index(["unique_id", "ds"])
        np.testing.assert_allclose(table.loc[uid, "selected"], alone.loc[uid, model])
    assert run(data, "--horizon", 2, "--model", "selected").exit_code == 2  # no selection given


def test_a_model_with_parameters_gets_its_column_and_a_bad_one_a_one_line_error(csv, tmp_path):
    out = tmp_path / "out.csv"
    result = run(
        csv,
        "--horizon",
        2,
        "--model",
        "lags(regressor=gbr, n_lags=4)",
        "--level",
        80,
        "--samples",
        100,
        "--output",
        out,
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert "lags(regressor=gbr, n_lags=4)-hi-80" in table.columns
    assert table.loc[table.unique_id == "a", "lags(regressor=gbr, n_lags=4)"].notna().all()
    bad = run(csv, "--horizon", 2, "--model", "lags(n_lags=4, depth=2)")
    assert bad.exit_code == 2
    assert bad.stderr.strip().splitlines() == [
        "error: model 'lags' has no parameter depth; its parameters: regressor, n_lags, strategy, max_horizon"
    ]
