"""``forecast data list/show/conflicts`` (machine-readable output parsed back): on the bundled data, and on a hub of the
user's own whose facts are worked out by hand."""

import csv
import io
import json

import pytest
from cli_runs import forecast, home_with_cache
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data.schema import COLUMNS

pytestmark = pytest.mark.slow  # every test reconciles the bundled data
runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["data", *args])


def test_bundled_list_shows_the_nation_hubs_and_ports(bundled_rec):
    result = run("list", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["entity"]: r for r in json.loads(result.output)}
    assert {"national", "xian", "alashankou", "khorgos", "xinjiang-ports"} <= set(rows)
    assert rows["national"]["kind"] == "national" and rows["alashankou"]["kind"] == "port"
    assert rows["xian"]["conflicts"] == int((bundled_rec.conflicts["entity"] == "xian").sum())


# A hub of the user's own (its catalogue row and facts in a fresh $FORECAST_HOME): 2022 stated twice, 4,639 and an
# older 9,999 (one source each: the newer wins the tie-break), 2023 and 2024 stated exactly, 2025 known to October.
HUB_FACTS = [
    ("X22", "2022-01-01", "2022-12-31", "9999", "2023-01-05"),
    ("Y22", "2022-01-01", "2022-12-31", "4639", "2023-01-20"),
    ("Y23", "2023-01-01", "2023-12-31", "5351", "2024-01-20"),
    ("Y24", "2024-01-01", "2024-12-31", "4985", "2025-01-20"),
    ("S25", "2025-01-01", "2025-10-31", "5063", "2025-11-15"),
]


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory, bundled_rec):
    home = home_with_cache(tmp_path_factory.mktemp("hub") / "home")
    (home / "entities.csv").write_text("slug,name,kind,parents\ntesthub,Test hub,hub,\n")
    lines = [
        f"{i},testhub,trains,{start},{end},total,{value},trains,exact,,https://{i.lower()}.example,{published},test"
        for i, start, end, value, published in HUB_FACTS
    ]
    (home / "observations.csv").write_text("\n".join([",".join(COLUMNS), *lines]) + "\n")
    return home


def test_show_gives_values_intervals_and_sources(hub_home):
    result = forecast(
        hub_home, "data", "show", "Test hub", "--metric", "trains", "--basis", "reported", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = {r["ds"]: r for r in json.loads(result.output)}
    assert (rows["2023"]["y"], rows["2023"]["y_lo"], rows["2023"]["y_hi"]) == (5351, 5350.5, 5351.5)
    assert rows["2023"]["sources"] == "Y23"
    # 2025: Jan-Oct 5,063 (±0.5) and nothing above it: no value, open above (null), at least 5,062.5
    assert rows["2025"]["y"] is None and rows["2025"]["y_hi"] is None and rows["2025"]["y_lo"] == 5062.5
    table = forecast(hub_home, "data", "show", "testhub", "--metric", "trains")
    assert "Y23: https://y23.example" in table.output


def test_conflicts_and_bad_input(hub_home):
    result = forecast(hub_home, "data", "conflicts", "testhub", "--format", "csv")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.output))  # the older 9,999 set aside against the newer 4,639,
    assert (row["fact_ids"], row["against"]) == ("X22", "Y22")  # missing by 9,998.5 - 4,639.5 = 5,359
    assert float(row["violation"]) == pytest.approx(5359)
    unknown = run("show", "atlantis")
    assert unknown.exit_code == 2 and unknown.output.strip().startswith("error: unknown entity 'atlantis'")
    bad_metric = run("show", "xian", "--metric", "bananas")
    assert bad_metric.exit_code == 2 and "unknown metric 'bananas'" in bad_metric.output
    bad_rule = run("conflicts", "--rule", "vote")
    assert bad_rule.exit_code == 2 and "unknown conflict rule" in bad_rule.output
