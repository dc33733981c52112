"""``forecast run`` end to end on a slice of the bundled data: one vintage per data release, idempotent re-runs."""

import csv

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.paths import bundled
from forecast.pipeline import RunSettings, run_pipeline
from forecast.store import list_runs, read_table

pytestmark = pytest.mark.slow  # whole runs

ENTITIES = {"xian", "xinjiang-ports", "wuhan"}
FAST = RunSettings(horizon=3, models=("naive", "drift", "theta"), windows=2, n_paths=200)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The bundled facts of three entities, as a data file, and a later release adding one fact."""
    folder = tmp_path_factory.mktemp("data")
    rows = list(csv.reader(open(bundled("observations.csv"), encoding="utf-8")))
    first = folder / "release-1.csv"
    with open(first, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([rows[0]] + [r for r in rows[1:] if r[1] in ENTITIES])
    update = folder / "release-2.csv"
    update.write_text(
        ",".join(rows[0]) + "\nU9001,xian,trains,2025-01-01,2025-11-30,total,5623,trains,exact,,"
        "https://example.org/xian,2025-12-10,Jan-Nov 2025 (test release)\n",
        encoding="utf-8",
    )
    return first, update


def test_two_releases_make_two_vintages_and_reruns_add_nothing(release, tmp_path):
    first, update = release
    store, reports = tmp_path / "store.duckdb", tmp_path / "report"
    one = run_pipeline([first], store, reports, FAST, progress=False)
    assert one.created and one.report_html.exists() and one.report_md.exists()
    forecasts = read_table(store, "forecasts", one.run_id)
    assert set(forecasts["unique_id"]) >= {"xian/trains/reported", "wuhan/trains/reported"}
    annual = forecasts[forecasts["freq"] == "annual"]
    xian = annual[annual["unique_id"] == "xian/trains/reported"].set_index("ds")
    # The year in progress is the outlook's: 5,063 trains ran through October (S0005), so no band starts below.
    assert xian.loc[pd.Timestamp("2025-01-01"), "status"] == "in progress"
    assert (
        xian.loc[pd.Timestamp("2025-01-01"), "lo_95"] >= 5062.5 and (annual["as_of"] == annual["as_of"].iloc[0]).all()
    )
    assert (forecasts["q10"] >= 0).all() and (forecasts["q10"] <= forecasts["q50"] + 1e-9).all()
    assert (forecasts["lo_95"] <= forecasts["lo_80"] + 1e-9).all() and (
        forecasts["hi_80"] <= forecasts["hi_95"] + 1e-9
    ).all()
    again = run_pipeline([first], store, reports, FAST, progress=False)
    assert again.run_id == one.run_id and not again.created and len(list_runs(store)) == 1
    two = run_pipeline([first, update], store, reports, FAST, progress=False)
    assert two.created and two.run_id != one.run_id and len(list_runs(store)) == 2
    series = read_table(store, "series", two.run_id)
    xian_2025 = series[(series["unique_id"] == "xian/trains/reported") & (series["ds"].astype(str) == "2025-01-01")]
    assert xian_2025["y_lo"].iloc[0] >= 5622.5  # the new release's Jan-Nov figure bounds the year
    checks = read_table(store, "target_checks")
    assert checks["run_id"].nunique() == 2
    html = two.report_html.read_text(encoding="utf-8")
    assert two.run_id in html and "<svg" in html


def test_cli_run_rejects_bad_data_and_writes_nothing(release, tmp_path):
    first, _ = release
    bad = tmp_path / "bad.csv"
    lines = first.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",trains,", ",trainz,", 1)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = tmp_path / "store.duckdb"
    result = CliRunner().invoke(app, ["run", "--data", str(bad), "--store", str(store), "--json"])
    assert result.exit_code == 2 and f"{bad}:4: metric:" in result.output
    assert not store.exists()


def test_run_settings_keep_model_labels_so_a_vintage_says_what_ran():
    settings = RunSettings(model="AUTO", models=("naive", ("lags", {"n_lags": 4}), "lags(regressor=gbr, n_lags=3)"))
    assert settings.model == "auto"
    assert settings.models == ("naive", "lags(n_lags=4)", "lags(regressor=gbr)")
