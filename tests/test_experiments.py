"""Every notebook in ``experiments/`` (jupytext percent scripts) runs top to bottom without an error.

The notebooks are the executable documentation of the Python API, so a change that breaks one fails here.
Each runs in a fresh kernel in a temporary working directory; the kernel inherits the session's throw-away
``$FORECAST_HOME`` (see conftest.py), so the reconciliation cache is shared between notebooks, never the user's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

pytestmark = [pytest.mark.slow, pytest.mark.notebooks]

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
NOTEBOOKS = sorted(EXPERIMENTS.glob("*.py"))
KERNEL = "python3"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 4, [p.name for p in NOTEBOOKS]


@pytest.fixture(scope="session")
def kernel_name() -> str:
    """The ``python3`` kernel spec, registered for this interpreter (a local file write) if it is missing."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--user", "--name", KERNEL], check=True, capture_output=True
        )
    return KERNEL


@pytest.fixture
def quiet_blas(monkeypatch):
    """One BLAS thread in the kernel: tiny model fits, and a multi-threaded BLAS only spins on a busy CI box."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(var, "1")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_name: str, quiet_blas, tmp_path: Path):
    notebook = jupytext.read(path)
    assert any(c.cell_type == "markdown" for c in notebook.cells), f"{path.name}: no markdown cell explains it"
    assert any(c.cell_type == "code" for c in notebook.cells), f"{path.name}: no code cell"
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name=kernel_name, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell and the traceback, if a cell fails
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    last_code = [c for c in notebook.cells if c.cell_type == "code"][-1]
    assert any("image/png" in o.get("data", {}) for o in last_code.get("outputs", [])), (
        f"{path.name}: the last cell should draw a chart, not only print"
    )


def test_jupyterlab_opens_the_percent_scripts_as_notebooks(tmp_path: Path):
    """The README's route: `jupyter lab experiments/` with jupytext serves each .py file as a notebook."""
    import json
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = "forecast-test"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={EXPERIMENTS}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/{NOTEBOOKS[0].name}?type=notebook&token={token}"
        for _ in range(120):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    model = json.load(response)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not answer on loopback within a minute")
        assert model["type"] == "notebook" and len(model["content"]["cells"]) == len(jupytext.read(NOTEBOOKS[0]).cells)
    finally:
        server.terminate()
        server.wait(timeout=30)
