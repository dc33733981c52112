"""``forecast models``: every registered model with what it can take and one line on what it does."""

from __future__ import annotations

import typer

from forecast.cli.common import OutputFormat, emit


def models(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json.")) -> None:
    """List the models `--model` accepts (predict, backtest, target), with their capabilities."""
    from forecast.models.registry import model_table

    emit(model_table(), fmt)
