"""Which series sum to which, per metric and counting basis, and how well the published history adds up.

A parent's *parts* are its catalogue children with a series on the same metric and basis (bases are never
summed across). They are split into partitions of disjoint parts by family — where the trains cross the border
(corridor, port group, port), where they start (region, province, hub, brand), the service routes — and no two
parts of one partition share a catalogue descendant (the nation's corridors and the Inner Mongolia ports both hold
Erenhot, so they are two partitions of the nation). Each partition is one :class:`Sum` with an explicit
"other / not itemised" node: ``parent = Σ parts + other``, ``other ≥ 0`` (the hubs do not cover the nation; a port
group may carry traffic no itemised port reports). Routes directly under the nation (China–Central Asia trains,
the Trans-Caspian route) are services counted apart from the China–Europe total, not parts of it.

A sum is only as good as the figures: where the history pins the parent and some of its parts in the same year,
:func:`additivity` compares them. A partition whose known parts add up to more than the whole (by more than
:data:`TOLERANCE`, the rounding of "about" figures) counts something else on that basis; it is left out of the
structure and reported (:attr:`Structure.dropped`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast.data.entities import entity_catalogue

FAMILIES = {
    "corridor": "path",
    "port_group": "path",
    "port": "path",
    "region": "origin",
    "province": "origin",
    "hub": "origin",
    "brand": "origin",
    "route": "route",
}
PARTITION_ORDER = ("corridor", "port_group", "port", "region", "province", "brand", "hub", "route")
"""The order a parent's children are taken into its partitions (the first of a family founds its group); the
report's display order is :data:`forecast.data.entities.KIND_DISPLAY_ORDER`."""
TOLERANCE = 0.03  # known parts may exceed the whole by this share (or one unit) before the sum is contradicted


@dataclass(frozen=True)
class Sum:
    """``parent = Σ parts + other``: one partition of a parent into disjoint parts and a not-itemised rest."""

    parent: str
    parts: tuple[str, ...]
    family: str

    @property
    def other(self) -> str:
        """The name of the not-itemised node (not an entity: it has no facts of its own)."""
        return f"{self.parent}/other-{self.family}"


@dataclass(frozen=True)
class Structure:
    """The sums of one metric and basis: ``sums`` kept, ``dropped`` those the history contradicts, and the
    history comparison behind both (:func:`additivity`'s rows)."""

    metric: str
    basis: str
    sums: tuple[Sum, ...]
    dropped: tuple[Sum, ...]
    history: pd.DataFrame

    @property
    def entities(self) -> list[str]:
        """Every entity in a kept sum, parents before their parts."""
        seen: dict[str, None] = {}
        for s in self.sums:
            seen.setdefault(s.parent)
            for p in s.parts:
                seen.setdefault(p)
        return list(seen)

    @property
    def nodes(self) -> list[str]:
        """Entities, then the not-itemised nodes."""
        return [*self.entities, *(s.other for s in self.sums)]

    def constraints(self, nodes: list[str]) -> np.ndarray:
        """The matrix C (sums × nodes) with ``C y = 0`` exactly when ``y`` adds up: +1 parent, −1 parts and other.
        A part missing from ``nodes`` is left to the other node; a sum whose parent is missing is left out."""
        index = {n: i for i, n in enumerate(nodes)}
        rows = []
        for s in self.sums:
            if s.parent not in index or s.other not in index:
                continue
            row = np.zeros(len(nodes))
            row[index[s.parent]] = 1.0
            for name in (*s.parts, s.other):
                if name in index:
                    row[index[name]] = -1.0
            rows.append(row)
        return np.array(rows).reshape(len(rows), len(nodes))

    def components(self) -> list[Structure]:
        """The structure split into groups of sums that share no entity (reconciled apart: nothing ties them)."""
        groups: list[tuple[set[str], list[Sum]]] = []
        for s in self.sums:
            names = {s.parent, *s.parts}
            touching = [g for g in groups if g[0] & names]
            merged = (names.union(*(g[0] for g in touching)), [x for g in touching for x in g[1]] + [s])
            groups = [g for g in groups if not any(g is t for t in touching)] + [merged]
        return [self._only(sums) for _, sums in groups]

    def component(self, entity: str) -> Structure | None:
        """The component holding ``entity`` (None when no sum has it)."""
        return next((c for c in self.components() if entity in c.entities), None)

    def _only(self, sums: list[Sum]) -> Structure:
        names = {n for s in sums for n in (s.parent, *s.parts)}
        return Structure(self.metric, self.basis, tuple(sums), (), self.history[self.history["parent"].isin(names)])

    def gap_summary(self) -> pd.DataFrame:
        """Per sum: years compared, years the known parts exceed the whole (at all, and by more than
        :data:`TOLERANCE`), the whole's not-itemised share (mean and range over the years every part is known),
        and whether the sum is kept."""
        kept = {(s.parent, s.family) for s in self.sums}
        rows = []
        for s in (*self.sums, *self.dropped):
            own = self.history[(self.history["parent"] == s.parent) & (self.history["family"] == s.family)]
            full = own[own["parts_known"] == len(s.parts)]
            rows.append(
                {
                    "metric": self.metric,
                    "basis": self.basis,
                    "parent": s.parent,
                    "parts": ";".join(s.parts),
                    "years": len(own),
                    "years_parts_exceed": int((own["gap_share"] < 0).sum()),
                    "years_over": int(own["over"].sum()),
                    "years_all_parts": len(full),
                    "gap_share_mean": full["gap_share"].mean() if len(full) else np.nan,
                    "gap_share_min": full["gap_share"].min() if len(full) else np.nan,
                    "gap_share_max": full["gap_share"].max() if len(full) else np.nan,
                    "kept": (s.parent, s.family) in kept,
                }
            )
        return pd.DataFrame(rows)


def candidate_sums(entities: set[str]) -> list[Sum]:
    """The partitions of every parent among ``entities`` (see the module docstring), before any history check."""
    table = entity_catalogue().set_index("slug")
    kinds = table["kind"].to_dict()
    children: dict[str, list[str]] = {}
    for slug, parents in table["parents"].items():
        for parent in parents:
            children.setdefault(parent, []).append(slug)

    def below(slug: str) -> set[str]:
        out, todo = {slug}, [slug]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out

    sums = []
    for parent in sorted(p for p in children if p in entities):
        ranked = sorted(
            (c for c in children[parent] if c in entities and kinds.get(c) in FAMILIES),
            key=lambda c: (PARTITION_ORDER.index(kinds[c]), c),
        )
        groups: list[tuple[str, list[str], set[str]]] = []
        for child in ranked:
            family = FAMILIES[kinds[child]]
            if family == "route" and kinds.get(parent) == "national":
                continue
            mine = below(child)
            home = next((g for g in groups if g[0] == family and not (g[2] & mine)), None)
            if home is None:
                groups.append((family, [child], set(mine)))
            else:
                home[1].append(child)
                home[2].update(mine)
        counts: dict[str, int] = {}
        for family, parts, _ in groups:
            counts[family] = counts.get(family, 0) + 1
            name = family if counts[family] == 1 else f"{family}{counts[family]}"
            sums.append(Sum(parent, tuple(parts), name))
    return sums


def additivity(vintage, metric: str, basis: str, sums: list[Sum]) -> pd.DataFrame:
    """One row per sum and year where the vintage pins the parent and bounds at least one part from below: the
    parent, the parts' known sum (a part the facts do not pin counts with the pinned parts of its own sums, a lower
    bound), how many parts are pinned, the not-itemised share ``1 − Σ parts / parent`` and whether the parts
    exceed the whole by more than :data:`TOLERANCE` (or one unit: "13 trains" may be 13.5)."""
    pinned: dict[str, pd.Series] = {}
    least: dict[str, pd.Series] = {}
    by_parent: dict[str, list[Sum]] = {}
    for s in sums:
        by_parent.setdefault(s.parent, []).append(s)

    def known(slug: str) -> pd.Series:
        if slug not in pinned:
            series = vintage.series(slug, metric, basis)
            pinned[slug] = series.pinned
            least[slug] = series.years["y_lo"].astype(float) if len(series.years) else pd.Series(dtype=float)
        return pinned[slug]

    def floor(slug: str, year: int) -> float:
        if year in known(slug).index:
            return float(known(slug)[year])
        own = float(least[slug].get(year, 0.0))
        parts = (sum(floor(p, year) for p in s.parts) for s in by_parent.get(slug, []))
        return max([own if np.isfinite(own) else 0.0, *parts])

    rows = []
    for s in sums:
        for year, value in known(s.parent).items():
            total = sum(floor(p, int(year)) for p in s.parts)
            if total <= 0 or value <= 0:
                continue
            rows.append(
                {
                    "parent": s.parent,
                    "family": s.family,
                    "year": int(year),
                    "parent_value": float(value),
                    "parts_sum": total,
                    "parts_known": sum(year in known(p).index for p in s.parts),
                    "gap_share": 1 - total / float(value),
                    "over": bool(total > float(value) + max(TOLERANCE * float(value), 1.0)),
                }
            )
    columns = ["parent", "family", "year", "parent_value", "parts_sum", "parts_known", "gap_share", "over"]
    return pd.DataFrame(rows, columns=columns)


def summing_structure(vintage, metric: str, basis: str, entities: set[str] | None = None) -> Structure:
    """The sums of ``metric`` on ``basis`` among ``entities`` (default: every entity with a series on them in
    the vintage), those the vintage's history contradicts dropped (see the module docstring)."""
    if entities is None:
        entities = {k[0] for k in vintage.keys(metrics=(metric,), basis=basis)}
    sums, dropped, against = candidate_sums(set(entities)), [], []
    while True:  # a sum dropped no longer bounds its parent from below: check the rest again without it
        history = additivity(vintage, metric, basis, sums)
        over = set(history.loc[history["over"], ["parent", "family"]].itertuples(index=False, name=None))
        if not over:
            break
        mine = [(s.parent, s.family) in over for s in sums]
        dropped += [s for s, out in zip(sums, mine) if out]
        against.append(history[[(p, f) in over for p, f in zip(history["parent"], history["family"])]])
        sums = [s for s, out in zip(sums, mine) if not out]
    history = pd.concat([history, *against], ignore_index=True) if against else history
    return Structure(metric, basis, tuple(sums), tuple(dropped), history)


def coherence_table(vintage, metrics=("trains", "teu", "tonnes")) -> pd.DataFrame:
    """:meth:`Structure.gap_summary` of every metric and basis with a sum: how well the history adds up."""
    frames = []
    for metric, basis in sorted({(k[1], k[2]) for k in vintage.keys(metrics=metrics)}):
        structure = summing_structure(vintage, metric, basis)
        if structure.sums or structure.dropped:
            frames.append(structure.gap_summary())
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
