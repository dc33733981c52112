"""The report: built from a synthetic two-vintage store, self-contained, inert against hostile data, and
rendered by a real headless Chromium."""

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
from forecast.report.escape import Link, html_cell, md_cell, safe_url
from forecast.store import RunRecord, write_run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EVIL = "<script>alert(1)</script>"
BAD_URL = "javascript:alert(1)"

OBSERVATIONS = pd.DataFrame({
    "id": ["N1", "N2", "H7", "X1", "X2"],
    "source_url": ["https://example.org/n1?a=1&b=2", "http://example.org/n2", "seed:000_abc.txt", BAD_URL,
                   f"https://example.org/{EVIL}"],
})  # fmt: skip


def series(last_y: float) -> pd.DataFrame:
    years = pd.to_datetime([f"{y}-01-01" for y in range(2016, 2025)])
    y = np.array([1702, 3673, 6363, 8225, 12406, 15183, 16562, 17523, last_y], dtype=float)
    nat = pd.DataFrame({"unique_id": "national/trains", "entity": "national", "metric": "trains", "basis": "reported",
                        "freq": "annual", "ds": years, "y": y, "y_lo": y, "y_hi": y, "sources": "N1;N2"})  # fmt: skip
    nat.loc[5, ["y_lo", "y_hi"]] = [14900.0, 15300.0]  # two sources disagreed: a reconciled range
    hub = pd.DataFrame({"unique_id": f"{EVIL}/trains", "entity": EVIL, "metric": "trains", "basis": "local",
                        "freq": "annual", "ds": years[-4:], "y": [3000.0, 4000.0, np.nan, 5200.0],
                        "y_lo": [3000.0, 4000.0, 4500.0, 5200.0], "y_hi": [3000.0, 4000.0, np.inf, 5200.0],
                        "sources": ["X1", "X2", "H7", "N1"], "flags": EVIL})  # fmt: skip
    return pd.concat([nat, hub], ignore_index=True)


def fan(uid: str, start: int, level: float, model: str = "ets") -> pd.DataFrame:
    ds = pd.to_datetime([f"{y}-01-01" for y in range(start, start + 3)])
    mean = level * 1.05 ** np.arange(1, 4)
    return pd.DataFrame({"unique_id": uid, "model": model, "ds": ds, "mean": mean, "q50": mean,
                         "lo_80": mean * 0.9, "hi_80": mean * 1.1, "lo_95": mean * 0.8, "hi_95": mean * 1.2})  # fmt: skip


def checks(p_national: float, p_evil: float) -> pd.DataFrame:
    return pd.DataFrame({
        "target": ["national trains 2025 >= 19000", f"{EVIL} trains 2025 > 6000"], "entity": ["national", EVIL],
        "metric": "trains", "period_end": pd.to_datetime("2025-12-31"), "threshold": [19000.0, 6000.0],
        "probability": [p_national, p_evil], "expected": [19500.0, 5600.0], "lo_80": [18000.0, 5000.0],
        "hi_80": [21000.0, 6200.0], "sources": ["N1", "X1;X2"], "notes": ["", EVIL],
    })  # fmt: skip


@pytest.fixture
def store(tmp_path) -> Path:
    """Two vintages: January (forecasts 2024 onwards) and February (2024 actual known, new forecasts)."""
    path = tmp_path / "store.duckdb"
    january = {
        "series": series(np.nan).dropna(subset=["y_lo"]),
        "forecasts": pd.concat([fan("national/trains", 2024, 17523), fan("national/trains", 2024, 17000, "naive")]),
        "scores": pd.DataFrame({"unique_id": "national/trains", "model": ["ets", "naive"], "metric": "mase",
                                "value": [0.9, 1.0]}),  # fmt: skip
        "target_checks": checks(0.40, 0.70),
    }
    write_run(path, RunRecord("jan", started_at=datetime(2025, 1, 5, 6)), january)
    february = {
        "series": series(19000.0),
        "forecasts": pd.concat([fan("national/trains", 2025, 19000), fan(f"{EVIL}/trains", 2025, 5200)]),
        "scores": pd.DataFrame({"unique_id": ["national/trains"] * 4, "model": ["ets", "naive"] * 2,
                                "metric": ["mase", "mase", "smape", "smape"], "value": [0.8, 1.0, 5.0, 7.5]}),
        "target_checks": checks(0.55, 0.65),
        "conflicts": pd.DataFrame({"entity": [EVIL], "metric": ["trains"], "ds": pd.to_datetime(["2023-01-01"]),
                                   "fact_id": ["X1"], "violation": [f"exceeds national total {EVIL}"], "kept": [False],
                                   "note": [BAD_URL]}),
    }  # fmt: skip
    write_run(path, RunRecord("feb", started_at=datetime(2025, 2, 5, 6)), february)
    return path


@pytest.fixture
def report(store, tmp_path) -> tuple[Path, Path]:
    return build_report(store, output_dir=tmp_path / "out", observations=OBSERVATIONS)


def test_report_shows_every_part_from_the_store(report):
    html_path, md_path = report
    page, md = html_path.read_text(), md_path.read_text()
    assert page.count("<svg") == 2 and "national · trains · reported · annual" in page
    assert page.index("ets") < page.index("naive")  # leaderboard sorted by mase, best first
    assert "2025-01-05" in page and "2025-02-05" in page and "40%" in page and "55%" in page  # vintages side by side
    assert re.search(r"<td>2025-01-05</td><td>national/trains</td><td>ets</td><td>2024-01-01</td>.*?<td class=\"num\">19,000</td>", page)
    assert "Data conflicts" in page and "exceeds national total" in page
    assert '<a href="https://example.org/n1?a=1&amp;b=2" rel="noopener noreferrer">N1</a>' in page
    assert "seed:000_abc.txt" not in page and ", H7, " in page  # non-web sources stay plain ids
    assert "| national trains 2025 >= 19000 | 55% |" in md and "![history and forecast](charts/chart-001.svg)" in md
    assert (md_path.parent / "charts" / "chart-001.svg").read_text().startswith("<svg")


def test_report_is_self_contained_and_deterministic(store, report, tmp_path):
    page = report[0].read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", page.replace('href="http', ""))
    assert "<script" not in page.lower() and "<link" not in page and "@import" not in page and not re.search(r"url\([^#]", page)
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
    assert html_cell([Link("a", "https://x.org/\"onmouseover=1")]) == (
        '<a href="https://x.org/&quot;onmouseover=1" rel="noopener noreferrer">a</a>'
    )
    assert md_cell([Link("a|b", "https://x.org/(y)")]) == "[a\\|b](<https://x.org/%28y%29>)"


def test_report_of_an_earlier_run_ignores_later_vintages(store, tmp_path):
    from forecast.store import list_runs

    first = list_runs(store)["run_id"].iloc[0]
    page = build_report(store, first, tmp_path / "jan", observations=OBSERVATIONS)[0].read_text()
    assert "2025-02-05" not in page and "Only one vintage so far" in page
    with pytest.raises(InputError, match="no run 'nope'"):
        build_report(store, "nope", tmp_path / "x", observations=OBSERVATIONS)


def test_cli_writes_the_report_and_reports_bad_input(store, tmp_path):
    done = CliRunner().invoke(app, ["report", "--store", str(store), "--report-dir", str(tmp_path / "cli")])
    assert done.exit_code == 0 and (tmp_path / "cli" / "report.html").exists() and (tmp_path / "cli" / "report.md").exists()
    missing = CliRunner().invoke(app, ["report", "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "no store here yet" in missing.output


def page_problems(log: str) -> list[str]:
    """Lines of Chromium's log that report something the page did: console messages, script errors, CSP blocks."""
    return [line for line in log.splitlines() if re.search(r"CONSOLE|Uncaught|Content Security Policy", line)]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup-dev.sh installs it)")
def test_chromium_renders_the_report_without_errors(report, tmp_path):
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]  # fmt: skip
    url = report[0].as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 2 and "<path" in dom.stdout and "Backtest leaderboard" in dom.stdout
    assert "<script>alert(1)</script>" not in dom.stdout  # escaped text never became an element
    assert not page_problems(dom.stderr), page_problems(dom.stderr)
    broken = tmp_path / "broken.html"  # the control: a page error does show up in this log
    broken.write_text("<p>x</p><script>undefined_function()</script>")
    control = subprocess.run([*flags, "--dump-dom", broken.as_uri()], capture_output=True, text=True, timeout=120)
    assert any("Uncaught ReferenceError" in line for line in page_problems(control.stderr))
    shot = tmp_path / "report.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars", url],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    assert shot.stat().st_size > 20_000
    if os.environ.get("FORECAST_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["FORECAST_KEEP_SCREENSHOT"])


def test_movement_follows_a_target_across_vintages_by_its_key_not_its_label():
    from forecast.report.content import movement_table

    rows = pd.DataFrame({
        "run_id": ["jan", "feb", "jan"], "target": ["Qilu plan", "Shandong 2024 plan", "xian trains 2025 >= 6000"],
        "target_key": ["shandong/trains/reported/2024/absolute/at_least/2500", "shandong/trains/reported/2024/absolute/at_least/2500", None],
        "probability": [0.4, 0.55, 0.7],
    })  # fmt: skip
    table = movement_table(rows, {"jan": "2025-01-05", "feb": "2025-02-05"})
    assert [row[0] for row in table.rows] == ["Shandong 2024 plan", "xian trains 2025 >= 6000"]
    assert table.rows[0][1:] == ["40%", "55%"]  # one target, renamed between vintages: one row, latest label
