"""A real local Ray for the tests of work on Ray (batch jobs, model selection, data-parallel training)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A real local Ray with 2 CPUs for the module (the runner uses it rather than starting its own)."""
    try:
        import ray
    except ImportError:
        pytest.fail("Ray is required by the batch tests: pip install -e '.[test]' (it installs the [ray] extra)", pytrace=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()
