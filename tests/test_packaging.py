"""The bundled dataset must load after a plain, non-editable ``pip install .``, not only from the source tree."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a pip install
ROOT = Path(__file__).resolve().parents[1]


def test_non_editable_install_ships_the_dataset(tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    probe = (
        "import forecast, pandas as pd; from forecast.paths import bundled;"
        "from forecast.data import load_observations, resolve_entity; import forecast.store, forecast.report;"
        "assert 'site' in forecast.__file__, forecast.__file__;"
        "print(len(load_observations(include_user=False)), resolve_entity('Alashankou (Alataw Pass)') == 'alashankou')"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    rows, has_entities = out.stdout.split()
    source_rows = sum(1 for _ in open(ROOT / "datasets" / "observations.csv", encoding="utf-8")) - 1
    assert int(rows) == source_rows and has_entities == "True"
