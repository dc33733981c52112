"""``forecast target``: the probability that one target (flags) or every target (bundled or a file) is met."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from forecast.cli.common import SummaryFormat, emit, emit_json
from forecast.defaults import DEFAULT_PATHS, SELECTED, TARGET_LEVEL
from forecast.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from forecast.targets.check import TargetCheck

TABLE_COLUMNS = [
    "target",
    "as_of",
    "probability",
    f"lo_{TARGET_LEVEL}",
    f"hi_{TARGET_LEVEL}",
    "observed",
    "needed_per_day",
    "observed_per_day",
    "used",
    "outcome",
    "met",
]


def target(
    entity: Optional[str] = typer.Argument(None, help="Entity slug, e.g. xian, shandong-central-asia."),
    metric: str = typer.Option("trains", help="Metric: trains, teu, tonnes, …"),
    year: Optional[int] = typer.Option(None, help="Calendar year of the target."),
    at_least: Optional[float] = typer.Option(None, "--at-least", help="Met when the total is >= N."),
    more_than: Optional[float] = typer.Option(None, "--more-than", help="Met when the total is > N."),
    at_most: Optional[float] = typer.Option(None, "--at-most", help="Met when the total is <= N."),
    growth: Optional[float] = typer.Option(None, "--growth", help="Met when growth over the year before is > PCT %."),
    basis: Optional[str] = typer.Option(None, help="Counting basis (default: reported)."),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        help="Use only data published by this date (ISO; default: "
        "the date the data runs to; with --all: each target's announcement).",
    ),
    model: Optional[str] = typer.Option(
        None,
        help="Forecasting model (see `forecast models`); default auto, or "
        "'selected' (each series' backtest winner) when --selection is given.",
    ),
    selection: Optional[Path] = typer.Option(
        None, "--selection", help="Per-series models from `forecast backtest --selection`; adds the model 'selected'."
    ),
    samples: int = typer.Option(DEFAULT_PATHS, help="Number of sample paths."),
    seed: int = typer.Option(0, help="Random seed."),
    all_targets: bool = typer.Option(False, "--all", help="Check every bundled target (or those in --targets)."),
    targets: Optional[Path] = typer.Option(None, "--targets", help="User targets CSV (with --all)."),
    fmt: SummaryFormat = typer.Option(SummaryFormat.table, "--format", help="table or json."),
) -> None:
    """Probability that a target is met, conditioned on year-to-date figures, with the run-rate still needed."""
    from forecast.backtest.selection import as_mapping, load_selection
    from forecast.targets import check_all_targets, check_target, read_targets_csv

    chosen_models = as_mapping(load_selection(selection)) if selection is not None else None
    model = model or (SELECTED if chosen_models else "auto")
    if all_targets or targets is not None:
        if entity is not None or year is not None:
            raise InputError("give either ENTITY with --year and a threshold, or --all [--targets FILE], not both")
        chosen = read_targets_csv(targets) if targets is not None else None
        table = check_all_targets(
            as_of=as_of, model=model, targets=chosen, n_paths=samples, seed=seed, selection=chosen_models
        )
        emit(table if fmt is SummaryFormat.json else _readable(table)[TABLE_COLUMNS], fmt.value)
        return
    if entity is None:
        raise InputError("give an ENTITY (with --year and --at-least/--more-than/--at-most/--growth) or --all")
    if year is None:
        raise InputError("--year is required with ENTITY")
    result = check_target(
        entity,
        metric,
        year,
        at_least=at_least,
        more_than=more_than,
        at_most=at_most,
        growth_pct=growth,
        basis=basis,
        as_of=as_of,
        model=model,
        n_paths=samples,
        seed=seed,
        selection=chosen_models,
    )
    if fmt is SummaryFormat.json:
        emit_json(_payload(result))
    else:
        typer.echo(_text(result))


def _payload(result: TargetCheck) -> dict:
    payload = result.row()
    payload["quantiles"] = {f"{q:g}": v for q, v in result.quantiles((0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)).items()}
    payload["run_rate"] = result.run_rate.as_dict() if result.run_rate else None
    return payload


def _text(result: TargetCheck) -> str:
    from forecast.targets.outcome import outcome_label

    row = result.row()
    unit = "%" if result.target.kind == "growth" else ""
    notes = list(result.notes)
    lines = [f"no outlook   {notes.pop(0)}"] if not result.assessed and notes else []  # why, before any number
    lines.append(f"target       {row['target']}  (sources: {row['sources'] or 'command line'})")
    lines.append(f"as of        {row['as_of']} (facts published by then)")
    digits = 1 if result.target.kind == "growth" else 0
    if not result.assessed:
        lines.append("probability  n/a")
    else:
        lo, hi = result.interval()
        lines.append(
            f"probability  {result.probability:.1%}   (model {result.model} -> {result.used}; {result.method})"
        )
        lines.append(
            f"outcome      expected {result.expected:,.{digits}f}{unit}, {TARGET_LEVEL}% interval "
            f"{lo:,.{digits}f}{unit} .. {hi:,.{digits}f}{unit}"
        )
    if result.observed_note and result.method != "observed":
        lines.append(f"observed     {result.observed_note}")
    rate = result.run_rate
    if rate is not None:
        seen = f"{rate.observed_per_day:.2f}/day so far" if rate.observed_per_day is not None else "no YTD figure"
        stated = f"; stated {rate.stated_per_day:g}/day ({rate.stated_source})" if rate.stated_per_day else ""
        lines.append(
            f"run-rate     needs {rate.needed_per_day:.2f}/day ({rate.needed_per_month:,.1f}/month) over "
            f"{rate.remaining_days} days; {seen}{stated}"
        )
    if result.outcome_lo is not None:
        verdict = {True: "met", False: "not met", None: "undecided (the facts allow both)"}[result.met]
        known = outcome_label(result.outcome, result.outcome_lo, result.outcome_hi)
        lines.append(f"outcome      {known}{unit} ({result.outcome_sources}): {verdict}")
    lines.extend(f"note         {note}" for note in notes)
    return "\n".join(lines)


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    from forecast.targets.outcome import outcome_label

    out = table.copy()
    out["probability"] = out["probability"].map(lambda p: "n/a" if pd.isna(p) else f"{p:.1%}")
    for col in (f"lo_{TARGET_LEVEL}", f"hi_{TARGET_LEVEL}", "observed"):
        out[col] = out[col].map(lambda v: "" if v is None or pd.isna(v) else f"{v:,.0f}")
    out["outcome"] = [outcome_label(*v) for v in zip(table["outcome"], table["outcome_lo"], table["outcome_hi"])]
    for col in ("needed_per_day", "observed_per_day"):
        out[col] = out[col].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.2f}")
    out["met"] = out["met"].map({True: "yes", False: "no"}).fillna("")
    return out.fillna("")
