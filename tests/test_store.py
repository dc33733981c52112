"""The DuckDB store: path resolution, schema versions, idempotent runs, atomic writes and concurrent writers."""

import fcntl
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from forecast.errors import InputError
from forecast.store import (
    SCHEMA_VERSION,
    RunRecord,
    StoreBusyError,
    frame_hash,
    latest_run_id,
    list_runs,
    open_store,
    read_table,
    store_path,
    write_run,
)
from forecast.store.lock import lock_path, store_lock

SERIES = pd.DataFrame(
    {
        "unique_id": ["xian/trains"] * 3,
        "entity": "xian",
        "metric": "trains",
        "basis": "reported",
        "freq": "annual",
        "ds": pd.to_datetime(["2021-01-01", "2022-01-01", "2023-01-01"]),
        "y": [3841.0, 4639.0, np.nan],
        "y_lo": [3841.0, 4639.0, 5000.0],
        "y_hi": [3841.0, 4639.0, np.inf],
        "sources": ["N1", "N2;H7", "H9"],
    }
)
SCORES = pd.DataFrame(
    {"unique_id": ["xian/trains"] * 2, "model": ["naive", "ets"], "metric": "mase", "value": [1.0, 0.8]}
)


def forecasts(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i}" for i in range(max(n // 50, 1))], 50)[:n],
            "model": "ets",
            "ds": pd.Timestamp("2026-01-01"),
            "mean": rng.random(n),
            "lo_80": rng.random(n),
            "hi_80": rng.random(n),
        }
    )


# Writes one big run in a child process, so the parent can kill it or race it against another writer.
WRITER = textwrap.dedent("""
    import sys, numpy as np, pandas as pd
    from forecast.store import RunRecord, write_run
    store, data_hash, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = np.random.default_rng(len(data_hash))
    frame = pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n // 100)], 100), "model": "ets",
                          "ds": pd.Timestamp("2026-01-01"), "mean": rng.random(n), "lo_95": rng.random(n)})
    print("ready", flush=True)
    print(write_run(store, RunRecord(data_hash), {"forecasts": frame, "series": frame[["unique_id", "ds"]]}).run_id)
""")


def start_writer(store, data_hash: str, n: int) -> subprocess.Popen:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), data_hash, str(n)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def lock_is_held(store) -> bool:
    fd = os.open(lock_path(store), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def test_path_order_is_argument_then_env_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FORECAST_STORE", raising=False)
    assert store_path() == tmp_path / "home" / "forecast.duckdb"
    monkeypatch.setenv("FORECAST_STORE", str(tmp_path / "env.duckdb"))
    assert store_path() == tmp_path / "env.duckdb"
    assert store_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"


@pytest.mark.slow
def test_write_then_read_back_one_run(tmp_path):
    store = tmp_path / "s.duckdb"
    run = RunRecord(frame_hash(SERIES), settings={"horizon": 3})
    written = write_run(store, run, {"series": SERIES, "scores": SCORES})
    assert written.created and written.run_id == run.run_id == latest_run_id(store)
    back = read_table(store, "series", written.run_id)
    assert back["y_hi"].iloc[2] == np.inf and pd.isna(back["y"].iloc[2])  # unbounded above, value unknown
    assert back["sources"].tolist() == ["N1", "N2;H7", "H9"] and back["ds"].dt.year.tolist() == [2021, 2022, 2023]
    assert read_table(store, "scores", written.run_id).set_index("model")["value"].to_dict() == {
        "ets": 0.8,
        "naive": 1.0,
    }
    assert read_table(store, "forecasts").empty  # optional tables may be left out
    runs = list_runs(store)
    assert runs["settings"].tolist() == ['{"horizon":3}'] and "duckdb" in runs["library_versions"].iloc[0]


@pytest.mark.slow
def test_same_data_code_and_settings_is_the_same_run(tmp_path):
    store = tmp_path / "s.duckdb"
    first = write_run(store, RunRecord("d1", {"horizon": 3}), {"series": SERIES})
    again = write_run(store, RunRecord("d1", {"horizon": 3}), {"series": SERIES.iloc[:1]})
    assert again == (first.run_id, False)
    assert len(read_table(store, "series")) == len(SERIES)  # nothing replaced, nothing duplicated
    release = write_run(store, RunRecord("d2", {"horizon": 3}), {"series": SERIES})
    other_settings = write_run(store, RunRecord("d1", {"horizon": 6}), {"series": SERIES})
    assert release.created and other_settings.created
    assert len({first.run_id, release.run_id, other_settings.run_id}) == 3 and len(list_runs(store)) == 3


def test_frame_hash_follows_content_only():
    assert frame_hash(SERIES) == frame_hash(SERIES.copy().set_axis(range(10, 13)))
    assert frame_hash(SERIES) != frame_hash(SERIES.assign(y=SERIES["y"] + 1))


@pytest.mark.parametrize(
    "tables, message",
    [
        ({"series": SERIES.assign(colour="red")}, "unknown column(s) colour"),
        ({"scores": SCORES.iloc[:0].assign(colour="red")}, "unknown column(s) colour"),  # even when empty
        ({"series": SERIES.drop(columns="ds")}, "missing required column(s) ds"),
        ({"series": SERIES.assign(run_id="x")}, "unknown column(s) run_id"),
        ({"runs": SERIES}, "cannot write table(s) runs"),
    ],
)
def test_bad_frames_are_input_errors_and_write_nothing(tmp_path, tables, message):
    store = tmp_path / "s.duckdb"
    with open_store(store):
        pass
    with pytest.raises(InputError, match=re.escape(message)):
        write_run(store, RunRecord("d"), tables)
    assert list_runs(store).empty


def test_failure_after_half_the_tables_rolls_back_everything(tmp_path):
    store = tmp_path / "s.duckdb"
    bad_scores = SCORES.assign(value=["0.8", "not a number"])
    with pytest.raises(InputError, match="table scores: .*not a number"):
        write_run(store, RunRecord("d"), {"series": SERIES, "forecasts": forecasts(100), "scores": bad_scores})
    assert list_runs(store).empty
    assert read_table(store, "series").empty and read_table(store, "forecasts").empty
    assert write_run(store, RunRecord("d"), {"series": SERIES, "scores": SCORES}).created


@pytest.mark.slow
def test_killed_writer_leaves_no_partial_run(tmp_path):
    store = tmp_path / "s.duckdb"
    kept = write_run(store, RunRecord("before"), {"series": SERIES}).run_id
    child = start_writer(store, "killed", 1_000_000)
    deadline = time.monotonic() + 60
    while not lock_is_held(store) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # let the transaction get under way
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait() == -signal.SIGKILL
    assert list_runs(store)["run_id"].tolist() == [kept]
    assert read_table(store, "forecasts").empty and len(read_table(store, "series")) == len(SERIES)
    assert write_run(store, RunRecord("after"), {"series": SERIES}).created


@pytest.mark.slow
def test_two_processes_writing_at_once_both_land_intact(tmp_path):
    store = tmp_path / "s.duckdb"
    writers = [start_writer(store, name, 200_000) for name in ("june", "july")]
    ids = []
    for child in writers:
        out, _ = child.communicate(timeout=300)
        assert child.returncode == 0
        ids.append(out.strip())
    assert sorted(list_runs(store)["run_id"]) == sorted(ids)
    for run_id in ids:
        assert len(read_table(store, "forecasts", run_id)) == 200_000
        assert len(read_table(store, "series", run_id)) == 200_000


def test_a_held_lock_makes_writers_wait_then_fail_clearly(tmp_path):
    store = tmp_path / "s.duckdb"
    write_run(store, RunRecord("d"), {"series": SERIES})
    with store_lock(store, exclusive=True):
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="another forecast process"):
            write_run(store, RunRecord("e"), {"series": SERIES}, timeout=0.3)
        assert time.monotonic() - started >= 0.3
    with store_lock(store, exclusive=False):  # readers share
        assert len(list_runs(store)) == 1


def test_a_version_1_store_migrates_on_write_and_keeps_its_runs(tmp_path):
    from forecast.store.schema import V1

    store = tmp_path / "v1.duckdb"
    with duckdb.connect(str(store)) as con:  # a store as the first release wrote it
        con.execute(V1)
        con.execute("INSERT INTO schema_version VALUES (1)")
        con.execute("INSERT INTO runs VALUES ('old', now(), now(), 'h', 'c', '{}', '{}', 'complete')")
        con.execute("INSERT INTO target_checks (run_id, target, probability) VALUES ('old', 'xian >= 1', 0.5)")
        con.execute("INSERT INTO runs VALUES ('mint', now(), now(), 'h', 'c', '{}', '{\"hierarchy\": \"mint\"}', 'ok')")
        con.execute("INSERT INTO forecasts (run_id, unique_id, model, ds) VALUES ('old', 'x', 'auto', '2025-01-01')")
        con.execute("INSERT INTO forecasts (run_id, unique_id, model, ds) VALUES ('mint', 'x', 'auto', '2025-01-01')")
    with pytest.raises(InputError, match="older than"):
        read_table(store, "target_checks")
    checks = pd.DataFrame({"target": ["xian >= 1"], "probability": [0.7], "outcome_lo": [2.0], "outcome_hi": [3.0]})
    new = write_run(store, RunRecord("d2"), {"target_checks": checks}).run_id
    assert SCHEMA_VERSION == 6
    rows = read_table(store, "target_checks").set_index("run_id")
    assert rows.loc["old", "probability"] == 0.5 and pd.isna(rows.loc["old", "outcome_lo"])
    assert rows.loc[new, "outcome_hi"] == 3.0
    assert {"freq", "status", "observed", "as_of"} <= set(read_table(store, "forecasts").columns)  # v3: outlooks
    assert {"reason", "stale", "latest_year"} <= set(read_table(store, "no_outlooks").columns)  # v4
    reconciled = read_table(store, "forecasts").set_index("run_id")["reconciled"]  # v6: from the run's settings
    assert reconciled["mint"] == "mint" and pd.isna(reconciled["old"])


def test_newer_schema_is_refused_and_foreign_files_too(tmp_path):
    store = tmp_path / "s.duckdb"
    write_run(store, RunRecord("d"), {"series": SERIES})
    with duckdb.connect(str(store)) as con:
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(InputError, match=f"schema version {SCHEMA_VERSION + 1}.*upgrade it"):
        list_runs(store)
    with pytest.raises(InputError, match="upgrade it"):
        write_run(store, RunRecord("e"), {"series": SERIES})
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(InputError, match="not a forecast store"):
        write_run(other, RunRecord("d"), {})
    (tmp_path / "text.duckdb").write_text("not a database\n" * 500)
    with pytest.raises(InputError, match="cannot open as a DuckDB store"):
        list_runs(tmp_path / "text.duckdb")


def test_readers_need_an_existing_store_and_known_names(tmp_path):
    with pytest.raises(InputError, match="no store here yet"):
        list_runs(tmp_path / "missing.duckdb")
    store = tmp_path / "s.duckdb"
    with open_store(store) as con:  # a writer creates the schema
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    with pytest.raises(InputError, match="holds no runs"):
        latest_run_id(store)
    with pytest.raises(InputError, match="unknown table 'nope'"):
        read_table(store, "nope")
    with pytest.raises(InputError, match="no run 'abc'"):
        read_table(store, "series", "abc")
