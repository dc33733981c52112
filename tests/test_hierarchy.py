"""Coherent hierarchies: the reconciler against answers worked by hand or by the textbook S-form of MinT, summing
structures and reconciled outlooks of hand-made ports, and reconciled outlooks that add up path by path on the
bundled data."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from cli_runs import forecast, home_with_cache
from hand_facts import facts, years
from scipy.optimize import lsq_linear
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data.schema import COLUMNS
from forecast.data.vintage import FactBase
from forecast.hierarchy import reconcile_paths, shrunk_covariance, summing_structure
from forecast.hierarchy.coherent import GAP_TOLERANCE, Way, YearNodes, cohere_paths, largest_gap
from forecast.hierarchy.projection import project, reconcile_relative_paths, weights
from forecast.hierarchy.structure import Structure, Sum, candidate_sums
from forecast.outlook import Outlooks
from forecast.outlook.coherence import in_rank_order

# total = a + b, a = a1 + a2: nodes (total, a, b, a1, a2), bottom (b, a1, a2)
C = np.array([[1.0, -1, -1, 0, 0], [0, 1, 0, -1, -1]])
S = np.array([[1.0, 1, 1], [1, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]])  # columns: a1, b, a2
BOTTOM = [3, 2, 4]


def base_paths(n=40, seed=0):
    return np.random.default_rng(seed).gamma(4.0, 25.0, (n, 5))


def s_form(y, w):
    """The textbook MinT: S (S'W⁻¹S)⁻¹ S'W⁻¹ ŷ, per row."""
    wi = np.linalg.inv(w)
    return (S @ np.linalg.solve(S.T @ wi @ S, S.T @ wi @ y.T)).T


def test_mint_with_identity_is_the_ols_projection():
    y = base_paths()
    ols = (S @ np.linalg.solve(S.T @ S, S.T @ y.T)).T
    np.testing.assert_allclose(project(y, C, np.eye(5)), ols, rtol=1e-10)


def test_mint_equals_the_s_form_for_a_full_covariance():
    y = base_paths()
    w = shrunk_covariance(np.random.default_rng(1).normal(size=(400, 5)) @ np.diag([5.0, 3, 2, 1, 1]) + 2.0)
    np.testing.assert_allclose(reconcile_paths(y, C, w, floor=np.full(5, -np.inf)), s_form(y, w), rtol=1e-9)


def test_bottom_up_is_s_times_the_bottom_level():
    y = base_paths()
    out = reconcile_paths(y, C, weights("bottom_up", y, C))
    np.testing.assert_allclose(out, (S @ y[:, BOTTOM].T).T, rtol=1e-6)


def test_a_floor_holds_the_node_and_the_rest_is_projected_again():
    # total = a + b, W = I, ŷ = (10, 8, -4): the projection gives (8, 10, -2); b held at 0 leaves
    # min (T-10)² + (a-8)² with T = a, so T = a = 9
    out = reconcile_paths(np.array([[10.0, 8, -4]]), np.array([[1.0, -1, -1]]), np.eye(3))
    np.testing.assert_allclose(out, [[9, 9, 0]], atol=1e-12)


def test_the_bounded_projection_is_the_exact_non_negative_mint():
    # reference: scipy's bounded least squares on the bottom level, min ||W^-1/2 (S b - y)|| with b >= 0
    rng = np.random.default_rng(3)
    w = shrunk_covariance(rng.normal(size=(30, 5)) @ rng.normal(size=(5, 5)))
    root = np.linalg.cholesky(np.linalg.inv(w)).T
    y = rng.normal(10, 12, (300, 5))
    ours = reconcile_paths(y, C, w)
    s_cols = S[:, [1, 0, 2]]  # bottom columns (b, a1, a2): rows 2-4 of S are then the identity
    exact = np.array([s_cols @ lsq_linear(root @ s_cols, root @ row, bounds=(0, np.inf), method="bvls").x for row in y])
    assert np.any(exact[:, 2:] == 0)  # the bounds bind on some paths
    np.testing.assert_allclose(ours, exact, atol=1e-6)


def test_fixed_nodes_keep_their_values_and_floors_above_zero_hold():
    y = base_paths()
    y[:, 0] = 400.0  # the total is known
    floor = np.zeros_like(y)
    floor[:, 3] = 150.0  # a1 has already run 150
    fixed = np.array([True, False, False, False, False])
    out = reconcile_paths(y, C, weights("mint", y, C), floor, fixed)
    np.testing.assert_allclose(out[:, 0], 400.0)
    assert np.all(out[:, 3] >= 150 - 1e-6) and np.all(out >= -1e-9)
    assert np.any(y[:, 3] < 150) and np.any(np.isclose(out[:, 3], 150))
    np.testing.assert_allclose(out @ C.T, 0, atol=1e-8)


def test_relative_reconciliation_adds_up_and_shrinks_wide_parts_by_a_share_of_themselves():
    """A parent known to ~5%, a narrow part that nearly fills it and a far wider one that overshoots: the linear
    projection puts the wide part at zero on many paths; the log-scale one keeps every value positive, adds up
    exactly, keeps a fixed node and moves the wider part by the larger share."""
    rng = np.random.default_rng(3)
    n = 2000
    parent = rng.normal(1000, 50, n)
    narrow, wide = rng.normal(900, 90, n), rng.lognormal(np.log(800), 1.2, n)
    paths = np.column_stack([parent, narrow, wide])
    c = np.array([[1.0, -1, -1]])
    linear = reconcile_paths(paths, c, shrunk_covariance(paths))
    assert np.mean(linear[:, 2] <= 1e-9) > 0.1
    out = reconcile_relative_paths(paths, c)
    np.testing.assert_allclose(out @ c.T, 0, atol=1e-9 * 1000)
    assert out.min() > 0
    share = np.abs(np.log(out / paths)).mean(axis=0)
    assert share[2] > share[1] > 0
    held = reconcile_relative_paths(paths, c, fixed=np.array([True, False, False]))
    np.testing.assert_array_equal(held[:, 0], parent)
    np.testing.assert_allclose(held @ c.T, 0, atol=1e-9 * 1000)
    floor = np.column_stack([np.zeros(n), np.full(n, 850.0), np.zeros(n)])  # the narrow part has run 850 already
    floored = reconcile_relative_paths(paths, c, floor=floor)
    assert floored[:, 1].min() >= 850 and floored.min() > 0 and np.allclose(floored @ c.T, 0, atol=1e-6)


def test_cohere_paths_reconciles_arrays_and_says_how_each_year_was_reconciled():
    """p = a + b + other on arrays alone: a plausible year by the method; a year whose fixed parent is below the
    parts' sum by the log scale (the projection would put the wide part at zero); one below what its parts have run
    left as forecast alone; one whose nodes are all fixed left out."""
    history = pd.DataFrame(columns=["parent", "family", "parts_known", "gap_share"])
    structure = Structure("trains", "reported", (Sum("p", ("a", "b"), "path"),), (), history)
    rng = np.random.default_rng(0)
    n = 500

    def nodes(p, a, b, fixed=(False, False, False), floor=(0.0, 0.0, 0.0)):
        base = np.column_stack([p, a, b])
        return YearNodes(["p", "a", "b"], base, np.minimum(floor, base), np.array(fixed))

    years = {
        2025: nodes(rng.normal(100, 5, n), rng.normal(50, 5, n), rng.normal(45, 5, n)),
        2026: nodes(np.full(n, 100.0), rng.gamma(0.5, 40, n), rng.normal(90, 2, n), (True, False, False)),
        2027: nodes(np.full(n, 20.0), rng.normal(50, 3, n), rng.normal(60, 3, n), (True, False, False), (20, 40, 50)),
        2028: nodes(np.full(n, 100.0), np.full(n, 60.0), np.full(n, 30.0), (True, True, True)),
    }
    coherent = cohere_paths(structure, years, "mint")
    assert coherent.ways == {2025: Way.METHOD, 2026: Way.RELATIVE, 2027: Way.LEFT}
    assert list(coherent.nodes) == [2025, 2026] and set(coherent.failures) == {2026, 2027}
    assert coherent.failures[2026].floored.keys() == {"a"} and str(coherent.failures[2026]).startswith("a at its")
    assert coherent.failures[2027].floored.keys() == {"a", "b"}
    for year in coherent.nodes:
        frame = coherent.frame(year)
        assert list(frame.columns) == ["p", "a", "b", "p/other-path"] and (frame >= 0).all().all()
        assert largest_gap(coherent.paths[year], coherent.constraints[year]) < GAP_TOLERANCE
    np.testing.assert_array_equal(coherent.frame(2026)["p"], 100.0)  # a fixed node keeps its value


def test_shrunk_covariance_keeps_variances_and_shrinks_correlations():
    rng = np.random.default_rng(2)
    common = rng.normal(size=(60, 1))
    paths = np.hstack([common + 0.3 * rng.normal(size=(60, 1)), 100 * (common + rng.normal(size=(60, 1)))])
    w = shrunk_covariance(paths)
    np.testing.assert_allclose(np.diag(w), paths.var(axis=0), rtol=1e-10)
    sample = np.corrcoef(paths.T)[0, 1]
    shrunk = w[0, 1] / np.sqrt(w[0, 0] * w[1, 1])
    assert 0 < shrunk < sample
    assert np.all(np.linalg.eigvalsh(w) > 0)


def test_parts_sharing_a_port_are_partitions_of_their_own():
    sums = candidate_sums({"national", "western-corridor", "central-corridor", "inner-mongolia-ports", "erenhot"})
    national = {s.parts for s in sums if s.parent == "national"}
    assert national == {("central-corridor", "western-corridor"), ("inner-mongolia-ports",)}


# Hand-made ports (the catalogue's real slugs, facts of the test's own). Xinjiang's two ports add up to their group
# (2019: 2,431 + 2,136 = 4,567 of 4,600, a rest of 33; 2020: 5,027 + 4,652 = 9,679 exactly); the corridors add up
# to more than the nation in 2022: 13,290 + 2,450 + 4,855 = 20,595 > 16,562 · 1.03 (in 2021 they are within it).
PORTS = {
    "xinjiang-ports": {2019: 4600, 2020: 9679},
    "alashankou": {2019: 2431, 2020: 5027},
    "khorgos": {2019: 2136, 2020: 4652},
    "national": {2021: 15183, 2022: 16562},
    "western-corridor": {2021: 12210, 2022: 13290},
    "central-corridor": {2021: 2001, 2022: 2450},
    "eastern-corridor": {2021: 1200, 2022: 4855},
}


@pytest.fixture(scope="module")
def ports():
    frame = pd.concat([facts(*years(v, e), entity=e) for e, v in PORTS.items()], ignore_index=True)
    return summing_structure(FactBase(frame).on(), "trains", "reported")


def test_parts_that_add_up_are_kept_with_the_rest_of_the_whole(ports):
    rows = ports.history[ports.history["parent"] == "xinjiang-ports"]
    assert rows["parts_sum"].tolist() == [4567, 9679] and rows["parent_value"].tolist() == [4600, 9679]
    summary = ports.gap_summary().set_index("parent").loc["xinjiang-ports"]
    assert summary["kept"] and summary["years_over"] == 0
    assert summary["gap_share_mean"] == pytest.approx((33 / 4600 + 0) / 2)


def test_a_sum_the_history_contradicts_is_dropped_and_reported(ports):
    dropped = {(s.parent, s.parts) for s in ports.dropped}
    assert dropped == {("national", ("central-corridor", "eastern-corridor", "western-corridor"))}
    over = ports.history[ports.history["over"]]
    assert over[["parent", "year", "parts_sum", "parent_value"]].values.tolist() == [["national", 2022, 20595, 16562]]
    assert {s.parent for s in ports.sums} == {"western-corridor", "xinjiang-ports"}
    summary = ports.gap_summary()
    assert set(summary.loc[~summary["kept"], "parent"]) == {"national"}


@pytest.fixture(scope="module")
def coherent():
    outlooks = Outlooks(n_paths=100, hierarchy="mint")
    parts = summing_structure(outlooks.facts.on(), "trains", "reported").components()
    found = [outlooks.coherent(c.entities[0], "trains", "reported") for c in parts]
    return outlooks, [r for r in found if r is not None]  # a sum whose series are all stale has no outlooks


@pytest.mark.slow
def test_bundled_every_reconciled_path_of_a_parent_is_its_parts_plus_the_rest(coherent):
    _, results = coherent
    checked = 0
    for result in (r.paths for r in results):
        for year, names in result.nodes.items():
            frame = result.frame(year)
            for s in result.structure.sums:
                if s.parent not in names:
                    continue
                parts = [p for p in (*s.parts, s.other) if p in names]
                np.testing.assert_allclose(
                    frame[s.parent], frame[parts].sum(axis=1), rtol=1e-7, atol=1e-6, err_msg=f"{s.parent} {year}"
                )
                checked += 1
            entities = [n for n in names if "/other-" not in n]
            assert (frame[entities] >= 0).all().all()
        assert all(largest_gap(paths, result.constraints[y]) < GAP_TOLERANCE for y, paths in result.paths.items())
        left = {year for year, way in result.ways.items() if way is Way.LEFT}
        assert not left & set(result.nodes) and set(result.ways) == left | set(result.nodes)  # left: not reconciled
        assert set(result.failures) == {year for year, way in result.ways.items() if way is not Way.METHOD}
    assert checked  # some sum of the bundled data has outlooks to reconcile


@pytest.mark.slow
def test_bundled_reconciled_outlooks_keep_what_has_run_and_their_months_add_up(coherent):
    outlooks, results = coherent
    for result in results:
        moved = 0
        for entity, view in result.outlooks.items():
            assert view is outlooks.get(entity, "trains", "reported")
            assert view.reconciled.method == "mint" and list(view.reconciled.ways) == view.years.tolist()
            assert outlooks.base(entity, "trains", "reported").reconciled is None
            base = in_rank_order(outlooks.base(entity, "trains", "reported"))  # its paths in the coupling's order
            moved += not np.allclose(view.annual, base.annual)
            for year, seen in view.observed.items():  # no lower than what has run (unless the base path was)
                floor = np.minimum(seen.lo, base.year_paths(year))
                assert np.all(view.year_paths(year) >= floor - 1e-6), (entity, year)
            if view.monthly is not None:
                sums = view.monthly.reshape(view.n_paths, len(view.years), 12).sum(axis=2)
                np.testing.assert_allclose(sums, view.annual, rtol=1e-9)
                for year, seen in view.observed.items():  # the months the facts speak of are the conditioned ones
                    start = int(np.flatnonzero(view.years == year)[0]) * 12  # (December takes a change of a year
                    known = slice(start, start + min(seen.through.month, 11))  # bounded, not pinned, to its end)
                    np.testing.assert_allclose(
                        view.monthly[:, known], base.monthly[:, known], rtol=1e-9, err_msg=entity
                    )
        enforced = any(s.parent in names for names in result.paths.nodes.values() for s in result.paths.structure.sums)
        assert moved or not enforced, sorted(result.outlooks)  # a sum to enforce moves some outlook in it


def test_rank_order_keeps_each_outlook_and_couples_paths_by_their_totals():
    quarter = ("Q", "2025-01-01", "2025-03-31", "total", "1050", "exact", "", "2025-04-10")
    made = Outlooks(facts(*years({2021: 4218, 2022: 4461, 2023: 4837, 2024: 5137}), quarter), n_paths=100)
    view = made.base("hub", "trains", "reported")
    ordered = in_rank_order(view)
    assert np.all(np.diff(ordered.annual.sum(axis=1)) >= 0)  # path i is the i-th smallest trajectory
    pd.testing.assert_frame_equal(ordered.table(), view.table())  # the same distribution, year by year
    np.testing.assert_allclose(ordered.monthly.reshape(view.n_paths, -1, 12).sum(axis=2), ordered.annual)


def test_an_unknown_reconciliation_is_refused():
    with pytest.raises(Exception, match="unknown reconciliation 'mean'"):
        Outlooks(hierarchy="mean")


# Ports of the user's own (catalogue rows and facts in a fresh $FORECAST_HOME), known 2014-2021: testgroup is testa
# + testb + a rest of 100 trains growing by 15 a year; testover's parts exceed it by 10 % in 2020.
PORT_A = {2014: 1510, 2015: 1748, 2016: 2093, 2017: 2391, 2018: 2817, 2019: 3012, 2020: 3405, 2021: 3691}
PORT_B = {2014: 1122, 2015: 1263, 2016: 1417, 2017: 1701, 2018: 1892, 2019: 2144, 2020: 2376, 2021: 2528}
GROUP = {y: PORT_A[y] + PORT_B[y] + 100 + 15 * (y - 2014) for y in PORT_A}
OVER = {2019: 5000, 2020: 5256}
OVER_C, OVER_D = {2019: 2500, 2020: 3012}, {2019: 2400, 2020: 2770}  # 2020: 5,782 = 5,256 · 1.10


@pytest.fixture(scope="module")
def ports_home(tmp_path_factory, bundled_rec):
    home = home_with_cache(tmp_path_factory.mktemp("ports") / "home")
    (home / "entities.csv").write_text(
        "slug,name,kind,parents\ntestgroup,Test ports,port_group,\ntesta,Test port A,port,testgroup\n"
        "testb,Test port B,port,testgroup\ntestover,Over,port_group,\ntestc,C,port,testover\ntestd,D,port,testover\n"
    )
    series = {"testgroup": GROUP, "testa": PORT_A, "testb": PORT_B, "testover": OVER, "testc": OVER_C, "testd": OVER_D}
    lines = [
        f"{e}{y},{e},trains,{y}-01-01,{y}-12-31,total,{v},trains,exact,,https://{e}{y}.example,{y + 1}-01-20,test"
        for e, values in series.items()
        for y, v in values.items()
    ]
    (home / "observations.csv").write_text("\n".join([",".join(COLUMNS), *lines]) + "\n")
    return home


@pytest.mark.slow
def test_predict_hierarchy_prints_the_coherent_outlook_and_its_sums(ports_home, monkeypatch):
    args = ["predict", "--entity", "testgroup", "--metric", "trains", "--basis", "reported", "--horizon", "2"]
    args += ["--as-of", "2022-03-31", "--samples", "200", "--format", "json"]
    result = forecast(ports_home, *args)  # reconciled by default
    assert result.exit_code == 0, result.output
    # The sum as printed: "testgroup = testa + testb + not itemised: total = a + b + rest (2022)", the year in
    # progress on the as-of date, whose parts add up to the total (each rounded to the train)
    (line,) = [x for x in result.stderr.splitlines() if x.strip().startswith("testgroup = ")]
    members, total, parts, year = re.search(r"= (.+): ([\d,]+) = ([\d,+ ]+) \((\d{4})\)", line).groups()
    assert members == "testa + testb + not itemised" and year == "2022"
    numbers = [float(p.replace(",", "")) for p in parts.split(" + ")]
    assert len(numbers) == 3 and abs(sum(numbers) - float(total.replace(",", ""))) <= len(numbers)
    rows = pd.DataFrame(json.loads(result.stdout))
    monkeypatch.setenv("FORECAST_HOME", str(ports_home))
    view = Outlooks(n_paths=200, years=2, hierarchy="mint").get("testgroup", "trains", "reported", "2022-03-31")
    assert np.allclose(rows["mean"].to_numpy(float), view.table()["mean"].to_numpy())
    alone = Outlooks(n_paths=200, years=2, hierarchy=None).get("testgroup", "trains", "reported", "2022-03-31")
    assert not np.allclose(view.annual, alone.annual)
    result = forecast(ports_home, *args, "--no-hierarchy")
    assert result.exit_code == 0 and "not itemised" not in result.stderr
    rows = pd.DataFrame(json.loads(result.stdout))
    assert np.allclose(rows["mean"].to_numpy(float), alone.table()["mean"].to_numpy())


def test_predict_hierarchy_needs_an_entity(tmp_path):
    result = CliRunner().invoke(app, ["predict", str(tmp_path / "in.csv"), "--horizon", "2", "--hierarchy"])
    assert result.exit_code == 2 and "give --entity" in result.output


def test_a_reconciled_run_reports_means_which_add_up():
    from forecast.report.content import entity_table, outlook_tables

    years = pd.to_datetime(["2023-01-01", "2024-01-01"])
    history = pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"{e}/trains/reported", "entity": e, "metric": "trains", "basis": "reported"}
                | {"freq": "annual", "ds": years, "y": y, "y_lo": y, "y_hi": y, "sources": "N1", "flags": ""}
            )
            for e, y in (("xinjiang-ports", [14000.0, 16400.0]), ("alashankou", [7000.0, 8000.0]))
        ]
    )
    forecasts = pd.DataFrame(
        {
            "unique_id": ["xinjiang-ports/trains/reported", "alashankou/trains/reported"],
            "model": "auto",
            "ds": pd.Timestamp("2025-01-01"),
            "freq": "annual",
            "mean": [18746.0, 8431.0],
            "q50": [18600.0, 8300.0],
            "lo_80": [17000.0, 7000.0],
            "hi_80": [20000.0, 9000.0],
            "reconciled": "mint",
        }
    )
    (table,) = outlook_tables(history, forecasts, entity_table(), pd.Timestamp("2025-06-30"))
    assert "2025: mean (80%)" in table.columns and "the means shown add up" in table.note
    cells = [row[3] for row in table.rows if isinstance(row, list)]
    assert cells[0].startswith("18,746 (") and cells[1].startswith("8,431 (")
    forecasts["reconciled"] = None
    (plain,) = outlook_tables(history, forecasts, entity_table(), pd.Timestamp("2025-06-30"))
    assert "2025: median (80%)" in plain.columns
    assert [row[3] for row in plain.rows if isinstance(row, list)][0].startswith("18,600 (")


@pytest.mark.slow
def test_data_sums_lists_every_sum_with_its_history_check(ports_home):
    result = forecast(ports_home, "data", "sums", "--metric", "trains", "--format", "json")
    assert result.exit_code == 0, result.output
    table = pd.DataFrame(json.loads(result.stdout)).set_index(["basis", "parent", "parts"])
    row = table.loc[("reported", "testgroup", "testa;testb")]
    rest = [(GROUP[y] - PORT_A[y] - PORT_B[y]) / GROUP[y] for y in GROUP]
    assert row["kept"] and row["years_over"] == 0 and row["gap_share_mean"] == pytest.approx(np.mean(rest), abs=5e-5)
    over = table.loc[("reported", "testover", "testc;testd")]
    assert not over["kept"] and over["years_over"] == 1
    bad = CliRunner().invoke(app, ["data", "sums", "--metric", "trainz"])
    assert bad.exit_code == 2 and "unknown metric 'trainz'" in bad.output
