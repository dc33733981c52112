"""Every notebook in ``experiments/`` (jupytext percent scripts) runs top to bottom without an error.

The notebooks are the executable documentation of the Python API, so a change that breaks one fails here.
Each runs in a fresh kernel in a temporary working directory; the kernel inherits the session's throw-away
``$FORECAST_HOME`` (see conftest.py), so the reconciliation cache is shared between notebooks, never the user's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

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
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--user", "--name", KERNEL], check=True,
                       capture_output=True)  # fmt: skip
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
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name=kernel_name,
                                     resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
    client.execute()  # raises CellExecutionError, naming the cell and the traceback, if a cell fails
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]  # fmt: skip
    assert not errors, errors
