"""EASE's in-place float32 closed form equals the textbook float64 inverse."""

from __future__ import annotations

import numpy as np
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.recommend import neighbours
from llm4retail.recommend.neighbours import ease_weights

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("block_cells", [1 << 24, 7 * 300])  # one block; many blocks of 7 rows (mirroring tested)
def test_ease_weights_equal_the_float64_inverse(monkeypatch: pytest.MonkeyPatch, block_cells: int) -> None:
    monkeypatch.setattr(neighbours, "BLOCK_CELLS", block_cells)
    rng = np.random.default_rng(0)
    clicks = (rng.random((2_000, 300)) < 0.02).astype(np.float64)
    gram = clicks.T @ clicks
    inverse = np.linalg.inv(gram + 50.0 * np.eye(300))
    expected = -inverse / np.diag(inverse)[None, :]
    np.fill_diagonal(expected, 0.0)
    got = ease_weights(gram, 50.0)
    assert got.dtype == np.float32 and got.shape == (300, 300)
    assert np.abs(got - expected).max() < 1e-4 * np.abs(expected).max()
    assert (np.argsort(-got, axis=0)[:10] == np.argsort(-expected, axis=0)[:10]).mean() > 0.99


def test_ease_weights_refuse_a_matrix_that_is_not_positive_definite() -> None:
    with pytest.raises(DataValidationError, match="not positive definite"):
        ease_weights(-np.eye(5), 0.5)
