"""One line per entity: what the reconciled data holds for it (``forecast data list``, the report's data page)."""

from __future__ import annotations

import pandas as pd

from forecast.data.entities import entity_catalogue
from forecast.data.reconciliation import Reconciliation


def entity_summary(rec: Reconciliation) -> pd.DataFrame:
    """slug, name, kind, metrics, bases, annual years with a value, number of facts and of conflicts."""
    catalogue = entity_catalogue().set_index("slug")
    annual = rec.series[(rec.series["freq"] == "annual") & rec.series["y"].notna()]
    rows = []
    for slug, facts in rec.facts.groupby("entity"):
        years = annual.loc[annual["entity"] == slug, "ds"].dt.year
        rows.append(
            {
                "entity": slug,
                "name": catalogue.at[slug, "name"] if slug in catalogue.index else slug,
                "kind": catalogue.at[slug, "kind"] if slug in catalogue.index else "",
                "metrics": ",".join(sorted(set(facts["metric"]))),
                "bases": ",".join(
                    sorted(set(rec.series.loc[rec.series["entity"] == slug, "basis"]) or set(facts["basis"]))
                ),
                "years": f"{years.min()}-{years.max()}" if len(years) else "",
                "annual_points": int(years.size),
                "facts": len(facts),
                "conflicts": int((rec.conflicts["entity"] == slug).sum()),
            }
        )
    return pd.DataFrame(rows).sort_values(["kind", "entity"]).reset_index(drop=True)


def age_text(as_of: pd.Timestamp, today: pd.Timestamp | None = None) -> str:
    """How long before ``today`` (default: the clock) the data's date is: "266 days (about 8 months) ago"."""
    days = ((today or pd.Timestamp.today()).normalize() - pd.Timestamp(as_of).normalize()).days
    return f"{days} days ago" if days < 60 else f"{days} days (about {days // 30} months) ago"


def data_age(facts: pd.DataFrame, today: pd.Timestamp | None = None) -> str:
    """One line: when the latest fact was published and how long before ``today`` that is."""
    from forecast.data.vintage import data_as_of

    latest = data_as_of(facts)
    return f"Facts published up to {latest:%-d %B %Y}: {age_text(latest, today)}."
