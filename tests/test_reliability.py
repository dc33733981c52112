"""Issue 13's reproductions, each through the real CLI, real files and real DuckDB: hostile observation files,
concurrent and killed ``data add``, one user figure against independent sources, damaged and read-only stores,
bad ``predict`` and ``target`` requests. Every failure is one line (exit 2 bad input, 1 failure), nothing a
user owns changes, and no traceback is shown. Run alone with ``pytest -m reliability``."""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
import time

import pandas as pd
import pytest
from cli_runs import assert_clean_failure, can_drop_privileges, forecast, home_with_cache, run, spawn

from forecast.data import load_observations, reconciled
from forecast.data.schema import COLUMNS
from forecast.data.validate import read_observations
from forecast.limits import TODAY_ENV
from forecast.pipeline import conflict_rows
from forecast.report import build_report
from forecast.store import RunRecord, write_run

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

HEADER = ",".join(COLUMNS)


def fact(number: int, year: int = 2030, value: str = "100", entity: str = "xian", **fields) -> str:
    """One observation line: a full-year train count of ``entity`` (fields override columns by name)."""
    values = {
        "id": f"U{number}",
        "entity": entity,
        "metric": "trains",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "kind": "total",
        "value": value,
        "unit": "trains",
        "qualifier": "exact",
        "yoy_pct": "",
        "source_url": f"https://example.org/{number}",
        "published": f"{year + 1}-01-10" if year < 2099 else "2099-12-31",
        "note": f"user fact {number}",
        **fields,
    }
    return ",".join(values[c] for c in COLUMNS)


def facts_file(path, *lines: str, header: str = HEADER, prefix: str = "", encoding: str = "utf-8"):
    path.write_bytes((prefix + "\n".join([header, *lines]) + "\n").encode(encoding))
    return path


@pytest.fixture(autouse=True)
def far_future_today(monkeypatch):
    """These facts lie in years no bundled fact covers (2030, up to 2099): today is the last supported day."""
    monkeypatch.setenv(TODAY_ENV, "2099-12-31")


@pytest.fixture
def home(tmp_path, bundled_rec):
    return home_with_cache(tmp_path / "home")


# 1. Validation that `data add` can rely on -------------------------------------------------------------------

HOSTILE_FILES = {
    "a duplicated header column": (
        dict(header=HEADER + ",note"),
        [fact(2) + ",again"],
        ":1: header: column 'note' appears twice",
    ),
    "a dropped column": (
        dict(header=HEADER.replace(",unit", "")),
        [fact(2).replace(",trains,exact", ",exact")],
        ":1: header: missing column(s) unit",
    ),
    "a date before 1677": ({}, [fact(2, period_start="1600-01-01")], ":2: period_start: 1600-01-01 is outside"),
    "a date after 2262": ({}, [fact(2, period_end="2263-01-01")], ":2: period_end: 2263-01-01 is outside"),
    "a value of 1e308": ({}, [fact(2, value="1e308")], ":2: value: not a number: '1e308'"),
    "a value beyond the ceiling": ({}, [fact(2, value="20000000")], ":2: value: 20,000,000 is above the ceiling"),
    "an id with ';'": ({}, [fact(2, id="U6;x")], ":2: id: 'U6;x': ids are"),
    "a NUL byte in a number": ({}, [fact(2, value="10\x000")], ":2: value: contains an invisible character U+0000"),
    "9_000": ({}, [fact(2, value="9_000")], ":2: value: not a number: '9_000'"),
    "Arabic-Indic digits": ({}, [fact(2, value="\u0669\u0660\u0660")], ":2: value: not a number"),
    "a bidi override in a note": (
        {},
        [fact(2, note="evil \u202egnp.exe")],
        ":2: note: contains an invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
    ),
    "Latin-1 bytes": (dict(encoding="latin-1"), [fact(2, note="Chang'an caf\u00e9")], ":2: file: not UTF-8 text"),
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_a_hostile_file_is_one_line_per_problem_and_changes_nothing(name, tmp_path, home):
    options, lines, fragment = HOSTILE_FILES[name]
    bad = facts_file(tmp_path / "bad.csv", *lines, **options)
    empty_home = tmp_path / "empty-home"  # nothing in it: the add used to crash here
    assert_clean_failure(forecast(empty_home, "data", "add", bad), 2, f"{bad}{fragment}")
    assert not (empty_home / "observations.csv").exists()
    assert forecast(home, "data", "add", facts_file(tmp_path / "good.csv", fact(1))).exit_code == 0
    before = (home / "observations.csv").read_bytes()
    for command in ("validate", "add"):
        assert_clean_failure(forecast(home, "data", command, bad), 2, f"{bad}{fragment}")
    assert (home / "observations.csv").read_bytes() == before


def test_the_same_fact_under_a_new_id_is_refused_and_the_user_file_still_loads(tmp_path, home):
    assert forecast(home, "data", "add", facts_file(tmp_path / "a.csv", fact(1))).exit_code == 0
    copy = facts_file(tmp_path / "b.csv", fact(1).replace("U1,", "U9,", 1))
    assert_clean_failure(forecast(home, "data", "add", copy), 2, f"{copy}:2: row: the same fact as 'U1'")
    assert read_observations(home / "observations.csv")["id"].tolist() == ["U1"]
    assert forecast(home, "data", "list").exit_code == 0


def test_an_excel_file_with_a_byte_order_mark_is_read(tmp_path, home):
    excel = facts_file(tmp_path / "excel.csv", fact(1), prefix="\ufeff")
    assert forecast(home, "data", "validate", excel).stdout.startswith(f"{excel}: ok, 1 rows")
    assert forecast(home, "data", "add", excel).exit_code == 0
    assert (home / "observations.csv").read_bytes().startswith(b"id,entity")  # written back without the mark


def test_out_of_range_dates_and_numbers_in_series_input_are_refused(tmp_path, home):
    old = tmp_path / "old.csv"
    old.write_text("unique_id,ds,y\na,1600-01-01,1\na,1601-01-01,2\n")
    assert_clean_failure(forecast(home, "predict", old, "-h", "1"), 2, f"{old}:2: ds:")
    huge = tmp_path / "huge.csv"
    huge.write_text(
        "unique_id,ds,y\n" + "".join(f"b,{y}-01-01,{'1e308' if y == 2019 else y}\n" for y in range(2000, 2020))
    )
    assert_clean_failure(
        forecast(home, "predict", huge, "-h", "2", "-m", "naive"), 2, f"{huge}:21: y: '1e308' is larger"
    )


# 2. A lock around the user file; killed writers ---------------------------------------------------------------


def test_two_adds_at_once_both_land(tmp_path):
    first = facts_file(tmp_path / "a.csv", fact(1))
    second = facts_file(tmp_path / "b.csv", fact(2, year=2031))
    for trial in range(2):
        home = tmp_path / f"home{trial}"
        processes = [spawn(home, "data", "add", first), spawn(home, "data", "add", second)]
        outputs = [p.communicate(timeout=600) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], outputs
        assert sorted(read_observations(home / "observations.csv")["id"]) == ["U1", "U2"]


def test_a_killed_add_never_leaves_a_truncated_file_and_its_temp_is_cleaned(tmp_path):
    existing = [fact(n, year=1900 + n % 199, entity="national", note=f"existing {n}") for n in range(1, 3001)]
    new = facts_file(tmp_path / "new.csv", fact(5000, year=2099, note="new"))
    states = set()
    for trial, delay in enumerate((0.0, 0.05, 0.3)):
        home = tmp_path / f"home{trial}"
        home.mkdir()
        facts_file(home / "observations.csv", *existing)
        before = (home / "observations.csv").read_bytes()
        process = spawn(home, "data", "add", new)
        while process.poll() is None and not (home / "observations.csv.lock").exists():
            time.sleep(0.001)  # the lock file appears once the add has validated its input and starts merging
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        after = read_observations(home / "observations.csv")  # whole and valid whenever the kill came
        assert len(after) in (3000, 3001) and (len(after) == 3001 or (home / "observations.csv").read_bytes() == before)
        states.add(len(after))
        assert forecast(home, "data", "add", new).exit_code == 0
        assert len(read_observations(home / "observations.csv")) == 3001
        assert not list(home.glob(".observations.csv.*.tmp"))
    assert states  # (which states occurred depends on timing; every one of them was a whole file)


def test_a_temp_file_left_by_a_killed_writer_is_removed_on_the_next_write(tmp_path, home):
    """A writer killed inside forecast.paths.write_atomically (the one writer of user files) leaves its temp."""
    code = (
        "import sys, time; from forecast.paths import write_atomically; "
        "write_atomically(sys.argv[1], lambda h: (h.write('id,entity\\n'), h.flush(), print('ready', flush=True), "
        "time.sleep(60)))"
    )
    killed = subprocess.Popen(
        [sys.executable, "-c", code, str(home / "observations.csv")], stdout=subprocess.PIPE, text=True
    )
    assert killed.stdout.readline().strip() == "ready"
    killed.send_signal(signal.SIGKILL), killed.wait()
    assert len(list(home.glob(".observations.csv.*.tmp"))) == 1 and not (home / "observations.csv").exists()
    assert forecast(home, "data", "add", facts_file(tmp_path / "a.csv", fact(1))).exit_code == 0
    assert not list(home.glob(".observations.csv.*.tmp"))


def test_user_data_and_reports_are_written_with_the_umask_mode(tmp_path, home, report_store):
    previous = os.umask(0o022)
    try:
        assert forecast(home, "data", "add", facts_file(tmp_path / "a.csv", fact(1))).exit_code == 0
        assert forecast(home, "report", "--store", report_store, "--output", tmp_path / "out").exit_code == 0
    finally:
        os.umask(previous)
    for path in (home / "observations.csv", tmp_path / "out" / "report.html", tmp_path / "out" / "report.md"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


# 3. The conflict rule -----------------------------------------------------------------------------------------


def hub_home(path, *lines: str):
    """A fresh ``$FORECAST_HOME`` whose catalogue adds a hub of the user's own, ``testhub``, and whose own facts
    (added through ``data add``) are ``lines``: the hub's only facts, so nothing bundled takes part."""
    path.mkdir()
    (path / "entities.csv").write_text("slug,name,kind,parents\ntesthub,Test hub,hub,\n")
    assert forecast(path, "data", "add", facts_file(path.parent / f"{path.name}.csv", *lines)).exit_code == 0
    return path


def conflicts_and_2018(home) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``data conflicts testhub`` and the 2018 rows of ``data show testhub``, both parsed back."""
    table = pd.read_csv(io.StringIO(forecast(home, "data", "conflicts", "testhub", "--format", "csv").stdout))
    shown = pd.read_csv(
        io.StringIO(forecast(home, "data", "show", "testhub", "--metric", "trains", "--format", "csv").stdout),
        dtype={"ds": str},
    )
    return table, shown[shown["ds"] == "2018"]


USER_FIVE = fact(7, year=2018, value="5", entity="testhub")  # a user's 2018 figure, published 2019-01-10


def test_copies_of_one_release_do_not_outvote_a_user_figure_by_number_alone(tmp_path):
    """One release of 1,235 for 2018 reposted by three outlets (the same statement: one source) against a user's 5:
    one source each, the same wording, so the tie-break (the newer publication, the user's) decides — not the
    number of outlets."""
    copies = [
        fact(k, year=2018, value="1235", entity="testhub", id=f"C{k}", published=f"2019-01-0{k}") for k in (1, 2, 3)
    ]
    table, year = conflicts_and_2018(hub_home(tmp_path / "home", *copies, USER_FIVE))
    (row,) = table.itertuples()
    assert row.fact_ids == "C1;C2;C3" and row.against == "U7"  # the copies are one statement, set aside as one
    assert "(1 source, exact) against 1 kept fact from 1 other source" in row.resolution
    assert "fewer independent sources" not in row.resolution
    assert year[["unique_id", "y", "sources"]].values.tolist() == [["testhub/trains/reported", 5, "U7"]]


INDEPENDENT = {
    # 2018: 1,235 (S1) and 2019: 1,482 "+20 %" (S2): 1482 / 1.2 = 1,235, two statements that agree
    "a growth rate of the next year": [
        fact(1, year=2018, value="1235", entity="testhub", id="S1", published="2019-01-05"),
        fact(2, year=2019, value="1482", entity="testhub", id="S2", published="2020-01-05", yoy_pct="20"),
    ],
    # 2018: 1,235 (S1) and its halves, 601 (S2) + 634 (S3) = 1,235
    "the two halves of the year": [
        fact(1, year=2018, value="1235", entity="testhub", id="S1", published="2019-01-05"),
        fact(2, year=2018, value="601", entity="testhub", id="S2", published="2018-07-05", period_end="2018-06-30"),
        fact(3, year=2018, value="634", entity="testhub", id="S3", published="2019-01-08", period_start="2018-07-01"),
    ],
}


@pytest.mark.parametrize("agreeing", INDEPENDENT)
def test_one_user_figure_does_not_outvote_two_independent_sources(agreeing, tmp_path):
    """A user's 5 for 2018 against two independent statements that agree on 1,235: the user figure is set aside
    (fewer independent sources), both statements are kept, and 2018 shows 1,235."""
    table, year = conflicts_and_2018(hub_home(tmp_path / "home", *INDEPENDENT[agreeing], USER_FIVE))
    mine = table[table["fact_ids"] == "U7"]
    assert len(mine) == 1 and "fewer independent sources" in mine["resolution"].item(), table.to_string()
    assert not table["fact_ids"].str.contains("S").any(), table.to_string()  # no agreeing statement set aside
    assert year[["unique_id", "y"]].values.tolist() == [["testhub/trains/reported", 1235]]  # one series: no split


def test_the_report_says_which_side_was_kept_and_why(tmp_path, bundled_rec, monkeypatch):
    home = home_with_cache(hub_home(tmp_path / "home", *INDEPENDENT["a growth rate of the next year"], USER_FIVE))
    monkeypatch.setenv("FORECAST_HOME", str(home))
    observations = load_observations()
    rec = reconciled(observations)
    store = tmp_path / "store.duckdb"
    write_run(
        store,
        RunRecord("conflicts"),
        {"series": rec.series[rec.series["entity"] == "testhub"], "conflicts": conflict_rows(rec.conflicts)},
    )
    html, md = build_report(store, output_dir=tmp_path / "report", observations=observations)
    for text in (html.read_text(), md.read_text()):  # the user's 5 set aside against S1 and S2, which agree
        assert "U7" in text and "fewer independent sources" in text and "S1" in text and "S2" in text


# 4. No traceback reaches a user -------------------------------------------------------------------------------


def cases(tmp_path) -> list[tuple[list, int, str]]:
    """(arguments, exit code, text the one line must hold) for bad requests to every command."""
    folder = tmp_path / "a-directory"
    folder.mkdir(exist_ok=True)
    annual = tmp_path / "annual.csv"
    annual.write_text("unique_id,ds,y\n" + "".join(f"a,{y}-01-01,{100 + y - 2000}\n" for y in range(2000, 2020)))
    monthly = "".join(f"m,2020-{m:02d}-01,{100 + m}\n" for m in range(1, 13))
    offgrid, mixed, irregular = tmp_path / "offgrid.csv", tmp_path / "mixed.csv", tmp_path / "irregular.csv"
    offgrid.write_text("unique_id,ds,y\n" + monthly + "m,2020-06-15,999\n")
    mixed.write_text("unique_id,ds,y\n" + monthly + "".join(f"a,{y}-01-01,{y}\n" for y in range(2010, 2021)))
    irregular.write_text("unique_id,ds,y\nr,2020-01-01,1\nr,2020-01-20,2\nr,2020-03-07,3\nr,2020-05-02,4\n")
    nul = tmp_path / "nul.csv"
    nul.write_text(annual.read_text() + "a,2020-01-01,1\x002\n")
    good = facts_file(tmp_path / "good.csv", fact(1))
    target = ["target", "xian", "--year", "2025"]
    return [
        (["data", "validate", folder], 2, "is a directory"),
        (["data", "add", folder], 2, "is a directory"),
        (["data", "add", good, "--target", folder], 2, "is a directory"),
        (["data", "add", tmp_path / "missing.csv"], 2, "no such file"),
        (["data", "show", "atlantis"], 2, "unknown entity"),
        (["data", "list", "--rule", "vote"], 2, "unknown conflict rule"),
        (["predict", folder, "-h", "2"], 2, "is a directory"),
        (["predict", annual, "-h", "2", "--output", folder], 2, "is a directory"),
        (["predict", annual, "-h", "300"], 2, "the horizon can be at most 180"),
        (["predict", annual, "-h", "2", "--samples", "100000000"], 2, "--samples must be between"),
        (["predict", annual, "-h", "100000", "--samples", "1000"], 2, "numbers per series"),
        (["predict", annual, "-h", "2", "--jobs", "100000"], 2, "--jobs must be at most"),
        (["predict", offgrid, "-h", "2"], 2, f"{offgrid}:14: ds: series 'm': 2020-06-15 is not on its monthly grid"),
        (["predict", mixed, "-h", "2"], 2, "series 'a' is annual but series 'm' is monthly"),
        (["predict", irregular, "-h", "2"], 2, f"{irregular}:3: ds: series 'r'"),
        (["predict", nul, "-h", "2"], 2, f"{nul}:22: file: contains a NUL byte"),
        (["backtest", folder, "--horizon", "1"], 2, "is a directory"),
        (["backtest", annual, "--horizon", "1", "-m", "naive", "--output", folder], 2, "is a directory"),
        ([*target, "--at-least", "5000", "--basis", "nonsense"], 2, "basis: 'nonsense' is not one of"),
        ([*target, "--at-least", "inf"], 2, "value: inf is not a finite number"),
        ([*target, "--at-least", "5000", "--samples", "100000000"], 2, "--samples must be between 1 and 100,000"),
        (["target", "--all", "--targets", folder], 2, "is a directory"),
        (["report", "--store", folder], 2, "no store here yet"),
        (["report", "--store", tmp_path / "none.duckdb"], 2, "no store here yet"),
        (["run", "--data", folder], 2, "is a directory"),
        (["schedule", "--print", "cron", "--command", "forecast; rm"], 2, "--command"),
    ]


def test_no_command_shows_a_traceback(tmp_path, home):
    for args, code, fragment in cases(tmp_path):
        result = forecast(home, *args)
        assert_clean_failure(result, code, fragment)


def test_debug_shows_the_traceback(tmp_path, home):
    args = ["data", "show", "atlantis"]
    for result in (forecast(home, "--debug", *args), forecast(home, *args, env={"FORECAST_DEBUG": "1"})):
        assert result.exit_code == 1 and type(result.exception).__name__ == "InputError"
    process = run(home, "--debug", *args)
    assert process.returncode == 1 and "Traceback (most recent call last)" in process.stderr


@pytest.fixture
def report_store(tmp_path, bundled_rec):
    """A small real store: one run with the xian series."""
    path = tmp_path / "small.duckdb"
    rec = bundled_rec
    write_run(path, RunRecord("small"), {"series": rec.series[rec.series["entity"] == "xian"]})
    return path


@pytest.mark.parametrize("damage", ["truncated", "checksum"])
def test_a_damaged_store_is_one_line_before_anything_is_computed(damage, tmp_path, report_store):
    home = tmp_path / "bare-home"
    data = bytearray(report_store.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 3]
    else:
        data[4096:4608] = b"\x5a" * 512  # a used block whose checksum no longer matches
    report_store.write_bytes(bytes(data))
    for args in (["report", "--store", report_store, "--output", tmp_path / "out"], ["run", "--store", report_store]):
        (line,) = assert_clean_failure(forecast(home, *args), 2, f"error: {report_store}: ")
        assert "cannot open as a DuckDB store" in line or "the store is damaged" in line
    assert not (home / "cache").exists()  # the run stopped before reconciling anything


@pytest.mark.skipif(not can_drop_privileges(), reason="needs a non-root user or setpriv to make a directory read-only")
def test_readers_work_in_a_read_only_home(tmp_path, report_store, bundled_rec):
    home = home_with_cache(tmp_path / "read-only-home")  # the user fact below changes xian's group: not cached
    store = home / "forecast.duckdb"
    store.write_bytes(report_store.read_bytes())
    facts_file(home / "observations.csv", fact(1))
    before = (home / "observations.csv").read_bytes()
    for path in (home, home / "cache", store, home / "observations.csv"):
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        report = run(home, "report", "--output", tmp_path / "elsewhere", unprivileged=True)
        assert report.returncode == 0 and (tmp_path / "elsewhere" / "report.html").exists(), report.stderr
        listed = run(home, "data", "list", unprivileged=True)  # reconciles xian, and cannot write the cache
        assert listed.returncode == 0 and "xian" in listed.stdout, listed.stderr
        assert_clean_failure(run(home, "run", unprivileged=True), 2, "cannot write the store here")
        assert_clean_failure(run(home, "report", unprivileged=True), 2, "Permission denied")
        added = run(home, "data", "add", facts_file(tmp_path / "b.csv", fact(2)), unprivileged=True)
        assert_clean_failure(added, 2, "Permission denied")
        assert (home / "observations.csv").read_bytes() == before
    finally:
        for folder in (home, home / "cache"):
            folder.chmod(0o755)
