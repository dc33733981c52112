"""The README's main job, ``forecast run``, on the whole bundled dataset: it completes, stores one run whose
outlook covers the series, charts every one of them in the report, and a re-run adds nothing."""

from __future__ import annotations

import re

import numpy as np
import pytest

from forecast.data.vintage import FactBase, series_uid
from forecast.outlook import TRAFFIC
from forecast.pipeline import RunSettings, run_pipeline
from forecast.report.content import gather
from forecast.store import list_runs, read_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def main_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("main")
    store, reports = folder / "forecast.duckdb", folder / "reports"
    outcome = run_pipeline(None, store, reports, RunSettings(n_paths=500), progress=False)
    return outcome, store, reports


def test_bundled_main_job_stores_a_run_with_sane_outlooks(main_run):
    outcome, store, _ = main_run
    assert outcome.created and len(list_runs(store)) == 1
    forecasts = read_table(store, "forecasts", outcome.run_id)
    annual = forecasts[forecasts["freq"] == "annual"]
    apart = read_table(store, "no_outlooks", outcome.run_id)  # series without an outlook: stale, too vague
    assert apart["reason"].str.len().gt(0).all() and not set(apart["unique_id"]) & set(annual["unique_id"])
    every = {series_uid(*key) for key in FactBase().on().keys(metrics=TRAFFIC)}
    assert set(annual["unique_id"]) | set(apart["unique_id"]) == every  # an outlook or a stated reason
    assert np.all(annual["lo_80"] >= 0) and np.all(annual["hi_80"] >= annual["lo_80"])
    unsettled = annual[annual["status"] != "observed"]
    assert np.all(unsettled["hi_80"] > unsettled["lo_80"])  # no zero-width interval for a year still open
    national = annual[(annual["unique_id"] == "national/trains/reported") & (annual["status"] != "observed")]
    assert len(national) and national["ds"].dt.year.min() >= 2025


def test_bundled_report_charts_every_forecast_series(main_run):
    outcome, store, _ = main_run
    html = outcome.report_html.read_text(encoding="utf-8")
    charted = len(re.findall(r'<figure class="panel" id="chart-\d+">', html))
    forecasts = read_table(store, "forecasts", outcome.run_id)
    assert charted == forecasts.loc[forecasts["freq"] == "annual", "unique_id"].nunique()
    assert html.index('id="outlook') < html.index('id="open-targets"') < html.index('id="decided-targets"')


def test_bundled_rerun_on_the_same_data_adds_nothing(main_run):
    outcome, store, reports = main_run
    again = run_pipeline(None, store, reports, RunSettings(n_paths=500), progress=False)
    assert not again.created and again.run_id == outcome.run_id and len(list_runs(store)) == 1


def test_bundled_first_report_says_what_changed_since_last_month_and_charts_fit_what_they_show(main_run):
    outcome, store, _ = main_run
    html = outcome.report_html.read_text(encoding="utf-8")
    assert html.index('id="news"') < html.index('id="outlook') and 'id="pace-national"' in html
    news = read_table(store, "news", outcome.run_id)
    as_of = news["as_of"].max()
    assert news["since"].max() == (as_of.replace(day=1) - np.timedelta64(1, "D"))  # the previous month's end
    content = gather(store, outcome.run_id)
    assert content.news is not None and content.pace and content.pace[0].unique_id == "national/trains/reported"
    series = read_table(store, "series", outcome.run_id)
    forecasts = read_table(store, "forecasts", outcome.run_id)
    annual = forecasts[forecasts["freq"] == "annual"]
    for panel in content.panels:
        history = series[(series["unique_id"] == panel.unique_id) & (series["freq"] == "annual")]
        shown = annual[(annual["unique_id"] == panel.unique_id) & (annual["ds"].dt.year <= as_of.year + 1)]
        recent = history[history["ds"].dt.year >= shown["ds"].dt.year.min() - 12]
        top = np.nanmax([recent["y"].max(), shown["hi_80"].max(), recent["y_lo"].max()])
        assert panel.chart.y_max <= 2 * top, panel.unique_id  # the axis fits the history and the 80% band
    stale = read_table(store, "no_outlooks", outcome.run_id)
    assert not set(stale["unique_id"]) & {p.unique_id for p in content.panels}  # no chart for a stale series
