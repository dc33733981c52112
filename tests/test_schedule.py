"""The monthly schedule: shipped files equal the generated text, and the job really logs and keeps the exit code."""

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.errors import InputError
from forecast.schedule import schedule_files, schedule_text

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


@pytest.mark.parametrize("kind", ["cron", "systemd"])
def test_shipped_files_are_the_generated_text(kind):
    files = schedule_files(kind)
    for name, text in files.items():
        assert (DEPLOY / name).read_text() == text, f"deploy/{name} drifted from forecast.schedule"
    assert schedule_text(kind) == "\n".join(files.values())


def fake_forecast(tmp_path: Path, exit_code: int) -> Path:
    """A stand-in ``forecast`` on PATH that prints its arguments and exits with ``exit_code``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "forecast"
    script.write_text(f'#!/bin/sh\necho "called: $*"\necho "error: bad row" >&2\nexit {exit_code}\n')
    script.chmod(0o755)
    return bin_dir


def todays_logs(home: Path) -> list[Path]:
    days = {dt.date.today(), dt.date.today() - dt.timedelta(days=1)}  # a run straddling midnight
    return [p for d in days if (p := home / "logs" / f"run-{d:%Y%m%d}.log").exists()]


@pytest.mark.parametrize("exit_code", [0, 2])
def test_cron_job_logs_everything_and_records_the_exit_code(tmp_path, exit_code):
    line = next(ln for ln in schedule_text("cron").splitlines() if ln and not ln.startswith("#"))
    minute, hour, day, month, weekday, command = line.split(" ", 5)
    assert (minute, hour, day, month, weekday) == ("0", "6", "5", "*", "*")
    env = {"HOME": str(tmp_path), "PATH": f"{fake_forecast(tmp_path, exit_code)}:/usr/bin:/bin"}
    subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")], env=env, check=True)  # cron unescapes \%
    home = tmp_path / ".forecast"
    (log,) = todays_logs(home)
    assert log.read_text().splitlines() == [
        f"called: run --store {home}/forecast.duckdb --report-dir {home}/reports",
        "error: bad row",
        f"exit {exit_code}",
    ]


@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_systemd_job_logs_to_journal_and_file_and_keeps_the_exit_code(tmp_path, exit_code):
    service = schedule_files("systemd")["forecast-monthly.service"]
    assert "SuccessExitStatus=0\nRestart=no" in service and "Type=oneshot" in service
    home = tmp_path / ".forecast"
    unit = {k: v for k, v in re.findall(r"^(\w+)=(.*)$", service, re.M)}
    # What systemd does to the command line: %h is the home directory, %% a literal %, $$ a literal $.
    exec_start = unit["ExecStart"].replace("%h", str(tmp_path)).replace("%%", "%").replace("$$", "$")
    env_value = unit["Environment"].replace("%h", str(tmp_path))
    env = {"PATH": f"{fake_forecast(tmp_path, exit_code)}:/usr/bin:/bin", **dict([env_value.split("=", 1)])}
    done = subprocess.run(shlex.split(exec_start), env=env, capture_output=True, text=True)
    assert done.returncode == exit_code  # pipefail: tee does not hide the failure from systemd
    journal = f"called: run --store {home}/forecast.duckdb --report-dir {home}/reports\nerror: bad row\n"
    assert done.stdout == journal
    (log,) = todays_logs(home)
    assert log.read_text() == journal


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units_and_the_calendar(tmp_path):
    for name, text in schedule_files("systemd").items():
        (tmp_path / name).write_text(text)
    verify = subprocess.run(
        ["systemd-analyze", "verify", *map(str, sorted(tmp_path.iterdir()))], capture_output=True, text=True
    )
    assert verify.returncode == 0, verify.stderr
    calendar = subprocess.run(
        ["systemd-analyze", "calendar", "--iterations=2", "*-*-05 06:00:00"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "TZ": "UTC"},
    )
    assert re.findall(r"\d{4}-\d{2}-(\d{2}) (\d{2}:\d{2}:\d{2})", calendar.stdout) == [("05", "06:00:00")] * 2


def test_options_fill_in_command_and_home_and_refuse_unsafe_paths():
    text = schedule_text("cron", command="/opt/venv/bin/forecast", home="/srv/forecast")
    assert "export FORECAST_HOME=/srv/forecast;" in text and "; /opt/venv/bin/forecast run --store" in text
    assert "Environment=FORECAST_HOME=/srv/forecast" in schedule_text("systemd", home="/srv/forecast")
    with pytest.raises(InputError, match="--home"):
        schedule_text("cron", home="/tmp/x; rm -rf ~")
    with pytest.raises(InputError, match="unknown scheduler 'at'"):
        schedule_text("at")


def test_cli_prints_the_text():
    result = CliRunner().invoke(app, ["schedule", "--print", "systemd"])
    assert result.exit_code == 0 and result.output == schedule_text("systemd")
    bad = CliRunner().invoke(app, ["schedule", "--print", "cron", "--command", "forecast run; rm"])
    assert bad.exit_code == 2 and "error: --command" in bad.output
