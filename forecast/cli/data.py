"""``forecast data …``: list, show and check the reconciled series; validate and add observation files."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from forecast.cli.common import OutputFormat, QuickHelpGroup, emit

app = typer.Typer(
    help="Browse the reconciled China-Europe series, their conflicts and sources; add your own facts.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=QuickHelpGroup,
)


class Freq(str, Enum):
    annual = "annual"
    monthly = "monthly"


RULE_HELP = "Conflict rule: corroborated (independent sources, then wording, then recency) or latest (newest wins)."
EXCLUDE_HELP = "Set this fact id aside before reconciling; repeat."
KEEP_HELP = "Make this fact id win every conflict; repeat."


@app.command("list")
def list_entities(
    rule: str = typer.Option("corroborated", help=RULE_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Entities with their metrics, years covered, number of facts and conflicts."""
    from forecast.data import reconciled
    from forecast.data.summary import data_age, entity_summary

    rec = reconciled(rule=rule)
    emit(entity_summary(rec), fmt)
    if fmt is OutputFormat.table:
        typer.echo(data_age(rec.facts))


@app.command("show")
def show(
    entity: str = typer.Argument(..., help="Entity slug or name, e.g. xian or \"Xi'an (Chang'an)\"."),
    metric: Optional[str] = typer.Option(None, help="trains, teu, tonnes, value_usd or value_cny (default: all)."),
    freq: Freq = typer.Option(Freq.annual, help="annual or monthly."),
    basis: Optional[str] = typer.Option(None, help="Only this counting basis (reported, customs, ...)."),
    rule: str = typer.Option("corroborated", help=RULE_HELP),
    exclude: Optional[list[str]] = typer.Option(None, help=EXCLUDE_HELP),
    keep: Optional[list[str]] = typer.Option(None, help=KEEP_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Reconciled values of one entity with their intervals, flags and sources (y_hi empty = no upper bound)."""
    import numpy as np

    from forecast.data import reconciled
    from forecast.data.basis import bases_split, describe_break
    from forecast.data.panels import select_series

    rec = reconciled(rule=rule, exclude=exclude or (), keep=keep or ())
    rows = select_series(rec.series, entity, metric, basis, freq=freq.value)
    table = rows[["unique_id", "ds", "y", "y_lo", "y_hi", "flags", "sources"]].replace([np.inf], np.nan)
    emit(table.assign(ds=table["ds"].dt.strftime("%Y-%m" if freq is Freq.monthly else "%Y")), fmt)
    if fmt is OutputFormat.table:
        ids = {i for text in table["sources"] for i in text.split(";") if i}
        facts = rec.facts.set_index("id")
        for fact_id in sorted(ids):
            typer.echo(f"  {fact_id}: {facts.at[fact_id, 'source_url']} — {facts.at[fact_id, 'note']}")
        shown = set(table["unique_id"])
        for b in bases_split(rec.facts)[1].itertuples():
            if f"{b.entity}/{b.metric}/{b.basis}" in shown or f"{b.entity}/{b.metric}/{b.before}" in shown:
                typer.echo(f"  bases: {describe_break(b)}")


@app.command("conflicts")
def conflicts(
    entity: Optional[str] = typer.Argument(None, help="Only this entity."),
    rule: str = typer.Option("corroborated", help=RULE_HELP),
    exclude: Optional[list[str]] = typer.Option(None, help=EXCLUDE_HELP),
    keep: Optional[list[str]] = typer.Option(None, help=KEEP_HELP),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Facts set aside because they contradict others on the same basis: by how much, and against which."""
    from forecast.data import reconciled, resolve_entity

    table = reconciled(rule=rule, exclude=exclude or (), keep=keep or ()).conflicts
    if entity is not None:
        table = table[table["entity"] == resolve_entity(entity)]
    columns = ["unique_id", "fact_ids", "statement", "violation", "relative", "against", "resolution"]
    emit(table[columns].round({"violation": 1, "relative": 4}), fmt)


@app.command("sums")
def sums(
    metric: Optional[str] = typer.Option(None, "--metric", help="Only this metric (trains, teu, tonnes)."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="The facts published by this date (default: all)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Which series sum to which, per metric and counting basis, and how well the history adds up: years
    compared, years the parts exceed the whole, the not-itemised share, whether the sum is used."""
    from forecast.data.schema import METRIC_UNITS
    from forecast.data.vintage import FactBase
    from forecast.errors import InputError
    from forecast.hierarchy import coherence_table

    if metric is not None and metric not in METRIC_UNITS:
        raise InputError(f"unknown metric {metric!r}; known: {', '.join(METRIC_UNITS)}")
    table = coherence_table(FactBase().on(as_of), metrics=(metric,) if metric else ("trains", "teu", "tonnes"))
    emit(table.round({"gap_share_mean": 4, "gap_share_min": 4, "gap_share_max": 4}), fmt)


@app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="Observations CSV in the bundled schema."),
    target: Optional[Path] = typer.Option(None, "--target", help="Check it against this file instead of your data."),
) -> None:
    """Check a file as `data add` would, without changing anything: every problem as file:line: field: reason
    (exit 2 if any); a file that passes is added by `data add` and loads in every later command."""
    from forecast.data import add_observations

    added, present = add_observations(file, target, dry_run=True)
    typer.echo(f"{file}: ok, {added + present} rows ({added} new, {present} already present)")


@app.command("add")
def add(
    file: Path = typer.Argument(..., help="Observations CSV in the bundled schema."),
    target: Optional[Path] = typer.Option(
        None,
        "--target",
        help="Merge into this file instead of your data "
        "(maintainers: datasets/observations.csv to take in a data release).",
    ),
) -> None:
    """Validate a file, then merge it into your data ($FORECAST_HOME/observations.csv); a rejected file changes
    nothing and adding the same file twice adds nothing."""
    from forecast.data import add_observations

    added, present = add_observations(file, target)
    typer.echo(f"{file}: added {added} rows, {present} already present")
