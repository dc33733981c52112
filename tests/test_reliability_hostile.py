"""Issue 23's reproductions, each through the real CLI, real files, real DuckDB and real processes: nothing the
toolkit writes or loads can hurt the user. Saved models run no code from a file they did not write; outputs
replace nothing they do not own; a store is read as data; a fact from the future is refused; workers end with
their parent; bad inputs are one line and exit 2."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import signal
import stat
import subprocess
import sys
import threading
import time

import duckdb
import numpy as np
import pandas as pd
import pytest
from cli_runs import assert_clean_failure, forecast, run
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data.schema import COLUMNS
from forecast.limits import TODAY_ENV
from forecast.store import RunRecord, write_run
from forecast.store.connection import open_store

pytestmark = pytest.mark.reliability


@pytest.fixture
def series(tmp_path):
    """Two annual series, a and b, of twelve years."""
    path = tmp_path / "two.csv"
    rows = [
        f"{uid},{year}-01-01,{level + 10 * (year - 2010) + (year % 3)}"
        for uid, level in (("a", 100), ("b", 5000))
        for year in range(2010, 2022)
    ]
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


HEADER = ",".join(COLUMNS)


def past_fact(number: int, entity: str = "xian", year: int = 1990, **fields) -> str:
    """One observation line: a full-year train count in a year no bundled fact covers, published after it."""
    values = {
        "id": f"U{number}",
        "entity": entity,
        "metric": "trains",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "kind": "total",
        "value": "100",
        "unit": "trains",
        "qualifier": "exact",
        "yoy_pct": "",
        "source_url": f"https://example.org/{number}",
        "published": f"{year + 1}-01-10",
        "note": f"user fact {number}",
        **fields,
    }
    return ",".join(values[c] for c in COLUMNS)


def facts_file(path, *lines: str, header: str = HEADER):
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.fixture
def small_store(tmp_path):
    """A real store with one run: one annual series."""
    path = tmp_path / "small.duckdb"
    years = pd.to_datetime([f"{y}-01-01" for y in range(2016, 2025)])
    series = pd.DataFrame(
        {
            "unique_id": "national/trains/reported",
            "entity": "national",
            "metric": "trains",
            "basis": "reported",
            "freq": "annual",
            "ds": years,
            "y": [1702.0, 3673, 6363, 8225, 12406, 15183, 16562, 17523, 19000],
        }
    )
    mean = 19000 * 1.05 ** np.arange(1, 4)
    forecasts = pd.DataFrame(
        {
            "unique_id": "national/trains/reported",
            "model": "auto",
            "ds": pd.to_datetime(["2025-01-01", "2026-01-01", "2027-01-01"]),
            "freq": "annual",
            "as_of": pd.Timestamp("2025-03-31"),
            "status": ["in progress", "forecast", "forecast"],
            **{column: mean for column in ("mean", "q50", "prior_mean")},
            **{column: mean * 0.9 for column in ("q10", "lo_80", "lo_95")},
            **{column: mean * 1.1 for column in ("q90", "hi_80", "hi_95")},
        }
    )
    write_run(path, RunRecord("small"), {"series": series, "forecasts": forecasts})
    return path


class Evil:
    """A pickle that would run code when read: it creates a file."""

    def __init__(self, flag):
        self.flag = str(flag)

    def __reduce__(self):
        return (os.system, (f"touch {self.flag}",))


def saved(home, series, folder, *options):
    result = forecast(home, "predict", series, "-h", "3", "-m", "naive", "--save", folder, *options)
    assert result.exit_code == 0, result.stderr
    return json.loads((folder / "manifest.json").read_text())


# 1. --save removes nothing it did not write ---------------------------------------------------------------------


def test_save_refuses_a_foreign_folder_with_a_manifest_and_keeps_its_files(tmp_path, series):
    home, proj = tmp_path / "home", tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "manifest.json").write_text("{}")
    (proj / "src" / "app.js").write_text("code")
    result = forecast(home, "predict", series, "-h", "3", "-m", "naive", "--save", proj)
    assert_clean_failure(result, 2, "not a saved-models folder forecast wrote for you")
    assert (proj / "src" / "app.js").read_text() == "code" and (proj / "manifest.json").read_text() == "{}"


def test_save_into_the_current_foreign_folder_removes_nothing(tmp_path, series, monkeypatch):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "manifest.json").write_text("{}")
    (proj / "two.csv").write_bytes(series.read_bytes())
    monkeypatch.chdir(proj)
    result = forecast(tmp_path / "home", "predict", "two.csv", "-h", "3", "-m", "naive", "--save", ".")
    assert_clean_failure(result, 2, "not a saved-models folder forecast wrote for you")
    assert sorted(p.name for p in proj.iterdir()) == ["manifest.json", "two.csv"]


def test_save_again_replaces_only_its_own_files(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    first = saved(home, series, folder)
    (folder / "notes.txt").write_text("mine")
    second = saved(home, series, folder)
    files = {entry["file"] for entry in second["entries"]}
    assert {p.name for p in folder.iterdir()} == files | {"manifest.json", "notes.txt"}
    assert not files & {entry["file"] for entry in first["entries"]}
    key = home / "signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


# 2. --load runs no code and uses no file it did not write for this series -----------------------------------------


def test_a_pickle_outside_the_folder_or_an_unsigned_manifest_is_refused_before_unpickling(tmp_path, series):
    home, folder, flag = tmp_path / "home", tmp_path / "models", tmp_path / "ran"
    manifest = saved(home, series, folder)
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Evil(flag)))
    for name in ("/elsewhere/evil.pkl", str(tmp_path / "evil.pkl"), "../evil.pkl"):
        edited = json.loads(json.dumps(manifest))
        edited["entries"][0]["file"] = name
        (folder / "manifest.json").write_text(json.dumps(edited))
        for trust in ((), ("--trust",)):
            result = forecast(home, "predict", "-h", "2", "--load", folder, *trust)
            assert_clean_failure(result, 2, "entries[0].file: not the name of a model file in this folder")
    (folder / manifest["entries"][0]["file"]).write_bytes(pickle.dumps(Evil(flag)))
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    (folder / "manifest.json").write_text(json.dumps(unsigned))
    (line,) = assert_clean_failure(
        forecast(home, "predict", "-h", "2", "--load", folder), 2, "not signed with your key"
    )
    assert manifest["signature"] not in line
    (folder / "manifest.json").write_text(json.dumps(manifest))  # signed, but the file is not the one listed
    (line,) = assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, "changed or swapped")
    assert manifest["entries"][0]["sha256"] not in line
    assert not flag.exists()


def test_swapped_pickles_are_refused_even_with_trust(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    a, b = (folder / entry["file"] for entry in manifest["entries"])
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b), b.write_bytes(data_a)
    for trust in ((), ("--trust",)):
        result = forecast(home, "predict", series, "-h", "2", "--load", folder, *trust)
        assert_clean_failure(result, 2, "not the file saved for series 'a'")


def test_models_saved_by_another_user_load_only_with_trust(tmp_path, series):
    folder = tmp_path / "models"
    saved(tmp_path / "someone-else", series, folder)
    assert_clean_failure(forecast(tmp_path / "me", "predict", "-h", "2", "--load", folder), 2, "pass --trust")
    trusted = forecast(tmp_path / "me", "predict", "-h", "2", "--load", folder, "--trust")
    assert trusted.exit_code == 0, trusted.stderr


MALFORMED = {
    "not JSON": "{",
    "a list": "[]",
    "no format": {"format": None},
    "format 1": {"format": 1},
    "a bad freq": {"freq": "hourly"},
    "season length as text": {"season_length": "1"},
    "no models": {"models": []},
    "levels as text": {"levels": "80"},
    "settings as a list": {"settings": []},
    "no entries": {"entries": []},
    "an entry as text": {"entries": ["x"]},
    "an entry without its series": {"entries": [{"file": "x.pkl"}]},
    "a deeply nested document": "[" * 100_000 + "]" * 100_000,
    "Latin-1 bytes": b'{"format": "\xe9"}',
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_manifest_is_one_line_naming_the_file(name, tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    change = MALFORMED[name]
    path = folder / "manifest.json"
    if isinstance(change, bytes):
        path.write_bytes(change)
    else:
        path.write_text(change if isinstance(change, str) else json.dumps({**manifest, **change}))
    assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, str(path))


def test_a_truncated_pickle_is_one_line(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    model = folder / manifest["entries"][0]["file"]
    model.write_bytes(model.read_bytes()[:20])
    assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, f"{model}: not the file saved")
    trusted = {**manifest}  # a trusted author's truncated file: the hash matches, the pickle is damaged
    trusted["entries"][0]["sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(trusted))
    result = forecast(home, "predict", "-h", "2", "--load", folder, "--trust")
    assert_clean_failure(result, 2, f"{model}: damaged saved model")


def test_the_default_load_forecasts_as_before(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    saved(home, series, folder)
    again = forecast(home, "predict", series, "-h", "3", "--load", folder, "--format", "csv")
    assert again.exit_code == 0, again.stderr
    assert set(pd.read_csv(io.StringIO(again.stdout))["unique_id"]) == {"a", "b"}


# 3. Outputs are written through what the user owns, never replaced -------------------------------------------------


def test_an_output_symlink_stays_a_link_and_its_target_is_written(tmp_path, series):
    target, link = tmp_path / "real.csv", tmp_path / "link.csv"
    target.write_text("old")
    target.chmod(0o600)
    link.symlink_to(target)
    result = forecast(tmp_path / "home", "predict", series, "-h", "2", "-m", "naive", "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and target.read_text().startswith("unique_id,ds")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the user's mode is kept


def test_an_output_fifo_is_written_through(tmp_path, series):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = forecast(tmp_path / "home", "predict", series, "-h", "2", "-m", "naive", "-o", fifo)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode) and received[0].startswith("unique_id,ds")


@pytest.mark.parametrize("output", ["-", "/dev/stdout"])
def test_an_output_to_standard_output_prints_the_table(output, tmp_path, series):
    result = run(tmp_path / "home", "predict", series, "-h", "2", "-m", "naive", "-o", output, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("unique_id,ds") and len(result.stdout.splitlines()) == 5


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_full_device_fails_with_one_line_and_stays_a_device(tmp_path, series):
    full = tmp_path / "full"
    os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))  # /dev/full
    result = forecast(tmp_path / "home", "predict", series, "-h", "2", "-m", "naive", "-o", full)
    assert_clean_failure(result, 1, "No space left on device")
    assert stat.S_ISCHR(full.stat().st_mode)


def test_the_user_observations_file_keeps_its_link_and_mode(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "mine" / "observations.csv"
    home.mkdir()
    elsewhere.parent.mkdir()
    elsewhere.write_text(HEADER + "\n")
    elsewhere.chmod(0o600)
    (home / "observations.csv").symlink_to(elsewhere)
    result = forecast(home, "data", "add", facts_file(tmp_path / "new.csv", past_fact(1)))
    assert result.exit_code == 0, result.stderr
    assert (home / "observations.csv").is_symlink() and "U1," in elsewhere.read_text()
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o600
    assert sorted(p.name for p in home.iterdir()) == ["observations.csv", "observations.csv.lock"]


def test_an_input_that_never_ends_or_never_opens_is_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for source in (fifo, "/dev/zero"):
        result = forecast(tmp_path / "home", "predict", source, "-h", "2")
        assert_clean_failure(result, 2, "not a regular file")


# 4. A report replaces only the charts it wrote -------------------------------------------------------------------


def test_a_report_never_touches_the_users_own_charts(tmp_path, small_store):
    site = tmp_path / "site"
    (site / "charts").mkdir(parents=True)
    (site / "charts" / "chart-001.svg").write_text("my logo")
    result = forecast(tmp_path / "home", "report", "--store", small_store, "--output", site)
    assert_clean_failure(result, 2, "chart-001.svg: not a chart forecast wrote")
    assert not (site / "report.html").exists() and (site / "charts" / "chart-001.svg").read_text() == "my logo"
    (site / "charts" / "chart-001.svg").rename(site / "charts" / "chart-999.svg")
    for _ in range(2):  # the second report replaces the first one's charts
        result = forecast(tmp_path / "home", "report", "--store", small_store, "--output", site)
        assert result.exit_code == 0, result.stderr
    assert (site / "charts" / "chart-999.svg").read_text() == "my logo"
    assert (site / "charts" / "chart-001.svg").read_text().startswith("<svg")


# 5. A store is data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE conflicts; CREATE VIEW conflicts AS SELECT * FROM read_text('/etc/passwd')",
        "CREATE MACRO leak() AS TABLE SELECT * FROM read_text('/etc/passwd')",
    ],
)
def test_a_store_with_views_or_macros_is_refused_and_reads_no_file(sql, tmp_path, small_store):
    con = duckdb.connect(str(small_store))
    con.execute(sql)
    con.close()
    out = tmp_path / "out"
    result = forecast(tmp_path / "home", "report", "--store", small_store, "--output", out)
    assert_clean_failure(result, 2, "not a forecast store: it holds")
    assert not out.exists()
    with open_store(tmp_path / "other.duckdb") as con:  # even a store's own queries cannot read files
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/passwd')")


# 6. Dates checked against today ---------------------------------------------------------------------------------


def test_a_fact_from_the_future_is_refused_with_its_reason(tmp_path, monkeypatch):
    monkeypatch.setenv(TODAY_ENV, "2026-12-08")
    home = tmp_path / "home"
    future = facts_file(tmp_path / "future.csv", past_fact(1, published="2099-12-31"))
    for command in ("validate", "add"):
        result = forecast(home, "data", command, future)
        assert_clean_failure(result, 2, f"{future}:2: published: 2099-12-31 is after today (2026-12-08)")
    early = facts_file(tmp_path / "early.csv", past_fact(2, published="1990-06-30"))
    assert_clean_failure(forecast(home, "data", "add", early), 2, f"{early}:2: published: 1990-06-30 is before")
    assert not (home / "observations.csv").exists()
    target = past_fact(3, kind="target", qualifier="at_least", published="1990-03-01")
    month = past_fact(4, year=1991, published="1992-01")  # a partial date: some day of it is after the period
    undated = past_fact(5, year=1992, published="")
    result = forecast(home, "data", "add", facts_file(tmp_path / "ok.csv", target, month, undated))
    assert result.exit_code == 0, result.stderr
    monkeypatch.setenv(TODAY_ENV, "1991-06-01")  # "today" is injectable: the same month is now in the future
    later = facts_file(tmp_path / "later.csv", past_fact(6, year=1989, published="1991-07"))
    assert_clean_failure(forecast(home, "data", "validate", later), 2, "1991-07 is after today (1991-06-01)")


@pytest.mark.parametrize(
    "as_of, fragment",
    [
        ("2025-06-30T12:00:00+08:00", "has a time zone"),
        ("9999-12-31", "outside the supported dates"),
        ("30/06/2025x", "not a date"),
    ],
)
def test_as_of_is_a_day_within_the_supported_dates(as_of, fragment, tmp_path):
    result = forecast(tmp_path / "home", "predict", "--entity", "xian", "-h", "1", "--as-of", as_of)
    assert_clean_failure(result, 2, "as_of: ")
    assert fragment in result.stderr


# 7. Workers end with their parent ------------------------------------------------------------------------------

POOL = (
    "import time; from forecast.executor import run; "
    "run(time.sleep, [30.0] * 8, engine='processes', jobs=2, progress=False)"
)


def children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    return [int(c) for c in open(path).read().split()] if os.path.exists(path) else []


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads the process tree from /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_workers_end_with_their_parent(sig):
    parent = subprocess.Popen([sys.executable, "-c", POOL])
    deadline = time.monotonic() + 60
    while len(children(parent.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(parent.pid)
    assert len(workers) >= 2, workers
    time.sleep(0.5)  # the workers are asleep in their tasks
    parent.send_signal(sig)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [w for w in workers if alive(w)]
    for pid in survivors:  # leave nothing behind on a failure either
        os.kill(pid, signal.SIGKILL)
    assert not survivors


# 8-9. Bad inputs are one line, exit 2, naming the file and field ----------------------------------------------------


def test_unclear_series_dates_are_refused_naming_the_line(tmp_path):
    zoned, us = tmp_path / "zoned.csv", tmp_path / "us.csv"
    zoned.write_text("unique_id,ds,y\n" + "".join(f"a,{y}-01-01T00:00:00+08:00,{y}\n" for y in range(2010, 2016)))
    us.write_text("unique_id,ds,y\na,01/02/2020,1\na,01/03/2020,2\na,01/04/2020,3\n")
    result = forecast(tmp_path / "home", "predict", zoned, "-h", "2", "-m", "naive")
    assert_clean_failure(result, 2, f"{zoned}:2: ds: '2010-01-01T00:00:00+08:00' has a time zone")
    result = forecast(tmp_path / "home", "predict", us, "-h", "2", "-m", "naive")
    assert_clean_failure(result, 2, f"{us}:2: ds: '01/02/2020' is day-first or month-first?")


def test_an_empty_or_binary_selection_is_one_line(tmp_path, series):
    empty, binary = tmp_path / "empty.csv", tmp_path / "binary.csv"
    empty.write_text("")
    binary.write_bytes(bytes(range(256)) * 4)
    for path in (empty, binary):
        result = forecast(tmp_path / "home", "predict", series, "-h", "2", "--selection", path)
        assert_clean_failure(result, 2, str(path))


ENTITY_FILES = {
    "empty": ("", ":1: header: file is empty"),
    "Latin-1": ("slug,name,kind,parents\nfoo,Caf\xe9,hub,national\n", ":2: file: not UTF-8 text"),
    "without parents": ("slug,name,kind\nfoo,Foo,hub\n", ":1: header: missing column(s) parents"),
    "its own parent": ("slug,name,kind,parents\nfoo,Foo,hub,foo\n", ":2: parents: 'foo' would be its own ancestor"),
    "a cycle": ("slug,name,kind,parents\nfoo,Foo,hub,bar\nbar,Bar,hub,foo\n", ":2: parents: 'foo' would be its own"),
    "the nation under a hub": ("slug,name,kind,parents\nnational,N,national,xian\n", ":2: parents: 'national' is a"),
    "an unknown parent": ("slug,name,kind,parents\nfoo,Foo,hub,atlantis\n", ":2: parents: unknown entity 'atlantis'"),
}


@pytest.mark.parametrize("name", ENTITY_FILES)
def test_the_user_entities_file_is_validated(name, tmp_path):
    text, fragment = ENTITY_FILES[name]
    home = tmp_path / "home"
    home.mkdir()
    (home / "entities.csv").write_bytes(text.encode("latin-1"))
    result = forecast(home, "data", "validate", facts_file(tmp_path / "facts.csv", past_fact(1)))
    assert_clean_failure(result, 2, f"{home / 'entities.csv'}{fragment}")


def test_a_user_entity_with_existing_parents_is_accepted(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "entities.csv").write_text("slug,name,kind,parents\nfoo,Foo,hub,henan;national\n")
    result = forecast(home, "data", "validate", facts_file(tmp_path / "facts.csv", past_fact(1, entity="foo")))
    assert result.exit_code == 0, result.stderr


def test_a_damaged_cache_entry_is_rebuilt_with_a_warning(tmp_path, monkeypatch, capsys):
    from hand_facts import facts, years

    from forecast.data.cache import cached_group

    monkeypatch.setenv("FORECAST_HOME", str(tmp_path / "home"))
    group = facts(*years({2021: 4218, 2022: 4461, 2023: 4837}))
    first = cached_group(group)
    (entry,) = (tmp_path / "home" / "cache").iterdir()
    for damage in (entry.read_bytes()[:40], pickle.dumps([1, 2]), b"\x80\x04garbage"):
        entry.write_bytes(damage)
        again = cached_group(group)
        assert f"warning: {entry}: damaged cache entry, rebuilt" in capsys.readouterr().err
        pd.testing.assert_frame_equal(again.series, first.series)
        assert entry.read_bytes() != damage  # rebuilt on disk too
    cached_group(group)
    assert capsys.readouterr().err == ""


def test_an_empty_forecast_home_and_an_absurd_threshold_are_one_line(tmp_path):
    result = forecast(tmp_path, "data", "validate", facts_file(tmp_path / "f.csv", past_fact(1)), env={})
    empty = CliRunner().invoke(app, ["data", "list"], env={"FORECAST_HOME": ""})
    assert_clean_failure(empty, 2, "FORECAST_HOME is set but empty")
    assert result.exit_code == 0
    huge = forecast(tmp_path / "home", "target", "xian", "--year", "2026", "--at-least", "1e308")
    assert_clean_failure(huge, 2, "--at-least: 1e+308 is above the ceiling for trains")


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_a_full_disk_is_said_as_such_and_the_store_stays_whole(tmp_path, small_store):
    from forecast.cli.common import explain
    from forecast.store.read import list_runs

    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        store = disk / "store.duckdb"
        store.write_bytes(small_store.read_bytes())
        runs = list(list_runs(store)["run_id"])
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError:
            pass
        finally:
            os.close(fd)
        rows = pd.DataFrame({"unique_id": "x", "ds": pd.date_range("1900-01-01", periods=50_000, freq="D"), "y": 1.0})
        with pytest.raises(Exception) as failed:
            write_run(store, RunRecord("big"), {"series": rows})
        (line,), code = explain(failed.value)
        assert code == 1 and "the disk is full" in line and "damaged" not in line
        (disk / "filler").unlink()
        assert list(list_runs(store)["run_id"]) == runs
    finally:
        subprocess.run(["umount", disk], check=False)
