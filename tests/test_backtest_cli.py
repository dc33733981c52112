"""``forecast backtest``: JSON leaderboard parses, scores are written, bad input exits 2 and writes nothing."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app


def _run(*args):
    """Invoke ``forecast backtest ARGS`` through the real app."""
    return CliRunner().invoke(app, ["backtest", *map(str, args)])


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(1)
    rows = [
        (f"hub{i}", ds, v)
        for i in range(3)
        for ds, v in zip(pd.date_range("2012", periods=10, freq="YS"), 100 + np.cumsum(rng.normal(5, 4, 10)))
    ]
    path = tmp_path / "series.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(path, index=False)
    return path


def test_json_leaderboard_and_scores(csv, tmp_path):
    out, chosen = tmp_path / "scores.csv", tmp_path / "selection.csv"
    result = _run(
        csv,
        "--model",
        "naive",
        "--model",
        "drift",
        "--horizon",
        2,
        "--windows",
        3,
        "--paths",
        200,
        "--output",
        out,
        "--selection",
        chosen,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {row["model"] for row in payload["overall"]} == {"naive", "drift"}
    assert sorted(row["rank"] for row in payload["overall"]) == [1, 2]
    assert payload["config"]["series"] == 3
    steps = {(r["model"], r["step"]) for r in payload["per_horizon"]}
    assert steps == {(m, s) for m in ("naive", "drift") for s in (1, 2)}
    scores = pd.read_csv(out)
    assert len(scores) == 3 * 2 and {"mase", "crps", "coverage-95", "skill"} <= set(scores.columns)
    best = scores.loc[scores.groupby("unique_id")["mase"].idxmin()].set_index("unique_id")["model"]
    assert pd.read_csv(chosen).set_index("unique_id")["model"].to_dict() == best.to_dict()


def test_table_output_names_every_model(csv):
    result = _run(csv, "-m", "naive", "-m", "mean", "--horizon", 1, "--windows", 2, "--paths", 100)
    assert result.exit_code == 0, result.output
    assert "naive" in result.stdout and "mean" in result.stdout and "mase h=1" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["-m", "nope"], "unknown model 'nope'"),
        (["--horizon", 0], "h must be at least 1"),
        (["--rank-by", "coverage"], "--rank-by must be one of"),
    ],
)
def test_bad_options_exit_2_and_write_nothing(csv, tmp_path, args, message):
    out = tmp_path / "scores.csv"
    argv = [csv, "--output", out, *args] + ([] if "--horizon" in args else ["--horizon", 1])
    result = _run(*argv)
    assert result.exit_code == 2
    assert message in result.stderr and not out.exists()


def test_bad_files_exit_2(tmp_path):
    assert _run(tmp_path / "missing.csv", "--horizon", 1).exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("series,date,value\na,2020-01-01,1\n")
    result = _run(bad, "--horizon", 1)
    assert result.exit_code == 2 and "no column(s) unique_id, ds, y" in result.stderr


@pytest.mark.slow
def test_bundled_entity_series(tmp_path):
    result = _run(
        "--entity",
        "national",
        "--metric",
        "trains",
        "-m",
        "naive",
        "-m",
        "drift",
        "--horizon",
        2,
        "--windows",
        2,
        "--paths",
        200,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    ids = {row["unique_id"] for row in payload["per_series"]}
    assert ids and all(uid.startswith("national/trains/") for uid in ids)
    assert {row["model"] for row in payload["overall"]} == {"naive", "drift"}


@pytest.mark.slow
def test_unknown_entity_exits_2():
    result = _run("--entity", "atlantis", "--horizon", 1)
    assert result.exit_code == 2 and "atlantis" in result.stderr
