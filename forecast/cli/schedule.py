"""``forecast schedule --print cron|systemd``: print the monthly cron line or the systemd user units to install."""

from __future__ import annotations

from typing import Optional

import typer

from forecast.schedule import Scheduler, schedule_text


def schedule(
    print_: Scheduler = typer.Option(..., "--print", help="Which scheduler's files to print: cron or systemd."),
    command: str = typer.Option(
        "forecast", "--command", help="The forecast executable; an absolute path if not on the scheduler's PATH."
    ),
    home: Optional[str] = typer.Option(
        None, "--home", help="Fix $FORECAST_HOME (default: the user's, else ~/.forecast)."
    ),
) -> None:
    """Print the monthly schedule (the 5th at 06:00) of `forecast run`, with logging and exit codes explained."""
    typer.echo(schedule_text(print_, command, home), nl=False)
