"""The monthly schedule of ``forecast run``: the cron line and the systemd user units shipped in ``deploy/``.

The job runs on the 5th of each month at 06:00, stores a new run and the report, and logs to
``$FORECAST_HOME/logs/run-YYYYMMDD.log``. Exit codes: 0 ok, 2 bad input (a person must fix the data), 1 failure
(a bug, or the store stayed locked by another run). Generated here so the shipped files cannot drift from the code.
"""

from __future__ import annotations

import re
from enum import Enum

from forecast.errors import InputError

SAFE = re.compile(r"^[\w./~+-]+$")  # paths that need no quoting in a shell, a crontab or a unit file

CRON = """\
# forecast: the monthly run, on the 5th at 06:00. Install: (crontab -l; cat forecast.cron) | crontab -
# Log: $FORECAST_HOME/logs/run-YYYYMMDD.log (default ~/.forecast), ending with "exit N":
#   0 ok; 2 bad input (fix the data, then rerun by hand); 1 failure (a bug, or another run held the store).
# Cron neither retries nor alerts: watch for a log that does not end in "exit 0", or none after the 5th.
# Cron's PATH is /usr/bin:/bin: forecast schedule --print cron --command "$(which forecast)" writes the full path.
0 6 5 * * export FORECAST_HOME={home}; mkdir -p "$FORECAST_HOME/logs"; log="$FORECAST_HOME/logs/run-$(date +\\%Y\\%m\\%d).log"; {command} run --store "$FORECAST_HOME/forecast.duckdb" --report-dir "$FORECAST_HOME/reports" >>"$log" 2>&1; echo "exit $?" >>"$log"
"""

SERVICE = """\
# ~/.config/systemd/user/forecast-monthly.service: the monthly `forecast run`, started by forecast-monthly.timer.
# Exit codes: 0 ok; 2 bad input (fix the data, then: systemctl --user start forecast-monthly.service);
# 1 failure (a bug, or another run held the store: read the log, start it again).
# Anything but 0 leaves the unit failed and nothing retries (Restart=no): watch systemctl --user --failed,
# journalctl --user -u forecast-monthly and $FORECAST_HOME/logs/run-YYYYMMDD.log; add OnFailure= to be alerted.
[Unit]
Description=Monthly forecast run: store a new run and write the report

[Service]
Type=oneshot
Environment=FORECAST_HOME={home}
ExecStart=/bin/bash -c 'set -o pipefail; mkdir -p "$${{FORECAST_HOME}}/logs"; {command} run --store "$${{FORECAST_HOME}}/forecast.duckdb" --report-dir "$${{FORECAST_HOME}}/reports" 2>&1 | tee -a "$${{FORECAST_HOME}}/logs/run-$$(date +%%Y%%m%%d).log"'
SuccessExitStatus=0
Restart=no
"""

TIMER = """\
# ~/.config/systemd/user/forecast-monthly.timer: starts forecast-monthly.service on the 5th of each month at 06:00.
# Install both units: systemctl --user daemon-reload && systemctl --user enable --now forecast-monthly.timer
# and loginctl enable-linger "$USER" to run while logged out. Persistent=true catches up a run missed while off.
[Unit]
Description=Monthly forecast run (5th of the month, 06:00)

[Timer]
OnCalendar=*-*-05 06:00:00
Persistent=true
Unit=forecast-monthly.service

[Install]
WantedBy=timers.target
"""


class Scheduler(str, Enum):
    """Which scheduler the text is for."""

    cron = "cron"
    systemd = "systemd"


def schedule_files(kind: Scheduler | str, command: str = "forecast", home: str | None = None) -> dict[str, str]:
    """File name → text of the files for ``kind``; the defaults are exactly the files in ``deploy/``.

    ``command`` is the ``forecast`` executable (give an absolute path when it is not on the scheduler's PATH);
    ``home`` fixes ``$FORECAST_HOME`` (default: the user's ``$FORECAST_HOME``, else ``~/.forecast``).
    """
    kind = _kind(kind)
    for name, value in (("command", command), ("home", home)):
        if value is not None and not SAFE.match(value):
            raise InputError(f"--{name} {value!r}: use a path of letters, digits and ./_~+- only")
    if kind is Scheduler.cron:
        return {"forecast.cron": CRON.format(command=command, home=home or '"${FORECAST_HOME:-$HOME/.forecast}"')}
    return {
        "forecast-monthly.service": SERVICE.format(command=command, home=home or "%h/.forecast"),
        "forecast-monthly.timer": TIMER,
    }


def schedule_text(kind: Scheduler | str, command: str = "forecast", home: str | None = None) -> str:
    """The cron line, or both systemd units one after the other (each starts with a comment naming its path)."""
    return "\n".join(schedule_files(kind, command, home).values())


def _kind(kind: Scheduler | str) -> Scheduler:
    try:
        return Scheduler(kind)
    except ValueError:
        raise InputError(f"unknown scheduler {kind!r}; use cron or systemd") from None
