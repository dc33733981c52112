"""``forecast run`` end to end on hand-made releases: one stored run per data release, idempotent re-runs."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data.schema import COLUMNS
from forecast.pipeline import RunSettings, run_pipeline
from forecast.store import list_runs, read_table

pytestmark = pytest.mark.slow  # whole runs

FAST = RunSettings(horizon=3, models=("naive", "drift", "theta"), windows=2, n_paths=200)

# A hand-made first release: Xi'an 2016-2024 and Jan-Oct 2025 (5,063, published 15 November), a plan for 2025, and
# Wuhan 2017-2024; the second release adds Xi'an's Jan-Nov 2025 (5,623, published 10 December).
XIAN = {2016: 1702, 2017: 2133, 2018: 2527, 2019: 2976, 2020: 3312, 2021: 3844, 2022: 4139, 2023: 4567, 2024: 4985}
WUHAN = {2017: 377, 2018: 423, 2019: 461, 2020: 502, 2021: 455, 2022: 538, 2023: 573, 2024: 612}


def line(i, entity, start, end, value, published, kind="total", qualifier="exact"):
    return f"{i},{entity},trains,{start},{end},{kind},{value},trains,{qualifier},,https://{i.lower()}.example,{published},test"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """A first release (a data file) and a later one adding one fact."""
    folder = tmp_path_factory.mktemp("data")
    lines = [
        line(f"{e[0].upper()}{y}", e, f"{y}-01-01", f"{y}-12-31", v, f"{y + 1}-01-20")
        for e, values in (("xian", XIAN), ("wuhan", WUHAN))
        for y, v in values.items()
    ]
    lines += [
        line("S25", "xian", "2025-01-01", "2025-10-31", 5063, "2025-11-15"),
        line("P25", "xian", "2025-01-01", "2025-12-31", 6000, "2025-01-20", kind="target", qualifier="more_than"),
    ]
    first, update = folder / "release-1.csv", folder / "release-2.csv"
    first.write_text("\n".join([",".join(COLUMNS), *lines]) + "\n", encoding="utf-8")
    u = line("U9001", "xian", "2025-01-01", "2025-11-30", 5623, "2025-12-10")
    update.write_text("\n".join([",".join(COLUMNS), u]) + "\n", encoding="utf-8")
    return first, update


def test_two_releases_make_two_runs_and_reruns_add_nothing(release, tmp_path):
    first, update = release
    store, reports = tmp_path / "store.duckdb", tmp_path / "report"
    one = run_pipeline([first], store, reports, FAST, progress=False)
    assert one.created and one.report_html.exists() and one.report_md.exists()
    forecasts = read_table(store, "forecasts", one.run_id)
    assert set(forecasts["unique_id"]) >= {"xian/trains/reported", "wuhan/trains/reported"}
    annual = forecasts[forecasts["freq"] == "annual"]
    xian = annual[annual["unique_id"] == "xian/trains/reported"].set_index("ds")
    # The year in progress is the outlook's: 5,063 trains ran through October (S25), so no band starts below.
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
    assert checks["run_id"].nunique() == 2 and set(checks["sources"]) == {"P25"}
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


def test_run_settings_keep_model_labels_so_a_run_says_what_ran():
    settings = RunSettings(model="AUTO", models=("naive", ("lags", {"n_lags": 4}), "lags(regressor=gbr, n_lags=3)"))
    assert settings.model == "auto"
    assert settings.models == ("naive", "lags(n_lags=4)", "lags(regressor=gbr)")
