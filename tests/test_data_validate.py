"""Validation and merging of observation files: exact file:line: field messages, and nothing changes on failure."""

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecast.cli.main import app
from forecast.data import add_observations, entity_catalogue, load_observations, read_observations
from forecast.data.schema import COLUMNS
from forecast.errors import ValidationError
from forecast.paths import bundled

BUNDLED = bundled("observations.csv")


def monthly_rows() -> list[list[str]]:
    """A valid observations file as rows: its header, then Xi'an's monthly trains of 2016-01 to 2024-04 (100 facts)."""
    months = pd.date_range("2016-01-01", periods=100, freq="MS")
    return [list(COLUMNS)] + [
        [f"M{n:03d}", "xian", "trains", f"{m:%Y-%m-%d}", f"{m + pd.offsets.MonthEnd(0):%Y-%m-%d}", "total"]
        + [str(300 + n), "trains", "exact", "", f"https://m{n}.example", f"{m + pd.offsets.MonthBegin(1):%Y-%m-10}", ""]
        for n, m in enumerate(months, start=1)
    ]


def corrupt(tmp_path, edits, extra=()):
    """The file of :func:`monthly_rows` with ``edits`` {file line: {column: value}} and ``extra`` lines appended."""
    rows = monthly_rows()
    header = rows[0]
    for line, change in edits.items():
        for column, value in change.items():
            rows[line - 1][header.index(column)] = value
    rows += [rows[line - 1] for line in extra]
    path = tmp_path / "observations.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path, len(rows)


SHARED_DATA = BUNDLED.resolve().parents[1] / ".." / "shared" / "data"


def shared_releases() -> list[Path]:
    """The data releases beside this checkout, oldest first (``observations.csv``, then ``release-*.csv``)."""
    first = SHARED_DATA / "observations.csv"
    return ([first] if first.exists() else []) + sorted(SHARED_DATA.glob("release-*.csv"))


def test_bundled_dataset_loads_with_every_fact_of_every_shared_release():
    facts = load_observations(include_user=False)
    assert len(facts) == sum(1 for _ in open(BUNDLED, encoding="utf-8")) - 1
    assert facts["id"].is_unique
    for release in shared_releases():  # the data releases the bundled dataset is taken from
        ids = {row["id"] for row in csv.DictReader(open(release, encoding="utf-8"))}
        assert ids <= set(facts["id"]), f"{release.name}: {sorted(ids - set(facts['id']))[:5]} not bundled"
    assert set(facts["entity"]) <= set(entity_catalogue()["slug"])
    assert facts["basis"].notna().all()


def test_corrupted_copy_names_every_bad_line_and_field(tmp_path):
    path, total = corrupt(
        tmp_path,
        {
            10: {"metric": "trainz"},
            20: {"period_end": "2000-01-01"},
            30: {"value": "-5"},
            40: {"yoy_pct": "5000"},
            50: {"period_start": "2023-02-30"},
            60: {"qualifier": "roughly"},
            70: {"unit": "TEU"},
            80: {"kind": "guess"},
        },
        extra=[90],
    )
    with pytest.raises(ValidationError) as err:
        read_observations(path, known_entities=set(entity_catalogue()["slug"]))
    problems = err.value.problems
    expected = {
        (10, "metric"),
        (20, "period_end"),
        (30, "value"),
        (40, "yoy_pct"),
        (50, "period_start"),
        (60, "qualifier"),
        (70, "unit"),
        (80, "kind"),
        (total, "row"),
        (total, "id"),
    }
    found = {(int(p.split(":")[1]), p.split(": ")[1]) for p in problems}
    assert found == expected, problems
    assert all(p.startswith(f"{path}:") for p in problems)


def test_malformed_row_and_unknown_entity(tmp_path):
    path = tmp_path / "user.csv"
    header = open(BUNDLED, encoding="utf-8").readline()
    path.write_text(
        header + "U1,nowhere,trains,2024-01-01,2024-12-31,total,5,trains,exact,,https://x.example,,n\n"
        "U2,xian,trains,2024-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        read_observations(path, known_entities=set(entity_catalogue()["slug"]))
    assert err.value.problems == [
        f"{path}:3: row: expected 13 fields, found 4",
        f"{path}:2: entity: unknown entity 'nowhere' (add it to $FORECAST_HOME/entities.csv first)",
    ]


def user_file(tmp_path, rows):
    header = open(BUNDLED, encoding="utf-8").readline()
    path = tmp_path / "new.csv"
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = [
    "U1,xian,trains,2025-01-01,2025-11-30,total,5600,trains,exact,,https://x.example,2025-12-10,Jan-Nov",
    "U2,xian,teu,2025-01-01,2025-11-30,total,500000,TEU,about,,https://x.example,2025-12-10,Jan-Nov boxes",
]


@pytest.mark.slow
def test_add_merges_once_and_a_rejected_file_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_HOME", str(tmp_path / "home"))
    target = tmp_path / "home" / "observations.csv"
    assert add_observations(user_file(tmp_path, GOOD)) == (2, 0)
    before = target.read_bytes()
    assert add_observations(user_file(tmp_path, GOOD)) == (0, 2)
    assert target.read_bytes() == before
    bad = user_file(tmp_path, [GOOD[0].replace("5600", "5700"), GOOD[1].replace("U2", "U3").replace("500000", "-1")])
    with pytest.raises(ValidationError):
        add_observations(bad)
    assert target.read_bytes() == before
    facts = load_observations()
    assert {"U1", "U2"} <= set(facts["id"]) and len(facts) == sum(1 for _ in open(BUNDLED)) - 1 + 2


@pytest.mark.slow
def test_cli_validate_and_add_exit_codes(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    good = user_file(tmp_path, GOOD)
    ok = runner.invoke(app, ["data", "validate", str(good)])
    assert ok.exit_code == 0 and "ok, 2 rows" in ok.output
    path, _ = corrupt(tmp_path, {12: {"qualifier": "roughly"}})
    bad = runner.invoke(app, ["data", "add", str(path)])
    assert bad.exit_code == 2 and f"{path}:12: qualifier:" in bad.output
    assert not (tmp_path / "home" / "observations.csv").exists()
    added = runner.invoke(app, ["data", "add", str(good)])
    assert added.exit_code == 0 and "added 2 rows, 0 already present" in added.output
    shutil.rmtree(tmp_path / "home")


@pytest.mark.slow
def test_bundled_dataset_takes_in_the_shared_releases_again_unchanged(tmp_path):
    releases = shared_releases()
    if not releases:
        pytest.skip("no ../shared/data release beside this checkout")
    copy = tmp_path / "observations.csv"
    shutil.copy(BUNDLED, copy)
    for release in releases:
        added, present = add_observations(release, target=copy)
        assert added == 0 and present == sum(1 for _ in open(release, encoding="utf-8")) - 1
    assert copy.read_bytes() == BUNDLED.read_bytes()
