"""Issue 23's probe, re-run: each hostile scenario through the real ``forecast`` CLI (its own process, a temporary
folder and ``$FORECAST_HOME``), printed as one table row.

    python benchmarks/hostile_inputs.py

Columns: ``clean error`` — the command failed with error lines only (``error: …`` or ``file:line: field: reason``)
and the exit code expected (2 bad input, 1 failure), or ``-`` where success is the right answer; ``correct`` —
the outcome the issue asks for; ``traceback`` — a Python traceback reached the user; ``lost`` — a file of the
user's (outside the toolkit's own) was removed or changed, or code from a file ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ERROR_LINE = re.compile(r"^(error: \S.*|\S.*:\d+: [a-z_]+: \S.*)$")
FORECAST = [sys.executable, "-c", "from forecast.cli.main import app; app()"]
ROWS: list[tuple] = []


class Evil:
    """A pickle that runs a command when read."""

    def __init__(self, flag: Path):
        self.flag = str(flag)

    def __reduce__(self):
        return (os.system, (f"touch {self.flag}",))


def cli(home: Path, *args, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "FORECAST_HOME": str(home), **(env or {})}
    try:
        return subprocess.run(
            [*FORECAST, *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, -9, "", "timed out")


def clean(result, code: int) -> bool:
    lines = result.stderr.strip().splitlines()
    return result.returncode == code and bool(lines) and all(ERROR_LINE.match(line) for line in lines)


def row(scenario: str, result, correct: bool, lost: str = "none", code: int | None = 2) -> None:
    error = "-" if code is None else ("yes" if clean(result, code) else "NO")
    traceback = "YES" if "Traceback (most recent call last)" in result.stderr else "no"
    ROWS.append((scenario, "yes", error, "yes" if correct else "NO", traceback, lost))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def changed(before: dict[str, bytes], folder: Path) -> str:
    after = snapshot(folder)
    gone = [name for name in before if name not in after or after[name] != before[name]]
    return ", ".join(gone) if gone else "none"


def series_file(path: Path) -> Path:
    rows = [
        f"{uid},{year}-01-01,{level + 10 * (year - 2010) + year % 3}"
        for uid, level in (("a", 100), ("b", 5000))
        for year in range(2010, 2022)
    ]
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


FACT_COLUMNS = "id,entity,metric,period_start,period_end,kind,value,unit,qualifier,yoy_pct,source_url,published,note"


def fact(number: int, published: str, year: int = 1990) -> str:
    return (
        f"U{number},xian,trains,{year}-01-01,{year}-12-31,total,100,trains,exact,,https://example.org/{number},"
        f"{published},user fact"
    )


def saved_models(base: Path, home: Path) -> tuple[Path, Path, dict]:
    two, folder = series_file(base / "two.csv"), base / "models"
    result = cli(home, "predict", two, "-h", "3", "-m", "naive", "--save", folder)
    assert result.returncode == 0, result.stderr
    return two, folder, json.loads((folder / "manifest.json").read_text())


def saving(base: Path) -> None:
    home = base / "home"
    proj = base / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "manifest.json").write_text("{}")
    (proj / "src" / "app.js").write_text("code")
    two = series_file(base / "two.csv")
    before = snapshot(proj)
    result = cli(home, "predict", two, "-h", "3", "-m", "naive", "--save", proj)
    row("1 --save into a folder with someone's manifest.json", result, result.returncode == 2, changed(before, proj))
    series_file(proj / "two.csv")
    before = snapshot(proj)
    result = cli(home, "predict", "two.csv", "-h", "3", "-m", "naive", "--save", ".", cwd=proj)
    row("1 --save . inside such a folder", result, result.returncode == 2, changed(before, proj))


def loading(base: Path) -> None:
    home, flag = base / "home", base / "code-ran"
    two, folder, manifest = saved_models(base, home)
    (base / "evil.pkl").write_bytes(pickle.dumps(Evil(flag)))
    for name, label in ((str(base / "evil.pkl"), "an absolute path"), ("../evil.pkl", "../evil.pkl")):
        edited = json.loads(json.dumps(manifest))
        edited["entries"][0]["file"] = name
        (folder / "manifest.json").write_text(json.dumps(edited))
        result = cli(home, "predict", "-h", "2", "--load", folder)
        row(
            f"2 --load: manifest names {label}", result, result.returncode == 2, "code ran" if flag.exists() else "none"
        )
    (folder / "manifest.json").write_text(json.dumps(manifest))
    a, b = (folder / entry["file"] for entry in manifest["entries"])
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b), b.write_bytes(data_a)
    result = cli(home, "predict", two, "-h", "2", "--load", folder)
    row("2 --load: pickles of a and b swapped", result, result.returncode == 2)
    a.write_bytes(pickle.dumps(Evil(flag)))
    result = cli(home, "predict", "-h", "2", "--load", folder)
    row(
        "2 --load: a crafted pickle in the folder",
        result,
        result.returncode == 2,
        "code ran" if flag.exists() else "none",
    )
    a.write_bytes(data_a), b.write_bytes(data_b)
    unsigned = {k: v for k, v in manifest.items() if k != "signature"} | {"code_hash": "0" * 16}
    (folder / "manifest.json").write_text(json.dumps(unsigned))
    result = cli(home, "predict", "-h", "2", "--load", folder)
    leaked = manifest["code_hash"] in result.stderr or manifest["signature"] in result.stderr
    row("2 --load: code hash edited (refusal leaks no hash)", result, result.returncode == 2 and not leaked)


def outputs(base: Path) -> None:
    home, two = base / "home", series_file(base / "two.csv")
    real, link = base / "real.csv", base / "link.csv"
    real.write_text("old")
    real.chmod(0o600)
    link.symlink_to(real)
    result = cli(home, "predict", two, "-h", "2", "-m", "naive", "-o", link)
    good = link.is_symlink() and real.read_text().startswith("unique_id") and stat.S_IMODE(real.stat().st_mode) == 0o600
    row("3 -o a symlink (to a 0600 file)", result, good, code=None)
    fifo = base / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    result = cli(home, "predict", two, "-h", "2", "-m", "naive", "-o", fifo)
    reader.join(timeout=60)
    row("3 -o a FIFO", result, stat.S_ISFIFO(fifo.stat().st_mode) and got and got[0].startswith("unique_id"), code=None)
    for target in ("/dev/stdout", "-"):
        result = cli(home, "predict", two, "-h", "2", "-m", "naive", "-o", target)
        row(f"3 -o {target}", result, result.returncode == 0 and result.stdout.startswith("unique_id"), code=None)
    if os.geteuid() == 0:
        full = base / "full"
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        result = cli(home, "predict", two, "-h", "2", "-m", "naive", "-o", full)
        kept = "none" if stat.S_ISCHR(full.stat().st_mode) else "the device node"
        row("3 -o a copy of /dev/full (root)", result, "No space left" in result.stderr, kept, code=1)
    user = base / "mine" / "observations.csv"
    user.parent.mkdir()
    user.write_text(FACT_COLUMNS + "\n")
    user.chmod(0o600)
    (home / "observations.csv").symlink_to(user)
    new = base / "new.csv"
    new.write_text(f"{FACT_COLUMNS}\n{fact(1, '1991-01-10')}\n")
    result = cli(home, "data", "add", new)
    good = (home / "observations.csv").is_symlink() and "U1," in user.read_text()
    row(
        "3 data add: observations.csv a symlink, 0600",
        result,
        good and stat.S_IMODE(user.stat().st_mode) == 0o600,
        code=None,
    )


def report_and_store(base: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import duckdb
    import numpy as np
    import pandas as pd

    from forecast.store import RunRecord, write_run

    home, store, site = base / "home", base / "store.duckdb", base / "site"
    years = pd.to_datetime([f"{y}-01-01" for y in range(2016, 2025)])
    series = pd.DataFrame(
        {"unique_id": "national/trains/reported", "entity": "national", "metric": "trains", "basis": "reported"}
        | {"freq": "annual", "ds": years, "y": np.linspace(1700, 19000, 9)}
    )
    mean = 19000 * 1.05 ** np.arange(1, 4)
    outlook = pd.DataFrame(
        {"unique_id": "national/trains/reported", "model": "auto", "ds": pd.to_datetime(["2025", "2026", "2027"])}
        | {"freq": "annual", "mean": mean, "q50": mean, "lo_80": mean * 0.9, "hi_80": mean * 1.1}
    )
    write_run(store, RunRecord("probe"), {"series": series, "forecasts": outlook})
    (site / "charts").mkdir(parents=True)
    (site / "charts" / "chart-001.svg").write_text("my logo")
    (site / "charts" / "chart-050.svg").write_text("my other chart")
    before = snapshot(site)
    result = cli(home, "report", "--store", store, "--output", site)
    row("4 report --output site (user's chart-001.svg there)", result, result.returncode == 2, changed(before, site))
    (site / "charts" / "chart-001.svg").unlink()
    before = snapshot(site)
    result = cli(home, "report", "--store", store, "--output", site)
    row(
        "4 report --output site (user's chart-050.svg kept)",
        result,
        result.returncode == 0,
        changed(before, site),
        code=None,
    )
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE conflicts; CREATE VIEW conflicts AS SELECT * FROM read_text('/etc/passwd')")
    con.close()
    out = base / "out"
    result = cli(home, "report", "--store", store, "--output", out)
    leaked = any("root:" in p.read_text(errors="replace") for p in out.rglob("*.*")) if out.exists() else False
    row("5 report --store with a view over read_text('/etc/passwd')", result, result.returncode == 2 and not leaked)


def dates(base: Path) -> None:
    home = base / "home"
    for label, published in (
        ("published 2099-12-31", "2099-12-31"),
        ("published before its period ends", "1990-06-30"),
    ):
        path = base / f"{published}.csv"
        path.write_text(f"{FACT_COLUMNS}\n{fact(1, published)}\n")
        validated, added = cli(home, "data", "validate", path), cli(home, "data", "add", path)
        row(f"6 data validate/add: {label}", added, validated.returncode == added.returncode == 2)
    for value in ("2025-06-30T12:00:00+08:00", "9999-12-31"):
        result = cli(home, "predict", "--entity", "xian", "-h", "1", "--samples", "100", "--as-of", value)
        row(f"8 --as-of {value}", result, result.returncode == 2)


def workers(base: Path) -> None:
    code = "import time; from forecast.executor import run; run(time.sleep, [30.0] * 8, engine='processes', jobs=2)"
    for sig in (signal.SIGTERM, signal.SIGHUP):
        parent = subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)})
        children = f"/proc/{parent.pid}/task/{parent.pid}/children"
        deadline = time.monotonic() + 60
        pids: list[int] = []
        while len(pids) < 2 and time.monotonic() < deadline:
            pids = [int(p) for p in open(children).read().split()] if os.path.exists(children) else []
            time.sleep(0.05)
        time.sleep(0.5)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        time.sleep(3)
        alive = [p for p in pids if os.path.exists(f"/proc/{p}") and " Z " not in open(f"/proc/{p}/stat").read()]
        for pid in alive:
            os.kill(pid, signal.SIGKILL)
        result = subprocess.CompletedProcess([], 0, "", "")
        row(f"7 {sig.name} to a --jobs 2 pool: workers end", result, len(pids) >= 2 and not alive, code=None)


def bad_inputs(base: Path) -> None:
    home, two = base / "home", series_file(base / "two.csv")
    zoned = base / "zoned.csv"
    zoned.write_text("unique_id,ds,y\n" + "".join(f"a,{y}-01-01T00:00:00+08:00,{y}\n" for y in range(2010, 2016)))
    result = cli(home, "predict", zoned, "-h", "2", "-m", "naive")
    row("8 predict: dates with a time zone", result, f"{zoned}:2: ds:" in result.stderr)
    _, folder, manifest = saved_models(base, home)
    kinds = {
        "not JSON": "{",
        "a list": "[]",
        "format null": {"format": None},
        "format 1": {"format": 1},
        "freq hourly": {"freq": "hourly"},
        "season length text": {"season_length": "1"},
        "no models": {"models": []},
        "levels text": {"levels": "80"},
        "settings list": {"settings": []},
        "no entries": {"entries": []},
        "entry text": {"entries": ["x"]},
        "entry without series": {"entries": [{"file": "x.pkl"}]},
        "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
        "Latin-1 bytes": '{"format": "\xe9"}',
    }
    good = 0
    for change in kinds.values():
        text = change if isinstance(change, str) else json.dumps({**manifest, **change})
        (folder / "manifest.json").write_bytes(text.encode("latin-1"))
        result = cli(home, "predict", "-h", "2", "--load", folder)
        good += clean(result, 2) and str(folder / "manifest.json") in result.stderr
    row(f"8 --load: {len(kinds)} malformed manifests ({good} named the file)", result, good == len(kinds))
    (folder / "manifest.json").write_text(json.dumps(manifest))
    model = folder / manifest["entries"][0]["file"]
    model.write_bytes(model.read_bytes()[:20])
    trusted = json.loads(json.dumps(manifest))
    trusted["entries"][0]["sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(trusted))
    result = cli(home, "predict", "-h", "2", "--load", folder, "--trust")
    row("8 --load --trust: a truncated pickle", result, "damaged saved model" in result.stderr)
    files = {
        "empty": b"",
        "Latin-1": "slug,name,kind,parents\nfoo,Caf\xe9,hub,national\n".encode("latin-1"),
        "without parents": b"slug,name,kind\nfoo,Foo,hub\n",
        "its own parent": b"slug,name,kind,parents\nfoo,Foo,hub,foo\n",
        "national a child of xian": b"slug,name,kind,parents\nnational,N,national,xian\n",
    }
    facts = base / "facts.csv"
    facts.write_text(f"{FACT_COLUMNS}\n{fact(1, '1991-01-10')}\n")
    for label, data in files.items():
        entity_home = base / f"home-{label.replace(' ', '-')}"
        entity_home.mkdir()
        (entity_home / "entities.csv").write_bytes(data)
        result = cli(entity_home, "target", "xian", "--year", "2025", "--at-least", "5000", "--samples", "100")
        row(f"8 entities.csv {label}", result, "entities.csv:" in result.stderr)
    for label, data in (("empty", b""), ("binary", bytes(range(256)) * 4)):
        selection = base / f"selection-{label}.csv"
        selection.write_bytes(data)
        result = cli(home, "predict", two, "-h", "2", "--selection", selection)
        row(f"8 --selection {label}", result, str(selection) in result.stderr)
    cache_home = base / "cache-home"
    result = cli(cache_home, "data", "show", "manzhouli")
    for entry in (cache_home / "cache").iterdir():
        entry.write_bytes(entry.read_bytes()[:40])
    result = cli(cache_home, "data", "show", "manzhouli")
    row(
        "8 a damaged cache",
        result,
        result.returncode == 0 and "damaged cache entry, rebuilt" in result.stderr,
        code=None,
    )


def smaller(base: Path) -> None:
    home = base / "home"
    fifo = base / "input.csv"
    os.mkfifo(fifo)
    for source in (fifo, "/dev/zero"):
        result = cli(home, "predict", source, "-h", "2", timeout=60)
        row(f"9 predict input {'a FIFO' if source == fifo else source}", result, "not a regular file" in result.stderr)
    result = cli(home, "data", "list", env={"FORECAST_HOME": ""})
    row('9 FORECAST_HOME=""', result, "FORECAST_HOME is set but empty" in result.stderr)
    us = base / "us.csv"
    us.write_text("unique_id,ds,y\na,01/02/2020,1\na,01/03/2020,2\na,01/04/2020,3\n")
    result = cli(home, "predict", us, "-h", "1", "-m", "naive")
    row("9 predict: 01/02/2020", result, "day-first or month-first" in result.stderr)
    for args in (("--year", "1900"), ("--year", "2099"), ("--year", "2025", "--metric", "trains_per_day")):
        result = cli(home, "target", "xian", *args, "--at-least", "5", "--samples", "100")
        said = r"(note|no outlook) +no .* (is known|known or forecast)"  # the reason: first line, or a note
        reason = "n/a" in result.stdout and re.search(said, result.stdout)
        row(f"9 target xian {' '.join(args)}: n/a with a reason", result, bool(reason), code=None)
    result = cli(home, "target", "xian", "--year", "2026", "--at-least", "1e308")
    row("9 target --at-least 1e308", result, "above the ceiling" in result.stderr)
    if os.geteuid() == 0:
        disk_full(base)


def disk_full(base: Path) -> None:
    disk = base / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", disk], capture_output=True).returncode:
        return
    code = f"""
import os, sys, pandas as pd
from forecast.cli.common import explain
from forecast.store import RunRecord, write_run
from forecast.store.read import list_runs
store = {str(disk / "store.duckdb")!r}
one = pd.DataFrame({{"unique_id": "x", "ds": [pd.Timestamp("2020-01-01")], "y": [1.0]}})
write_run(store, RunRecord("kept"), {{"series": one}})
runs = list(list_runs(store)["run_id"])
fd = os.open({str(disk / "filler")!r}, os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(fd, bytes(65536))
except OSError:
    os.close(fd)
rows = pd.DataFrame({{"unique_id": "x", "ds": pd.date_range("1900-01-01", periods=50000, freq="D"), "y": 1.0}})
try:
    write_run(store, RunRecord("big"), {{"series": rows}})
except Exception as err:
    (line,), code = explain(err)
    print(line, file=sys.stderr)
os.unlink({str(disk / "filler")!r})
print("intact" if list(list_runs(store)["run_id"]) == runs else "changed")
"""
    try:
        result = subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True
        )
        good = "the disk is full" in result.stderr and "damaged" not in result.stderr and "intact" in result.stdout
        lost = "none" if "intact" in result.stdout else "store"
        row("9 a full disk while the store is written", result, good, lost, code=None)
    finally:
        subprocess.run(["umount", disk], check=False)


def main() -> None:
    start = time.monotonic()
    for scenario in (saving, loading, outputs, report_and_store, dates, workers, bad_inputs, smaller):
        with tempfile.TemporaryDirectory(prefix=f"hostile-{scenario.__name__}-") as base:
            (Path(base) / "home").mkdir()
            scenario(Path(base))
    header = ("scenario", "tried", "clean error", "correct", "traceback", "lost")
    widths = [max(len(str(r[i])) for r in [header, *ROWS]) for i in range(len(header))]
    for line in [header, tuple("-" * w for w in widths), *ROWS]:
        print(" | ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip())
    bad = [r for r in ROWS if "NO" in r[2:4] or r[4] == "YES" or r[5] != "none"]
    print(f"\n{len(ROWS)} scenarios, {len(bad)} not as the issue asks; {time.monotonic() - start:.0f} s")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
