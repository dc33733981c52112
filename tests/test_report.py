"""The report: built from a synthetic two-run store, the outlook first, self-contained, inert against hostile
data, and laid out by a real headless Chromium."""

import os
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.errors import InputError
from forecast.report import build_report
from forecast.report.links import Link, md_cell, safe_url
from forecast.report.render import html_environment
from forecast.store import RunRecord, write_run

pytestmark = pytest.mark.slow  # a whole run builds the store the report reads

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EVIL = "<script>alert(1)</script>"
BAD_URL = "javascript:alert(1)"
SECTIONS = [
    "news",
    "outlook",
    "pace",
    "charts",
    "open-targets",
    "decided-targets",
    "leaderboard",
    "outcomes",
    "conflicts",
    "methods",
]

OBSERVATIONS = pd.DataFrame(
    {
        "id": ["N1", "N2", "H7", "X1", "X2"],
        "source_url": [
            "https://example.org/n1?a=1&b=2",
            "http://example.org/n2",
            "seed:000_abc.txt",
            BAD_URL,
            f"https://example.org/{EVIL}",
        ],
    }
)


def series(last_y: float) -> pd.DataFrame:
    years = pd.to_datetime([f"{y}-01-01" for y in range(2016, 2025)])
    y = np.array([1702, 3673, 6363, 8225, 12406, 15183, 16562, 17523, last_y], dtype=float)
    nat = pd.DataFrame(
        {
            "unique_id": "national/trains/reported",
            "entity": "national",
            "metric": "trains",
            "basis": "reported",
            "freq": "annual",
            "ds": years,
            "y": y,
            "y_lo": y,
            "y_hi": y,
            "sources": "N1;N2",
        }
    )
    nat.loc[5, ["y_lo", "y_hi"]] = [14900.0, 15300.0]  # two sources disagreed: a reconciled range
    hub = pd.DataFrame(
        {
            "unique_id": f"{EVIL}/trains/reported",
            "entity": EVIL,
            "metric": "trains",
            "basis": "reported",
            "freq": "annual",
            "ds": years[-4:],
            "y": [3000.0, 4000.0, np.nan, 5200.0],
            "y_lo": [3000.0, 4000.0, 4500.0, 5200.0],
            "y_hi": [3000.0, 4000.0, np.inf, 5200.0],
            "sources": ["X1", "X2", "H7", "N1"],
            "flags": EVIL,
        }
    )
    return pd.concat([nat, hub], ignore_index=True)


def outlook(uid: str, start: int, level: float, as_of: str, model: str = "auto") -> pd.DataFrame:
    ds = pd.to_datetime([f"{y}-01-01" for y in range(start, start + 3)])
    mean = level * 1.05 ** np.arange(1, 4)
    return pd.DataFrame(
        {
            "unique_id": uid,
            "model": model,
            "ds": ds,
            "freq": "annual",
            "as_of": pd.Timestamp(as_of),
            "status": ["in progress", "forecast", "forecast"],
            "mean": mean,
            "q50": mean,
            "q10": mean * 0.9,
            "q90": mean * 1.1,
            "lo_80": mean * 0.9,
            "hi_80": mean * 1.1,
            "lo_95": mean * 0.8,
            "hi_95": mean * 1.2,
            "prior_mean": mean * 1.1,
            "p_up": 0.62,
            "observed": [level * 0.25, np.nan, np.nan],
            "observed_through": [pd.Timestamp(f"{start}-03-31"), pd.NaT, pd.NaT],
            "observed_text": [f"{level * 0.25:,.0f} to 31 Mar", None, None],
            "notes": f"set aside as conflicting: X1; {EVIL} " + "long note " * 20,
        }
    )


def checks(p_national: float, p_evil: float, as_of: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "target": ["national trains 2025 >= 19000", f"{EVIL} trains 2025 > 6000", "xian trains 2023 > 5000"],
            "target_key": ["national/2025/19000", "evil/2025/6000", "xian/2023/5000"],
            "entity": ["national", EVIL, "xian"],
            "metric": "trains",
            "period_end": pd.to_datetime(["2025-12-31", "2025-12-31", "2023-12-31"]),
            "threshold": [19000.0, 6000.0, 5000.0],
            "comparison": ["at_least", "more_than", "more_than"],
            "probability": [p_national, p_evil, 0.9],
            "expected": [19500.0, 5600.0, 5300.0],
            "lo_80": [18000.0, 5000.0, 5100.0],
            "hi_80": [21000.0, 6200.0, 5500.0],
            "observed": [4800.0, np.nan, np.nan],
            "observed_through": pd.to_datetime(["2025-03-31", None, None]),
            "needed_per_day": [51.6, np.nan, np.nan],
            "observed_per_day": [53.3, np.nan, np.nan],
            "outcome": [np.nan, np.nan, 5351.0],
            "outcome_lo": [np.nan, np.nan, 5350.5],
            "outcome_hi": [np.nan, np.nan, 5351.5],
            "met": [None, None, True],
            "sources": ["N1", "X1;X2", "N2"],
            "as_of": [as_of, as_of, "2023-11-29"],
            "notes": ["", EVIL, ""],
        }
    )


def news_rows() -> pd.DataFrame:
    """February's news: two new national facts moved 2025 from 18,500 to 19,950, and one target's odds."""
    common = {"since": pd.Timestamp("2024-12-31"), "as_of": pd.Timestamp("2025-03-31")}
    nation = "national/trains/reported"
    rows = []
    for year, before, after, steps in ((2025, 18500.0, 19950.0, (1000.0, 400.0)), (2026, 20500.0, 20947.5, (300, 100))):
        step = {**common, "unique_id": nation, "year": year, "before": before, "after": after, "kind": "fact"}
        rows += [
            {
                **step,
                "step": 1,
                "published": pd.Timestamp("2025-02-10"),
                "fact_ids": "N1",
                "contribution": steps[0],
                "what": "national trains Jan 2025: 1,500",
            },
            {
                **step,
                "step": 2,
                "published": pd.Timestamp("2025-03-20"),
                "fact_ids": "N2",
                "contribution": steps[1],
                "what": f"national trains Jan–Feb 2025: 3,100 {EVIL}",
            },
            {
                **step,
                "kind": "other",
                "step": 0,
                "fact_ids": "",
                "contribution": after - before - sum(steps),
                "what": "shared growth pools, share profiles and reconciliation",
            },
        ]
    rows += [
        {
            **common,
            "unique_id": "national trains 2025 >= 19000",
            "kind": "target",
            "before": 0.40,
            "after": 0.55,
            "contribution": 0.15,
            "step": 0,
        },
        {
            **common,
            "unique_id": nation,
            "kind": "arrived",
            "fact_ids": "N1",
            "published": pd.Timestamp("2025-02-10"),
            "what": "national trains Jan 2025: 1,500",
            "note": "new",
        },
        {
            **common,
            "unique_id": nation,
            "kind": "arrived",
            "fact_ids": "N2",
            "published": pd.Timestamp("2025-03-20"),
            "what": "national trains Jan–Feb 2025: 3,100",
            "note": "new",
        },
        {**common, "kind": "summary", "what": "", "note": "mean"},
    ]
    return pd.DataFrame(rows)


def pace_rows() -> pd.DataFrame:
    """The nation's 2025 by date: a fact to 31 March, the outlook's cumulated months, last year and the profile."""
    ends = pd.to_datetime(["2025-01-01"] + [f"2025-{m:02d}-01" for m in range(2, 13)] + ["2026-01-01"])
    ends = [ends[0], *(d - pd.Timedelta(days=1) for d in ends[1:])]
    share = np.linspace(0, 1, 13)
    median = 19950 * share
    spread = np.where(share > 0.25, (share - 0.25) * 4000, 0)
    outlook = pd.DataFrame(
        {
            "line": "outlook",
            "ds": ends,
            "y": median,
            "lo_80": median - spread,
            "hi_80": median + spread,
            "lo_95": median - 2 * spread,
            "hi_95": median + 2 * spread,
        }
    )
    fact = pd.DataFrame(
        {
            "line": ["fact"],
            "ds": [pd.Timestamp("2025-03-31")],
            "y": [4750.0],
            "y_lo": [4700.0],
            "y_hi": [4800.0],
            "sources": ["N2"],
        }
    )
    last = pd.DataFrame({"line": "last year", "ds": [ends[0], ends[-1]], "y": [0.0, 19000.0]})
    typical = pd.DataFrame({"line": "typical", "ds": ends, "y": 19000 * share, "sources": "last year"})
    return pd.concat([outlook, fact, last, typical], ignore_index=True).assign(unique_id="national/trains/reported")


@pytest.fixture
def store(tmp_path) -> Path:
    """Two runs: January (outlook of 2024 onwards) and February (2024 known, outlook of 2025 onwards)."""
    path = tmp_path / "store.duckdb"
    january = {
        "series": series(np.nan).dropna(subset=["y_lo"]),
        "forecasts": outlook("national/trains/reported", 2024, 17523, "2024-12-31"),
        "scores": pd.DataFrame(
            {"unique_id": "national/trains/reported", "model": ["ets", "naive"], "metric": "mase", "value": [0.9, 1.0]}
        ),
        "target_checks": checks(0.40, 0.70, "2024-12-31"),
    }
    write_run(path, RunRecord("jan", started_at=datetime(2025, 1, 5, 6)), january)
    metrics = ["mase", "smape", "bias", "scaled_crps", "coverage-80", "coverage-95"]
    february = {
        "series": series(19000.0),
        "forecasts": pd.concat(
            [
                outlook("national/trains/reported", 2025, 19000, "2025-03-31"),
                outlook(f"{EVIL}/trains/reported", 2025, 5200, "2025-03-31"),
            ]
        ),
        "scores": pd.DataFrame(
            {
                "unique_id": "national/trains/reported",
                "model": np.repeat(["ets", "naive"], 6),
                "metric": metrics * 2,
                "value": [0.8, 5.0, -16286.9, 0.7, 0.8, 0.95, 1.0, 7.5, 120.0, 0.9, 0.7, 0.9],
            }
        ),
        "target_checks": checks(0.55, 0.65, "2025-03-31"),
        "news": news_rows(),
        "pace": pace_rows(),
        "conflicts": pd.DataFrame(
            {
                "unique_id": [f"{EVIL}/trains/reported"],
                "entity": [EVIL],
                "metric": ["trains"],
                "ds": pd.to_datetime(["2023-01-01"]),
                "period_end": pd.to_datetime(["2023-12-31"]),
                "fact_id": ["X1"],
                "statement": [f"2023 total 9,999 {EVIL} {BAD_URL}"],
                "missed_by": [5000.0],
                "relative": [0.5],
                "against": ["X1;X2;N1"],
                "resolution": ["set aside: one source"],
                "violation": ["5,000 (50.0%)"],
                "kept": [False],
                "note": [BAD_URL],
            }
        ),
    }
    write_run(path, RunRecord("feb", started_at=datetime(2025, 2, 5, 6)), february)
    return path


@pytest.fixture
def report(store, tmp_path) -> tuple[Path, Path]:
    return build_report(store, output_dir=tmp_path / "out", observations=OBSERVATIONS)


def test_report_leads_with_the_outlook_and_keeps_the_order(report):
    page = report[0].read_text()
    assert "Facts published up to <strong>31 March 2025</strong>" in page
    places = [page.index(f'id="{key}"') for key in SECTIONS]
    assert places == sorted(places)
    outlook = page[page.index('id="outlook-trains"') : page.index('id="charts"')]
    # the nation first, then its groups; the year in progress: run so far, median and interval, odds, next year
    assert outlook.index("NATION".lower().capitalize()) < outlook.index("&lt;script&gt;")
    assert "4,750 to 31 Mar" in outlook and "19,950 (17,955 – 21,945)" in outlook and "62%" in outlook
    assert "-9%" in outlook  # the outlook's mean against the annual model's before this year's facts
    assert page.count("<svg") == 4  # a small multiple per series, the reliability plot and the nation's pace


def test_report_opens_with_what_changed_and_which_facts_moved_it(report):
    page = report[0].read_text()
    news = page[page.index('id="news"') : page.index('id="outlook"')]
    assert news.index("What changed since the last report") < news.index("Nation · trains")
    assert "From the vintage of 31 December 2024 to that of 31 March 2025: 2 new fact(s)" in news
    assert "sequential" in news and "2025: 18,500 → 19,950 (+1,450, +7.8%)" in news
    assert re.search(r'>N1</a></td><td>2025-02-10</td><td class="num">\+1,000 \(69%\)</td>', news)
    assert news.index(">N1</a>") < news.index(">N2</a>") and "+400 (28%)" in news and "+50 (3%)" in news
    assert "40%" in news and "55%" in news and "+15 points" in news  # the target whose odds moved
    assert EVIL not in news and 'id="pace-national"' in news  # the nation's pace beside it
    pace = page[page.index('id="pace-national"') :]
    assert "target national trains 2025 &gt;= 19000" in pace and "typical pace to last" in pace
    md = report[1].read_text()
    assert md.index("## What changed since the last report") < md.index("## Outlook: trains, 2025 and 2026")
    assert "| +1,000 (69%) |" in md and "](charts/chart-pace-001.svg)" in md
    assert (report[1].parent / "charts" / "chart-pace-001.svg").read_text().startswith("<svg")


def test_series_charts_stop_at_the_next_full_year_and_fit_the_80_band():
    from forecast.report.charts import series_chart

    history = series(19000.0)[["ds", "y", "y_lo", "y_hi"]]
    rows = outlook("national/trains/reported", 2025, 19000, "2025-03-31").rename(columns={"q50": "q50"})
    rows = rows.assign(hi_95=rows["hi_95"] * 3)  # a wide 95% band: clipped, and said so
    chart = series_chart(history, rows[rows["ds"].dt.year <= 2026], "trains", "x")
    top = max(float(history["y"].max()), float(rows.loc[rows["ds"].dt.year <= 2026, "hi_80"].max()))
    axis = max(float(label.replace(",", "")) for _, label in chart.y_ticks)
    assert top <= axis * 1.2 and axis <= 2 * top and chart.clipped
    assert [label for _, label in chart.x_ticks][-1] <= "2026"


def test_targets_open_and_decided_apart_with_calibration(report):
    page = report[0].read_text()
    open_part = page[page.index('id="open-targets"') : page.index('id="decided-targets"')]
    decided = page[page.index('id="decided-targets"') : page.index('id="leaderboard"')]
    assert "national trains 2025 &gt;= 19000" in open_part and "40% (2025-01-05) → 55% (2025-02-05)" in open_part
    assert "51.6" in open_part and "53.3" in open_part  # needed per day against run per day
    assert "xian trains 2023 &gt; 5000" in decided and "xian" not in open_part
    assert "Brier score 0.010 against 0.000" in decided  # one decided target, met, said at 90%


def test_leaderboard_shows_scale_free_scores_only(report):
    page = report[0].read_text()
    board = page[page.index('id="leaderboard"') : page.index('id="outcomes"')]
    heads = re.findall(r"<th>([^<]*)</th>", board)
    assert heads == ["Model", "Series", "MASE", "Scaled CRPS", "80% coverage", "95% coverage"]
    assert "16,287" not in board and "bias" not in board.lower()
    assert board.index("<td>ets</td>") < board.index("<td>naive</td>")  # best MASE first


def test_forecast_vs_outcome_never_takes_a_partial_year_as_the_actual(report):
    page = report[0].read_text()
    assert re.search(
        r"<td>2025-01-05</td><td>national/trains/reported</td><td>auto</td><td class=\"num\">2024</td>"
        r".*?<td>known</td><td class=\"num\">19,000</td>",
        page,
    )
    assert "<td>not yet known</td>" not in page  # years nothing pins or bounds yet are counted, not listed
    assert "2 more forecast year(s) are not yet known" in page


def test_conflicts_are_one_readable_row_and_never_list_a_fact_against_itself(report):
    page = report[0].read_text()
    conflicts = page[page.index('id="conflicts"') : page.index('id="methods"')]
    assert conflicts.count("<tr>") == 2  # header and one conflict
    against = re.findall(r"<td>(<a [^>]*>X2</a>, <a [^>]*>N1</a>)</td>", conflicts)
    assert against and ">X1</a>, <a" not in against[0] and "set aside: one source" in conflicts


def test_report_is_self_contained_and_deterministic(store, report, tmp_path):
    page = report[0].read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page.replace('href="http', ""))
    assert (
        "<script" not in page.lower()
        and "<link" not in page
        and "@import" not in page
        and not re.search(r"url\([^#]", page)
    )
    again = build_report(store, output_dir=tmp_path / "again", observations=OBSERVATIONS)
    assert again[0].read_bytes() == report[0].read_bytes() and again[1].read_bytes() == report[1].read_bytes()


def test_hostile_text_and_urls_come_out_inert(report):
    page, md = report[0].read_text(), report[1].read_text()
    assert EVIL not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # only in text nodes, never in an attribute
    assert 'href="javascript' not in page and BAD_URL in page  # shown as text
    assert EVIL not in md and "](<javascript" not in md and "(javascript" not in md
    assert safe_url(BAD_URL) is None and safe_url("JaVaScRiPt:alert(1)") is None and safe_url("java\tscript:x") is None
    assert safe_url("data:text/html,hi") is None and safe_url("https://x.org/a") == "https://x.org/a"
    cell = html_environment().from_string(
        '{% for l in links %}<a href="{{ l.url|safe_url }}">{{ l.text }}</a>{% endfor %}'
    )
    assert (
        cell.render(links=[Link("a", 'https://x.org/"onmouseover=1')])
        == '<a href="https://x.org/&#34;onmouseover=1">a</a>'
    )
    assert md_cell([Link("a|b", "https://x.org/(y)")]) == "[a\\|b](<https://x.org/%28y%29>)"


def test_markdown_carries_the_same_tables_and_the_chart_files(report):
    md_path = report[1]
    md = md_path.read_text()
    assert "| national trains 2025 >= 19000 | 55% |" in md and "](charts/chart-001.svg)" in md
    assert md.index("## Outlook: trains, 2025 and 2026") < md.index("## Open targets")
    assert (md_path.parent / "charts" / "chart-001.svg").read_text().startswith("<svg")


def test_report_of_an_earlier_run_ignores_later_runs(store, tmp_path):
    from forecast.store import list_runs

    first = list_runs(store)["run_id"].iloc[0]
    page = build_report(store, first, tmp_path / "jan", observations=OBSERVATIONS)[0].read_text()
    assert "2025-02-05" not in page and "Facts published up to <strong>31 December 2024</strong>" in page
    with pytest.raises(InputError, match="no run 'nope'"):
        build_report(store, "nope", tmp_path / "x", observations=OBSERVATIONS)


def test_cli_writes_the_report_and_reports_bad_input(store, tmp_path):
    done = CliRunner().invoke(app, ["report", "--store", str(store), "--report-dir", str(tmp_path / "cli")])
    assert (
        done.exit_code == 0
        and (tmp_path / "cli" / "report.html").exists()
        and (tmp_path / "cli" / "report.md").exists()
    )
    missing = CliRunner().invoke(app, ["report", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no store here yet" in missing.output


def page_problems(log: str) -> list[str]:
    """Lines of Chromium's log that report something the page did: console messages, script errors, CSP blocks."""
    return [line for line in log.splitlines() if re.search(r"CONSOLE|Uncaught|Content Security Policy", line)]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup-dev.sh installs it)")
def test_chromium_renders_the_report_without_errors(report, tmp_path):
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    url = report[0].as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 4 and "<polygon" in dom.stdout and "Backtest leaderboard" in dom.stdout
    assert "<script>alert(1)</script>" not in dom.stdout  # escaped text never became an element
    assert not page_problems(dom.stderr), page_problems(dom.stderr)
    broken = tmp_path / "broken.html"  # the control: a page error does show up in this log
    broken.write_text("<p>x</p><script>undefined_function()</script>")
    control = subprocess.run([*flags, "--dump-dom", broken.as_uri()], capture_output=True, text=True, timeout=120)
    assert any("Uncaught ReferenceError" in line for line in page_problems(control.stderr))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup-dev.sh installs it)")
def test_the_page_lays_out_every_section_and_the_outlook_on_the_first_screen(report, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
        page.goto(report[0].as_uri())
        boxes = page.evaluate(
            "ids => ids.map(id => { const r = document.getElementById(id).getBoundingClientRect();"
            " return [r.top, r.height, r.width]; })",
            SECTIONS,
        )
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(tmp_path / "first-screen.png"))
        browser.close()
    tops = [top for top, _, _ in boxes]
    assert tops == sorted(tops) and all(h > 20 and w > 600 for _, h, w in boxes)  # every section laid out, in order
    assert tops[0] < 400  # the outlook starts on the first screen, under a short header
    assert height < 6000  # two series: a page, not a scroll of tables
    assert (tmp_path / "first-screen.png").stat().st_size > 20_000
    if os.environ.get("FORECAST_KEEP_SCREENSHOT"):
        shutil.copy(tmp_path / "first-screen.png", os.environ["FORECAST_KEEP_SCREENSHOT"])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, from its header."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup-dev.sh installs it)")
def test_a_reader_sees_what_changed_and_the_nations_pace_on_the_first_screen(report, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    shots = {name: tmp_path / f"{name}.png" for name in ("first-screen", "news", "pace")}
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True).new_page()
        page.goto(report[0].as_uri())
        boxes = {
            key: page.locator(selector).bounding_box()
            for key, selector in (("news", "#news"), ("pace", "#pace-national svg"), ("moves", "#table-news-moves"))
        }
        page.screenshot(path=str(shots["first-screen"]))
        page.locator("#news").screenshot(path=str(shots["news"]))
        page.locator("#pace-national svg").screenshot(path=str(shots["pace"]))
        browser.close()
    news, pace, moves = boxes["news"], boxes["pace"], boxes["moves"]
    assert news["y"] < 300 and news["width"] > 500  # the first section, under the header
    assert moves["y"] < 900 and moves["x"] + moves["width"] <= pace["x"] + 1  # the moves beside the chart
    assert pace["y"] + pace["height"] <= 900 and pace["width"] >= 400 and pace["height"] >= 200  # on the first screen
    assert png_size(shots["first-screen"]) == (1400, 900) and shots["first-screen"].stat().st_size > 40_000
    width, height = png_size(shots["pace"])
    assert abs(width - pace["width"]) <= 2 and abs(height - pace["height"]) <= 2
    assert shots["pace"].stat().st_size > 8_000 and shots["news"].stat().st_size > 15_000
    if os.environ.get("FORECAST_KEEP_SCREENSHOT"):
        for name, shot in shots.items():
            shutil.copy(shot, f"{os.environ['FORECAST_KEEP_SCREENSHOT']}-{name}.png")


def test_series_without_an_outlook_are_short_rows_stale_first():
    from forecast.report.content import Group, no_outlook_table

    rows = pd.DataFrame(
        {
            "unique_id": ["xian/trains/reported", "chengdu/teu/reported"],
            "reason": ["xian/trains/reported: too vague", "stale: long text"],
            "stale": [False, True],
            "latest_year": [2025, 2016],
            "latest_value": [6000.0, 460.0],
        }
    )
    entities = pd.DataFrame({"name": ["Xi'an", "Chengdu"], "kind": ["hub", "hub"]}, index=["xian", "chengdu"])
    table = no_outlook_table(rows, entities)
    assert [r.name for r in table.rows if isinstance(r, Group)] == ["Stale (1)", "Other reasons (1)"]
    assert table.rows[1] == ["Chengdu · TEU", "2016: 460", "stale"] and table.rows[3][2] == "too vague"
    assert "Stale: the latest known year is over two years old" in table.note
