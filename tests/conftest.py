"""Shared fixtures and settings for the test suite."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)

# The real ridership data (tests/test_datasets.py checks the loader itself). Read
# here, at import time, before any test's monkeypatch clears the variable.
DATA_MIRROR = os.environ.get("RNNLIB_DATA_MIRROR")


@pytest.fixture(scope="session")
def ridership(tmp_path_factory):
    """The ridership DataFrame from $RNNLIB_DATA_MIRROR: a skip without it, a failure on CI."""
    reason = "RNNLIB_DATA_MIRROR is not set: point it at a folder holding ridership.tgz"
    if not DATA_MIRROR:
        if ON_CI:
            pytest.fail(f"CI=true but {reason} (.ci/run sets it to ../shared/data)")
        pytest.skip(reason)
    from rnnlib.datasets import load_ridership

    return load_ridership(cache_dir=tmp_path_factory.mktemp("ridership-cache"), mirror=DATA_MIRROR)


@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL server for the whole session (tests/gradebooks.py)."""
    import gradebooks

    yield from gradebooks.postgres_cluster()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def gradebook(request, tmp_path_factory):
    """Each kind of gradebook the pipeline supports, with the same interface
    (tests/gradebooks.py): the tests that take it run once on each."""
    import gradebooks

    workspace = tmp_path_factory.mktemp(f"gradebook-{request.param}")
    if request.param == "sqlite":
        return gradebooks.SQLiteBooks(workspace)
    return gradebooks.PostgresBooks(workspace, request.getfixturevalue("postgres"))
