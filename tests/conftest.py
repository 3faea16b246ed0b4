"""Shared fixtures and settings for the test suite."""
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ON_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def rng():
    return np.random.default_rng(20261125)
