"""``forecast data list/show/conflicts`` on the bundled data (machine-readable output parsed back)."""

import json

import pytest
from typer.testing import CliRunner

from forecast.cli.main import app

pytestmark = pytest.mark.slow  # every test reconciles the bundled data
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["data", *args])


def test_list_shows_the_nation_hubs_and_ports(bundled_rec):
    result = run("list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["entity"]: r for r in json.loads(result.output)}
    assert {"national", "xian", "alashankou", "khorgos", "xinjiang-ports"} <= set(rows)
    assert rows["national"]["kind"] == "national" and rows["alashankou"]["kind"] == "port"
    assert rows["xian"]["conflicts"] == int((bundled_rec.conflicts["entity"] == "xian").sum())


def test_show_gives_values_intervals_and_sources(bundled_rec):
    result = run("show", "Xi'an (Chang'an)", "--metric", "trains", "--basis", "reported", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["ds"]: r for r in json.loads(result.output)}
    assert rows["2023"]["y"] == 5351 and rows["2023"]["sources"] == "H0369"
    assert rows["2025"]["y"] is None and rows["2025"]["y_hi"] is None and rows["2025"]["y_lo"] > 5000
    table = run("show", "xian", "--metric", "trains")
    assert "H0369: https://" in table.output


def test_conflicts_and_bad_input():
    result = run("conflicts", "xian", "--format", "csv")
    assert result.exit_code == 0 and "H0379" in result.output
    unknown = run("show", "atlantis")
    assert unknown.exit_code == 2 and unknown.output.strip().startswith("error: unknown entity 'atlantis'")
    bad_metric = run("show", "xian", "--metric", "bananas")
    assert bad_metric.exit_code == 2 and "unknown metric 'bananas'" in bad_metric.output
    bad_rule = run("conflicts", "--rule", "vote")
    assert bad_rule.exit_code == 2 and "unknown conflict rule" in bad_rule.output
