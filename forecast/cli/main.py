"""Entry point of the ``forecast`` command: registers each command group's typer app under one error handler."""

from __future__ import annotations

import typer

from forecast.cli.common import DEBUG_ENV, ReportingGroup

app = typer.Typer(
    name="forecast",
    help="Forecast China-Europe Railway Express traffic (trains, TEU, tonnes) from sourced public statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=ReportingGroup,
    rich_markup_mode=None,  # plain help: flags shown as flags, and no rich import before the first line
)


@app.callback()
def _options(
    debug: bool = typer.Option(
        False,
        "--debug",
        envvar=DEBUG_ENV,
        help=f"Show warnings and the full traceback of an error (or set {DEBUG_ENV}=1).",
    ),
) -> None:
    """Errors are one line on stderr, exit code 2 for bad input and 1 for a failure (read by ReportingGroup)."""


# Each command group lives in its own module and registers itself here, after the app exists (hence E402).
from forecast.cli.data import app as _data  # noqa: E402

app.add_typer(_data, name="data")
from forecast.cli.backtest import backtest as _backtest  # noqa: E402

app.command(name="backtest")(_backtest)
from forecast.cli.target import target as _target  # noqa: E402

app.command(name="target")(_target)
from forecast.cli.predict import predict as _predict  # noqa: E402

app.command(name="predict")(_predict)
from forecast.cli.run import run as _run  # noqa: E402

app.command(name="run")(_run)
from forecast.cli.report import report as _report  # noqa: E402

app.command(name="report")(_report)
from forecast.cli.news import news as _news  # noqa: E402

app.command(name="news")(_news)
from forecast.cli.schedule import schedule as _schedule  # noqa: E402

app.command(name="schedule")(_schedule)
from forecast.cli.models import models as _models  # noqa: E402

app.command(name="models")(_models)


def command_paths(command=None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group of the CLI as argument tuples (``()`` is ``forecast`` itself), for the checks
    and the speed benchmark that go through all of them."""
    command = command or typer.main.get_command(app)
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths += command_paths(sub, (*prefix, name))
    return paths
