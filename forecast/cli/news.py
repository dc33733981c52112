"""``forecast news``: what moved the outlook since a date, and which new facts moved it (a sequential split)."""

from __future__ import annotations

from typing import Optional

import typer

from forecast.cli.common import OutputFormat, emit
from forecast.defaults import DEFAULT_PATHS

TABLE_COLUMNS = ["series", "year", "before", "after", "move", "step", "published", "facts", "what", "contribution"]


def news(
    since: str = typer.Option(..., "--since", help="The old vintage's date (ISO), e.g. the last report's data date."),
    until: Optional[str] = typer.Option(
        None, "--until", help="The new vintage's date (ISO; default: the date the data runs to)."
    ),
    model: str = typer.Option("auto", help="Forecasting model of the outlooks (see `forecast models`)."),
    samples: int = typer.Option(DEFAULT_PATHS, help="Number of sample paths."),
    seed: int = typer.Option(0, help="Random seed."),
    hierarchy: bool = typer.Option(
        True, "--hierarchy/--no-hierarchy", help="Reconciled outlooks (as `forecast run` makes them) or each alone."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, json or csv."),
) -> None:
    """Per series that moved since --since: before, after, and each new fact's contribution in publication order
    (facts published on one day are one step), plus the other changes (late additions, shared pools)."""
    from forecast.defaults import HIERARCHY
    from forecast.outlook.news import news as find_news

    found = find_news(since, until, model=model, n_paths=samples, seed=seed, hierarchy=HIERARCHY if hierarchy else None)
    rows = found.rows()
    if fmt is not OutputFormat.table:
        emit(rows, fmt.value)
        return
    moved = found.table
    typer.echo(
        f"news from {found.since.date()} to {found.until.date()}: {len(found.new_facts)} new fact(s), "
        f"{len(found.corrections)} late addition(s); {found.point} of each year; sequential split in publication "
        "order (one step per publication day), other changes apart"
    )
    target = moved["kind"] == "target"
    table = moved.assign(
        series=moved["unique_id"],
        year=[str(int(y)) if y == y else "" for y in moved["year"]],  # NaN for a target's odds
        move=moved["after"] - moved["before"],
        facts=moved["fact_ids"].fillna(""),
    )
    for column in ("before", "after", "move", "contribution"):  # trains as whole numbers, odds in points
        table[column] = table[column].where(target, table[column].round()).where(~target, table[column] * 100)
    emit(table[TABLE_COLUMNS], fmt.value)
