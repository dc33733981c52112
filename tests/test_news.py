"""What moved the outlook between two vintages ("news"), and where the year stands, on hand-made facts."""

import numpy as np
import pandas as pd
import pytest
from hand_facts import facts
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.outlook import Outlooks
from forecast.outlook import news as news_module
from forecast.outlook.news import FACT, OTHER, explain, news, previous_month_end
from forecast.outlook.pace import PACE_COLUMNS, pace_rows

PATHS = 400


def totals(*rows):
    """Exact train totals of a hand-made hub from (id, start, end, value, published) tuples."""
    return facts(*((i, start, end, "total", value, "exact", "", published) for i, start, end, value, published in rows))


HISTORY = [
    (f"Y{y}", f"{y}-01-01", f"{y}-12-31", str(v), f"{y + 1}-01-20")
    for y, v in zip(range(2016, 2026), [400, 520, 610, 700, 820, 900, 980, 1050, 1130, 1200])
]
PAST_YTD = [  # year-to-date figures of past years: the series' own share profile
    (f"P{y}", f"{y}-01-01", f"{y}-03-31", str(round(v * 0.22)), f"{y}-04-10")
    for y, v in zip(range(2019, 2026), [700, 820, 900, 980, 1050, 1130, 1200])
]
# A: the 2025 total (published in January); B, C: January and January-February 2026 (published February, March)
B = ("B", "2026-01-01", "2026-01-31", "110", "2026-02-12")
C = ("C", "2026-01-01", "2026-02-28", "260", "2026-03-14")


def outlooks(data) -> Outlooks:
    return Outlooks(data, n_paths=PATHS, seed=3, hierarchy=None)


@pytest.fixture(scope="module")
def found():
    return news(
        "2026-01-31",
        "2026-03-31",
        observations=totals(*HISTORY, *PAST_YTD, B, C),
        n_paths=PATHS,
        seed=3,
        hierarchy=None,
    )


def test_news_names_the_new_facts_in_publication_order_and_the_split_adds_up(found):
    rows = found.table[found.table["unique_id"] == "hub/trains/reported"]
    this = rows[rows["year"] == 2026]
    steps = this[this["kind"] == FACT].sort_values("step")
    assert list(steps["fact_ids"]) == ["B", "C"] and list(steps["published"]) == list(
        pd.to_datetime(["2026-02-12", "2026-03-14"])
    )
    assert "Y2025" not in set(found.new_facts["id"]) and set(found.new_facts["id"]) == {"B", "C"}
    before, after = this["before"].iloc[0], this["after"].iloc[0]
    other = this.loc[this["kind"] == OTHER, "contribution"].iloc[0]
    assert steps["contribution"].sum() + other == pytest.approx(after - before)
    # the old vintage rebuilt from the same facts and the last step is the new vintage: nothing else moved it
    assert abs(other) < 1e-6 * after and abs(after - before) > 0.01 * before
    # each step is the outlook on the old facts plus the new ones up to it (the median: no hierarchy here)
    base = outlooks(totals(*HISTORY, *PAST_YTD, B, C))
    for day, value in (("2026-01-31", before), ("2026-03-31", after)):
        assert np.median(base.get("hub", "trains", as_of=day).year_paths(2026)) == pytest.approx(value)
    assert found.point == "median" and "hub trains Jan 2026: 110" in set(steps["what"])


def test_facts_published_the_same_day_are_one_step_and_many_days_are_merged(monkeypatch):
    same_day = ("D", "2026-01-01", "2026-01-31", "112", "2026-02-12")  # a second release of January, same day
    data = totals(*HISTORY, *PAST_YTD, B, same_day, C)
    table = news("2026-01-31", "2026-03-31", observations=data, n_paths=PATHS, seed=3, hierarchy=None).table
    steps = table[(table["kind"] == FACT) & (table["year"] == 2026)].sort_values("step")
    assert list(steps["fact_ids"]) == ["B;D", "C"]
    monkeypatch.setattr(news_module, "MAX_STEPS", 1)
    merged = news("2026-01-31", "2026-03-31", observations=data, n_paths=PATHS, seed=3, hierarchy=None).table
    step = merged[(merged["kind"] == FACT) & (merged["year"] == 2026)]
    assert list(step["fact_ids"]) == ["B;D;C"] and "2 publication dates merged" in step["note"].iloc[0]


def test_a_fact_added_late_with_an_old_date_is_a_correction_not_a_step():
    late = ("L", "2025-10-01", "2025-12-31", "330", "2026-01-25")  # published before the old date, added later
    data = totals(*HISTORY, *PAST_YTD, late, B, C)
    base = outlooks(data)
    old_ids = set(data["id"]) - {"L", "B", "C"}
    result = explain(base, "2026-01-31", old_ids=old_ids)
    assert list(result.corrections["id"]) == ["L"] and set(result.new_facts["id"]) == {"B", "C"}
    this = result.table[(result.table["year"] == 2026)]
    assert list(this.loc[this["kind"] == FACT, "fact_ids"]) == ["B", "C"]
    other = this[this["kind"] == OTHER].iloc[0]
    assert other["fact_ids"] == "L" and "earlier publication date: L" in other["what"]
    total = this["after"].iloc[0] - this["before"].iloc[0]
    assert this["contribution"].sum() == pytest.approx(total)


def test_pace_lines_of_the_year_in_progress():
    data = totals(*HISTORY, *PAST_YTD, B, C)
    base = outlooks(data)
    view = base.get("hub", "trains", as_of="2026-03-31")
    rows = pace_rows(view, base.profile(view))
    assert list(rows.columns) == PACE_COLUMNS and set(rows["line"]) == {"fact", "outlook", "last year", "typical"}
    outlook = rows[rows["line"] == "outlook"].sort_values("ds")
    assert outlook["ds"].iloc[0] == pd.Timestamp("2026-01-01") and outlook["y"].iloc[0] == 0
    assert outlook["y"].iloc[-1] == pytest.approx(np.median(view.year_paths(2026)))
    assert (np.diff(outlook["y"]) >= 0).all() and (outlook["lo_95"] <= outlook["lo_80"]).all()
    at_feb = outlook[outlook["ds"] == pd.Timestamp("2026-02-28")].iloc[0]
    fact = rows[rows["line"] == "fact"].set_index("ds").loc[pd.Timestamp("2026-02-28")]
    assert fact["y"] == pytest.approx(260) and fact["y_lo"] < 260 < fact["y_hi"]
    assert fact["y_lo"] - 1 <= at_feb["lo_95"] <= at_feb["hi_95"] <= fact["y_hi"] + 1  # the paths keep to the fact
    last = rows[rows["line"] == "last year"].set_index("ds")["y"]
    assert last[pd.Timestamp("2026-12-31")] == 1200 and last[pd.Timestamp("2026-03-31")] == 264
    typical = rows[rows["line"] == "typical"].set_index("ds")["y"]
    assert typical[pd.Timestamp("2026-12-31")] == 1200 and 0.15 < typical[pd.Timestamp("2026-03-31")] / 1200 < 0.3
    # no fact about the year in progress: no pace chart
    old = base.get("hub", "trains", as_of="2026-01-31")
    assert pace_rows(old, base.profile(old)).empty


def test_previous_month_end():
    assert previous_month_end("2026-03-17") == pd.Timestamp("2026-02-28")
    assert previous_month_end("2026-03-01") == pd.Timestamp("2026-02-28")
    assert previous_month_end("2026-01-31") == pd.Timestamp("2025-12-31")


def test_cli_news_prints_the_table_and_json(tmp_path, monkeypatch):
    data = totals(*HISTORY, *PAST_YTD, B, C)
    monkeypatch.setattr(news_module, "Outlooks", lambda *a, **k: Outlooks(data, n_paths=PATHS, seed=3, hierarchy=None))
    done = CliRunner().invoke(app, ["news", "--since", "2026-01-31", "--until", "2026-03-31"])
    assert done.exit_code == 0, done.output
    assert "news from 2026-01-31 to 2026-03-31: 2 new fact(s)" in done.output and "hub/trains/reported" in done.output
    assert "sequential" in done.output
    as_json = CliRunner().invoke(app, ["news", "--since", "2026-01-31", "--until", "2026-03-31", "--format", "json"])
    assert as_json.exit_code == 0 and '"kind":"fact"' in as_json.output.replace(" ", "")
    bad = CliRunner().invoke(app, ["news", "--since", "2027-01-01"])
    assert bad.exit_code == 2 and bad.output.startswith("error: since: 2027-01-01 is after")
