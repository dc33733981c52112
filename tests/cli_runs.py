"""Running the real ``forecast`` CLI in tests: in this process (typer's CliRunner) or as processes of their own,
with a throw-away ``$FORECAST_HOME``, and the checks every failure must pass (one line, no traceback)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from forecast.cli.main import app

ERROR_LINE = re.compile(r"^(error: \S.*|\S.*:\d+: [a-z_]+: \S.*)$")
"""What a failure may print: ``error: …`` or ``file:line: field: reason`` lines, nothing else."""
FORECAST = [sys.executable, "-c", "from forecast.cli.main import app; app()"]
_UNPRIVILEGED = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search,-fowner",
    "--bounding-set=-dac_override,-dac_read_search,-fowner",
]


def home_with_cache(path: Path) -> Path:
    """A new ``$FORECAST_HOME`` at ``path`` holding a copy of the test session's reconciliation cache (fill it
    first, e.g. with the ``bundled_rec`` fixture), so commands there reconcile only the groups a test changes."""
    session = Path(os.environ["FORECAST_HOME"]) / "cache"
    shutil.copytree(session, path / "cache") if session.exists() else path.mkdir(parents=True)
    return path


def forecast(home: Path, *args, env: dict | None = None):
    """``forecast ARGS`` in process with ``$FORECAST_HOME`` = ``home``; returns typer's Result."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"FORECAST_HOME": str(home), **(env or {})})


def assert_clean_failure(result, code: int | None = None, fragment: str | None = None) -> list[str]:
    """The command failed the way users should see it: exit 1 or 2 (``code`` if given), a non-empty stderr of
    error lines only (no traceback, no warning before it), containing ``fragment``; returns the lines."""
    stderr = result.stderr
    exit_code = result.exit_code if hasattr(result, "exit_code") else result.returncode
    lines = stderr.strip().splitlines()
    assert exit_code in ((code,) if code else (1, 2)), (exit_code, stderr[-2000:])
    assert lines and all(ERROR_LINE.match(line) for line in lines), stderr[-2000:]
    if hasattr(result, "exception") and result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    if fragment is not None:
        assert fragment in stderr, stderr
    return lines


def spawn(home: Path, *args, unprivileged: bool = False) -> subprocess.Popen:
    """``forecast ARGS`` as a process of its own (``unprivileged``: without root's permission override, so a
    read-only directory is read-only even for root)."""
    prefix = _UNPRIVILEGED if unprivileged and os.geteuid() == 0 else []
    return subprocess.Popen(
        [*prefix, *FORECAST, *map(str, args)],
        env={**os.environ, "FORECAST_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(home: Path, *args, unprivileged: bool = False, timeout: float = 600) -> subprocess.CompletedProcess:
    """:func:`spawn` and wait for it."""
    process = spawn(home, *args, unprivileged=unprivileged)
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def can_drop_privileges() -> bool:
    """Whether a read-only directory can be made to bind this test's subprocesses (non-root, or setpriv)."""
    return os.geteuid() != 0 or shutil.which("setpriv") is not None
