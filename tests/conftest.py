"""Shared test settings: hypothesis profiles, float64 by default where tests ask for it."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# "ci": bounded, derandomized, no deadline (shared machines are noisy); "dev": more examples.
settings.register_profile("ci", max_examples=20, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(0)
