"""Recovery of known elasticities from a truth file (the demo store's `truth.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from llm4retail.errors import DataValidationError

if TYPE_CHECKING:
    from llm4retail.pricing.base import ElasticityEstimator


def read_true_elasticities(truth_file: Path) -> dict[str, float]:
    """The `price_elasticity` mapping (product_id -> elasticity) of a truth JSON file; empty when absent.

    Raises:
        DataValidationError: the file cannot be read or is not JSON.
    """
    try:
        return dict(json.loads(truth_file.read_text(encoding="utf-8")).get("price_elasticity", {}))
    except (OSError, json.JSONDecodeError) as error:
        raise DataValidationError(f"cannot read the truth file {truth_file}: {error}") from error


def evaluate_elasticity_recovery(model: ElasticityEstimator, *, truth_file: Path) -> dict[str, float]:
    """How well a fitted elasticity model recovers the elasticities written in `truth_file`.

    Args:
        model: a fitted elasticity model (e.g. `PricingService.model()`).
        truth_file: JSON with a `price_elasticity` object (product_id -> true elasticity).

    Returns:
        `mae`, `max_error`, `coverage_90`, `raw_mae` and `n` (see `ElasticityEstimator.evaluate`).

    Raises:
        DataValidationError: the file cannot be read, or none of the fitted products is in it.
    """
    return model.evaluate(read_true_elasticities(truth_file))
