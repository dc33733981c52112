"""Whatever ``data validate`` accepts, ``data add`` adds and every later command loads; whatever it rejects is
one ``file:line: field: reason`` line per problem, exit 2, and the user's file stays byte-identical.

Hypothesis writes observation files — valid rows, rows with one hostile field (out-of-range dates, numbers
that are not numbers, invisible characters, separators in ids, ceilings passed) and file-level damage
(duplicated or dropped columns, byte-order marks, other encodings, the same fact under a new id, CRLF,
ragged rows) — into a home that is empty or already holds a user fact. After an accepted file: ``data list``,
``data show`` and ``data conflicts`` (which reconcile), and ``target --all`` on a targets file about the new
facts; the first accepted files with target facts also run the full ``target --all`` (bounded: ~10 s each).
"""

from __future__ import annotations

import re

import pytest
from cli_runs import assert_clean_failure, forecast, home_with_cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecast.data import entity_catalogue
from forecast.data.schema import BASES, COLUMNS, COUNT_METRICS, KINDS, METRIC_UNITS, QUALIFIERS
from forecast.limits import TODAY_ENV, VALUE_CEILING

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

ENTITIES = sorted(entity_catalogue()["slug"])
SEED_ROW = (
    "U0,xian,trains,2031-01-01,2031-12-31,total,1200,trains,exact,,https://example.org/u0,2032-01-05,"
    "a fact already in the user's file"
)
FULL_TARGET_RUNS = 2
_full_runs = []

HOSTILE = {
    "id": ["U1;U2", "U 1", "U,1", "U/1", 'U"1', "Ü1", "U1\u202e", "x" * 70, "-U1", "S0001", "U0"],
    "entity": ["Xian", "atlantis", "xi an", "xian\u200b"],
    "metric": ["trainz", "TEU"],
    "unit": ["wagons", "TEU "],
    "period_start": [
        "1600-01-01",
        "1677-09-21",
        "2262-04-12",
        "9999-12-31",
        "0001-01-01",
        "2024-02-30",
        "2024/01/01",
        "\u0662\u0660\u0662\u0664-01-01",
        "1899-12-31",
        "2100-01-01",
    ],
    "period_end": ["1600-12-31", "2262-04-12", "99999-01-01", "2024-13-01", "2100-01-01"],
    "kind": ["sum", "Total"],
    "value": [
        "1e308",
        "9_000",
        "\u0669\u0660\u0660",
        "inf",
        "nan",
        "-5",
        "1,00",
        "10\x000",
        "\uff11\uff12\uff13",
        "1" * 400,
        "+5",
        "0x10",
        "1.5e3",
        "12,34,567",
        str(VALUE_CEILING["trains"] + 1) + "0" * 9,
    ],
    "qualifier": ["roughly", "EXACT"],
    "yoy_pct": ["-100", "2001", "abc", "1e3", "\u0665"],
    "source_url": ["javascript:alert(1)", "https://example.org/\u202eevil"],
    "published": ["2024-13", "20245", "1600", "2024-02-30", "9999"],
    "note": ["evil \u202egnp.exe", "nul\x00here", "two\nlines", "zero\u200bwidth", "line\u2028sep"],
}

note_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=20
)


@st.composite
def good_row(draw, number: int) -> dict:
    """A row the schema accepts: consistent metric and unit, dates and values within the limits."""
    metric = draw(st.sampled_from(list(METRIC_UNITS)))
    kind = draw(st.sampled_from(KINDS + ("total", "total")))
    year = draw(st.integers(1900, 2099))
    if kind == "target":
        start, end = f"{year}-01-01", f"{year}-12-31"
    elif kind == "cumulative":
        start, end = f"{draw(st.integers(1900, year))}-01-01", f"{year}-{draw(st.integers(1, 12)):02d}-28"
    else:
        first = draw(st.integers(1, 12))
        start, end = f"{year}-{first:02d}-01", f"{year}-{draw(st.integers(first, 12)):02d}-28"
    ceiling = VALUE_CEILING[metric]
    value = draw(st.one_of(st.integers(0, 20_000), st.integers(0, ceiling)))
    text = draw(st.sampled_from([f"{value}", f"{value:,}", f"{value}.{draw(st.integers(0, 99)):02d}"]))
    if text.endswith(".00") or float(text.replace(",", "")) > ceiling:
        text = f"{value}"
    yoy = draw(st.one_of(st.just(""), st.just(""), st.decimals(-99, 2000, places=1).map(str)))
    if kind == "target" and draw(st.booleans()) and yoy:
        text = ""
    published = draw(st.sampled_from(["", f"{min(year + 1, 2099)}", f"{year}-12", f"{min(year + 1, 2099)}-12-31"]))
    return {
        "id": f"U{number}",
        "entity": draw(st.sampled_from(ENTITIES)),
        "metric": metric,
        "period_start": start,
        "period_end": end,
        "kind": kind,
        "value": text,
        "unit": METRIC_UNITS[metric],
        "qualifier": draw(st.sampled_from(QUALIFIERS)),
        "yoy_pct": yoy,
        "source_url": f"https://example.org/{number}/{draw(st.integers(0, 3))}",
        "published": published,
        "note": draw(note_text),
        "basis": draw(st.sampled_from(("",) * 3 + BASES)),
    }


@st.composite
def row(draw, number: int) -> dict:
    """A good row, or one with a single hostile field (a third of the time)."""
    values = draw(good_row(number))
    if draw(st.integers(0, 2)) == 0:
        field = draw(st.sampled_from(sorted(HOSTILE)))
        values[field] = draw(st.sampled_from(HOSTILE[field]))
    return values


def render(rows: list[dict], columns: list[str], newline: str = "\n") -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text

    lines = [",".join(columns)] + [",".join(cell(r.get(c, "")) for c in columns) for r in rows]
    return newline.join(lines) + newline


@st.composite
def observation_file(draw) -> tuple[bytes, list[dict]]:
    """File bytes and the rows meant to be in it, after one file-level mutation (or none)."""
    rows = [draw(row(n)) for n in range(1, draw(st.integers(1, 4)) + 1)]
    columns = list(COLUMNS) + (["basis"] if draw(st.booleans()) else [])
    mutation = draw(
        st.sampled_from(
            ["none"] * 6
            + [
                "dup_column",
                "drop_column",
                "bom",
                "latin1",
                "utf16",
                "crlf",
                "same_fact_new_id",
                "same_id",
                "blank_lines",
                "ragged",
                "header_only",
                "empty",
            ]
        )
    )
    newline, encoding, prefix = "\n", "utf-8", ""
    if mutation == "dup_column":
        columns.append(draw(st.sampled_from(columns)))
    elif mutation == "drop_column":
        columns.remove(draw(st.sampled_from(columns)))
    elif mutation == "bom":
        prefix = "\ufeff"
    elif mutation in ("latin1", "utf16"):
        encoding = {"latin1": "latin-1", "utf16": "utf-16"}[mutation]
    elif mutation == "crlf":
        newline = "\r\n"
    elif mutation == "same_fact_new_id":
        rows.append({**rows[0], "id": "U99"})
    elif mutation == "same_id":
        rows.append({**rows[0], "value": "7"})
    text = render(rows, columns, newline)
    if mutation == "blank_lines":
        text = text.replace("\n", "\n\n", 2)
    elif mutation == "ragged":
        text = text.rstrip("\n") + ",extra\n"
    elif mutation == "header_only":
        text, rows = text.splitlines(keepends=True)[0], []
    elif mutation == "empty":
        text, rows = "", []
    return (prefix + text).encode(encoding, errors="replace"), rows


def budget(examples: int):
    """Hypothesis settings for ``examples`` files (derandomized: CI sees the same files every run)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@budget(40)
@given(case=observation_file(), seeded=st.booleans())
def test_validate_accepts_only_what_every_later_command_loads(case, seeded, tmp_path_factory, shared_home):
    check_file(case, seeded, tmp_path_factory, shared_home)


@pytest.mark.exhaustive
@budget(400)
@given(case=observation_file(), seeded=st.booleans())
def test_validate_accepts_only_what_every_later_command_loads_on_ten_times_the_files(
    case, seeded, tmp_path_factory, shared_home
):
    check_file(case, seeded, tmp_path_factory, shared_home)


def check_file(case, seeded, tmp_path_factory, shared_home) -> None:
    """The property for one drawn file: refused in lines naming it and changing nothing, or added and loaded."""
    data, rows = case
    home = shared_home
    user = home / "observations.csv"
    for stale in (user, home / "observations.csv.lock"):
        stale.unlink(missing_ok=True)
    if seeded:
        user.write_text(",".join(COLUMNS) + "\n" + SEED_ROW + "\n", encoding="utf-8")
    before = user.read_bytes() if seeded else None
    path = tmp_path_factory.mktemp("file") / "facts.csv"
    path.write_bytes(data)

    checked = forecast(home, "data", "validate", path)
    added = forecast(home, "data", "add", path)
    if checked.exit_code != 0:
        lines = assert_clean_failure(checked, 2)
        assert all(re.match(rf"^{re.escape(str(path))}:\d+: [a-z_]+: \S", line) for line in lines), lines
        assert added.exit_code == 2 and added.stderr == checked.stderr
        assert (user.read_bytes() if user.exists() else None) == before
        return
    assert added.exit_code == 0, added.stderr
    for args in (("data", "list"), ("data", "conflicts"), ("data", "show", "xian")):
        result = forecast(home, *args)
        assert result.exit_code == 0, (args, result.stderr)
    entities = sorted({r["entity"] for r in rows})
    for entity in entities:
        shown = forecast(home, "data", "show", entity)
        assert shown.exit_code == 0 or shown.stderr.startswith("error: no annual series"), shown.stderr
    counted = sorted({(r["entity"], r["metric"], r["period_end"][:4]) for r in rows if r["metric"] in COUNT_METRICS})
    if counted:
        targets = path.with_name("targets.csv")
        targets.write_text(
            "entity,metric,year,comparison,value\n" + "".join(f"{e},{m},{y},at_least,1\n" for e, m, y in counted),
            encoding="utf-8",
        )
        checked_targets = forecast(home, "target", "--all", "--targets", targets, "--samples", "200")
        assert checked_targets.exit_code == 0, checked_targets.stderr
    if any(r["kind"] == "target" for r in rows) and len(_full_runs) < FULL_TARGET_RUNS:
        _full_runs.append(path)
        everything = forecast(home, "target", "--all", "--samples", "200")
        assert everything.exit_code == 0, everything.stderr


@pytest.fixture(autouse=True)
def far_future_today(monkeypatch):
    """The files' facts lie in years no bundled fact covers, up to 2099: today is the last supported day."""
    monkeypatch.setenv(TODAY_ENV, "2099-12-31")


@pytest.fixture(scope="module")
def shared_home(tmp_path_factory, bundled_rec):
    """One home for every example (its reconciliation cache makes later examples cheap); each example removes
    the user file first."""
    return home_with_cache(tmp_path_factory.mktemp("property") / "home")
