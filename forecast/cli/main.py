"""Entry point of the ``forecast`` command: registers each command group's typer app."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="forecast",
    help="Forecast China-Europe Railway Express traffic (trains, TEU, tonnes) from sourced public statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each command group lives in its own module and registers itself here.
