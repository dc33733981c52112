"""How hedged wording relates to the truth, measured on the bundled facts: every hedged period total ("more than
5,700", "nearly 6,000", "about 19,000") whose period is also stated exactly (same entity, metric, counting basis,
period and kind; copies of one release counted once), by wording and by the precision of the stated figure, beside
the reading :mod:`forecast.data.hedges` applies. Run: ``python benchmarks/hedge_calibration.py [--pairs]``.
"""

from __future__ import annotations

import argparse

from _markdown import markdown

from forecast.data import load_observations
from forecast.data.hedges import hedge_table, hedged_band, measure_hedges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", action="store_true", help="also print every pair")
    args = parser.parse_args()
    pairs = measure_hedges(load_observations(include_user=False))
    table = hedge_table(pairs)
    for column in ("median", "q10", "q90", "min", "max"):
        table[column] = table[column].map(lambda v: f"{v:+.2%}")
    table["within_one_unit"] = table["within_one_unit"].map(lambda v: f"{v:.0%}")
    print(markdown(table))
    inside = [
        lo <= exact <= hi
        for (lo, hi, _), exact in zip(
            (hedged_band(v, q, t, 0.0) for v, q, t in zip(pairs["value"], pairs["qualifier"], pairs["value_text"])),
            pairs["exact"],
        )
    ]
    print(f"\n{sum(inside)} of {len(pairs)} exact figures lie inside the band their hedge is read as.")
    if args.pairs:
        shown = pairs[["entity", "metric", "period_start", "period_end", "qualifier", "value_text", "exact", "ids"]]
        shown = shown.assign(
            period_start=shown["period_start"].dt.date,
            period_end=shown["period_end"].dt.date,
            exact=shown["exact"].map("{:,.0f}".format),
        )
        print("\n" + markdown(shown.assign(offset=pairs["offset"].map(lambda v: f"{v:+.2%}"))))


if __name__ == "__main__":
    main()
