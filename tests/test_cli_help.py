"""``--help`` as a user meets it: every command answers in a fresh process without loading the heavy libraries,
flags are shown as flags, and usage mistakes are typer's one-paragraph message with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from forecast.cli.main import command_paths

HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "prophet",
    "duckdb",
    "matplotlib",
    "dask",
    "sklearn",
    "jinja2",
    "rich",
    "typer._adapters",  # typer's pydantic validators: loaded to check an unset flag, 0.2 s before help prints
)


def run(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from forecast.cli.main import app; sys.argv[0] = 'forecast'; app()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_importing_the_cli_loads_no_heavy_library():
    probe = f"import sys, forecast.cli.main; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "forecast")
def test_every_help_answers_without_an_error_or_a_heavy_import(path):
    probe = (
        "import sys; from forecast.cli.main import app; sys.argv = ['forecast', *sys.argv[1:]]\n"
        "try:\n    app()\nexcept SystemExit as done:\n"
        f"    print([m for m in {HEAVY!r} if m in sys.modules], done.code, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", probe, *path, "--help"], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("Usage: forecast"), result.stdout[:300]
    assert result.stderr.strip() == "[] 0", result.stderr[-500:]
    assert "<bool>" not in result.stdout


@pytest.mark.slow
def test_models_are_listed_where_a_model_is_chosen():
    listing = run("models", "--format", "json")
    assert listing.returncode == 0
    names = {row["model"] for row in __import__("json").loads(listing.stdout)}
    from forecast.models.registry import available_models

    assert names == set(available_models())
    for command in ("predict", "backtest", "target"):
        assert "forecast models" in " ".join(run(command, "--help").stdout.split())


def test_a_usage_mistake_is_typers_message_and_exit_code_2():
    result = run("target", "xian", "--year", "abc")
    assert result.returncode == 2
    assert "Invalid value for '--year'" in result.stderr and "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr
