"""Shared test set-up: a throw-away $FORECAST_HOME for the whole session, and the bundled data reconciled once."""

import os
import tempfile

import pytest

# Tests never read or write the developer's own ~/.forecast (user facts, cache, store).
os.environ["FORECAST_HOME"] = tempfile.mkdtemp(prefix="forecast-test-home-")


@pytest.fixture(scope="session")
def bundled_rec():
    """The bundled observations reconciled with the default rule (cached on disk for later sessions' calls)."""
    from forecast.data import reconciled

    return reconciled()
