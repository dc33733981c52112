"""Issue 23's reproductions, each through the real CLI, real files, real DuckDB and real processes: nothing the
toolkit writes or loads can hurt the user. Saved models run no code from a file they did not write; outputs
replace nothing they do not own; a store is read as data; a fact from the future is refused; workers end with
their parent; bad inputs are one line and exit 2."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import stat

import pandas as pd
import pytest
from cli_runs import assert_clean_failure, forecast

pytestmark = pytest.mark.reliability


@pytest.fixture
def series(tmp_path):
    """Two annual series, a and b, of twelve years."""
    path = tmp_path / "two.csv"
    rows = [
        f"{uid},{year}-01-01,{level + 10 * (year - 2010) + (year % 3)}"
        for uid, level in (("a", 100), ("b", 5000))
        for year in range(2010, 2022)
    ]
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return path


class Evil:
    """A pickle that would run code when read: it creates a file."""

    def __init__(self, flag):
        self.flag = str(flag)

    def __reduce__(self):
        return (os.system, (f"touch {self.flag}",))


def saved(home, series, folder, *options):
    result = forecast(home, "predict", series, "-h", "3", "-m", "naive", "--save", folder, *options)
    assert result.exit_code == 0, result.stderr
    return json.loads((folder / "manifest.json").read_text())


# 1. --save removes nothing it did not write ---------------------------------------------------------------------


def test_save_refuses_a_foreign_folder_with_a_manifest_and_keeps_its_files(tmp_path, series):
    home, proj = tmp_path / "home", tmp_path / "proj"
    (proj / "src").mkdir(parents=True)
    (proj / "manifest.json").write_text("{}")
    (proj / "src" / "app.js").write_text("code")
    result = forecast(home, "predict", series, "-h", "3", "-m", "naive", "--save", proj)
    assert_clean_failure(result, 2, "not a saved-models folder forecast wrote for you")
    assert (proj / "src" / "app.js").read_text() == "code" and (proj / "manifest.json").read_text() == "{}"


def test_save_again_replaces_only_its_own_files(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    first = saved(home, series, folder)
    (folder / "notes.txt").write_text("mine")
    second = saved(home, series, folder)
    files = {entry["file"] for entry in second["entries"]}
    assert {p.name for p in folder.iterdir()} == files | {"manifest.json", "notes.txt"}
    assert not files & {entry["file"] for entry in first["entries"]}
    key = home / "signing.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


# 2. --load runs no code and uses no file it did not write for this series -----------------------------------------


def test_a_pickle_outside_the_folder_or_an_unsigned_manifest_is_refused_before_unpickling(tmp_path, series):
    home, folder, flag = tmp_path / "home", tmp_path / "models", tmp_path / "ran"
    manifest = saved(home, series, folder)
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Evil(flag)))
    for name in ("/elsewhere/evil.pkl", str(tmp_path / "evil.pkl"), "../evil.pkl"):
        edited = json.loads(json.dumps(manifest))
        edited["entries"][0]["file"] = name
        (folder / "manifest.json").write_text(json.dumps(edited))
        for trust in ((), ("--trust",)):
            result = forecast(home, "predict", "-h", "2", "--load", folder, *trust)
            assert_clean_failure(result, 2, "entries[0].file: not the name of a model file in this folder")
    (folder / manifest["entries"][0]["file"]).write_bytes(pickle.dumps(Evil(flag)))
    unsigned = {k: v for k, v in manifest.items() if k != "signature"}
    (folder / "manifest.json").write_text(json.dumps(unsigned))
    (line,) = assert_clean_failure(
        forecast(home, "predict", "-h", "2", "--load", folder), 2, "not signed with your key"
    )
    assert manifest["signature"] not in line
    (folder / "manifest.json").write_text(json.dumps(manifest))  # signed, but the file is not the one listed
    (line,) = assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, "changed or swapped")
    assert manifest["entries"][0]["sha256"] not in line
    assert not flag.exists()


def test_swapped_pickles_are_refused_even_with_trust(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    a, b = (folder / entry["file"] for entry in manifest["entries"])
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b), b.write_bytes(data_a)
    for trust in ((), ("--trust",)):
        result = forecast(home, "predict", series, "-h", "2", "--load", folder, *trust)
        assert_clean_failure(result, 2, "not the file saved for series 'a'")


def test_models_saved_by_another_user_load_only_with_trust(tmp_path, series):
    folder = tmp_path / "models"
    saved(tmp_path / "someone-else", series, folder)
    assert_clean_failure(forecast(tmp_path / "me", "predict", "-h", "2", "--load", folder), 2, "pass --trust")
    trusted = forecast(tmp_path / "me", "predict", "-h", "2", "--load", folder, "--trust")
    assert trusted.exit_code == 0, trusted.stderr


MALFORMED = {
    "not JSON": "{",
    "a list": "[]",
    "no format": {"format": None},
    "format 1": {"format": 1},
    "a bad freq": {"freq": "hourly"},
    "season length as text": {"season_length": "1"},
    "no models": {"models": []},
    "levels as text": {"levels": "80"},
    "settings as a list": {"settings": []},
    "no entries": {"entries": []},
    "an entry as text": {"entries": ["x"]},
    "an entry without its series": {"entries": [{"file": "x.pkl"}]},
    "a deeply nested document": "[" * 100_000 + "]" * 100_000,
    "Latin-1 bytes": b'{"format": "\xe9"}',
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_manifest_is_one_line_naming_the_file(name, tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    change = MALFORMED[name]
    path = folder / "manifest.json"
    if isinstance(change, bytes):
        path.write_bytes(change)
    else:
        path.write_text(change if isinstance(change, str) else json.dumps({**manifest, **change}))
    assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, str(path))


def test_a_truncated_pickle_is_one_line(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    manifest = saved(home, series, folder)
    model = folder / manifest["entries"][0]["file"]
    model.write_bytes(model.read_bytes()[:20])
    assert_clean_failure(forecast(home, "predict", "-h", "2", "--load", folder), 2, f"{model}: not the file saved")
    trusted = {**manifest}  # a trusted author's truncated file: the hash matches, the pickle is damaged
    trusted["entries"][0]["sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(trusted))
    result = forecast(home, "predict", "-h", "2", "--load", folder, "--trust")
    assert_clean_failure(result, 2, f"{model}: damaged saved model")


def test_the_default_load_forecasts_as_before(tmp_path, series):
    home, folder = tmp_path / "home", tmp_path / "models"
    saved(home, series, folder)
    again = forecast(home, "predict", series, "-h", "3", "--load", folder, "--format", "csv")
    assert again.exit_code == 0, again.stderr
    assert set(pd.read_csv(io.StringIO(again.stdout))["unique_id"]) == {"a", "b"}
