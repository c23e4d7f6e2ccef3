"""Known-answer test of the quasi-Poisson regression."""

from __future__ import annotations

import numpy as np
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.pricing.glm import fit_poisson

pytestmark = pytest.mark.unit


def test_poisson_regression_recovers_coefficients_with_honest_errors() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    design = np.column_stack([np.ones(n), rng.normal(0, 0.2, n), rng.integers(0, 2, n)])
    truth = np.array([2.0, -1.5, 0.4])
    counts = rng.poisson(np.exp(design @ truth) * rng.gamma(5.0, 1 / 5.0, n))  # over-dispersed

    fit = fit_poisson(design, counts.astype(float))

    assert np.all(np.abs(fit.coefficients - truth) < 3 * fit.standard_errors)
    assert fit.dispersion > 1.5
    assert fit.standard_errors[1] < 0.1


def test_poisson_regression_refuses_unusable_data() -> None:
    with pytest.raises(DataValidationError, match="cannot fit"):
        fit_poisson(np.ones((2, 3)), np.ones(2))
    with pytest.raises(DataValidationError, match="not all zero"):
        fit_poisson(np.ones((5, 1)), np.zeros(5))
