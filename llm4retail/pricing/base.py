"""The interface of price-elasticity estimators and the table of their estimates.

An estimator is an `Artifact` of the pricing capability: its fitted table saves as arrays plus the
per-category pooling summary, and `ElasticityEstimator.load(folder)` rebuilds whichever estimator
a folder holds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import Artifact, ModelState
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.forecast.panel import Panel

TRAIN_COMMAND = "llm4retail pricing train"
Z_90 = 1.6448536269514722


@dataclass
class ElasticityTable:
    """Per-series estimates.

    Attributes:
        keys: product_id and store_id per series.
        raw: the series' own elasticity estimate (NaN when its price never changed).
        raw_sd: its standard error (inf when not estimated).
        elasticity: the estimate shrunk toward the series' category.
        elasticity_sd: posterior standard deviation of `elasticity`.
        group: the category path it was pooled in.
        group_mean: per group, the pooled mean and between-series spread (tau).
        n_observations: days used.
        base_demand: expected daily demand at `current_price` without promotion.
        current_price: the latest regular (non-promotion) price.
    """

    keys: pd.DataFrame
    raw: np.ndarray
    raw_sd: np.ndarray
    elasticity: np.ndarray
    elasticity_sd: np.ndarray
    group: np.ndarray
    group_mean: dict[str, Any]
    n_observations: np.ndarray
    base_demand: np.ndarray
    current_price: np.ndarray

    def row(self, index: int) -> dict[str, Any]:
        """One series as a JSON-ready dict with a 90% interval of the elasticity."""
        value, sd = float(self.elasticity[index]), float(self.elasticity_sd[index])
        return {
            "product_id": str(self.keys.iloc[index]["product_id"]),
            "store_id": str(self.keys.iloc[index]["store_id"]),
            "elasticity": value,
            "elasticity_lower_90": value - Z_90 * sd,
            "elasticity_upper_90": value + Z_90 * sd,
            "raw_elasticity": float(self.raw[index]) if np.isfinite(self.raw[index]) else None,
            "category": str(self.group[index]),
            "category_mean": float(self.group_mean[str(self.group[index])]["mean"]),
            "n_observations": int(self.n_observations[index]),
            "base_demand": float(self.base_demand[index]),
            "current_price": float(self.current_price[index]),
        }


class ElasticityEstimator(Artifact, ABC):
    """Fit elasticities on sales with prices; predict demand at other prices."""

    capability = "pricing"
    train_command = TRAIN_COMMAND

    def __init__(self) -> None:
        self.table_: ElasticityTable | None = None

    def fit(self, panel: Panel, *, categories: dict[str, str] | None = None) -> Self:
        """Estimate every series' elasticity.

        Args:
            panel: sales with a price column.
            categories: category path per product_id (products table); pooling falls back to all series.

        Raises:
            DataValidationError: If the sales have no prices.
        """
        if panel.price is None:
            raise DataValidationError("sales have no price column: price elasticities need prices")
        self.table_ = self._fit(panel, categories or {})
        return self

    def predict(self, index: int, prices: np.ndarray) -> np.ndarray:
        """Expected daily demand of series `index` at each price (no promotion).

        Raises:
            NotFittedError: If `fit` was not called.
        """
        table = self._table()
        ratio = np.asarray(prices, dtype=float) / table.current_price[index]
        return table.base_demand[index] * ratio ** table.elasticity[index]

    def evaluate(self, truth: dict[str, float]) -> dict[str, float]:
        """Recovery of known elasticities (synthetic data): error and interval coverage.

        Args:
            truth: true elasticity per product_id.

        Returns:
            `mae`, `max_error`, `coverage_90` of the shrunk estimates, `raw_mae` of the unshrunk ones, `n`.

        Raises:
            DataValidationError: If no product has a known elasticity.
        """
        table = self._table()
        ids = table.keys["product_id"].astype(str).to_numpy()
        known = np.array([pid in truth for pid in ids])
        if not known.any():
            raise DataValidationError("none of the fitted products has a known elasticity")
        actual = np.array([truth[pid] for pid in ids[known]])
        error = np.abs(table.elasticity[known] - actual)
        inside = error <= Z_90 * table.elasticity_sd[known]
        raw = table.raw[known]
        return {
            "mae": float(error.mean()), "max_error": float(error.max()), "coverage_90": float(inside.mean()),
            "raw_mae": float(np.nanmean(np.abs(raw - actual))), "n": float(known.sum()),
        }

    def _state(self) -> ModelState:
        """The fitted table: per-series arrays (keys as strings) and the per-category pooling summary."""
        table = self._table()
        arrays = {name: getattr(table, name) for name in (
            "raw", "raw_sd", "elasticity", "elasticity_sd", "n_observations", "base_demand", "current_price")}
        arrays["group"] = table.group.astype(str)
        arrays["product_id"] = table.keys["product_id"].astype(str).to_numpy(dtype=str)
        arrays["store_id"] = table.keys["store_id"].astype(str).to_numpy(dtype=str)
        return ModelState(arrays=arrays, facts={"group_mean": table.group_mean})

    def _restore(self, state: ModelState) -> None:
        arrays = dict(state.arrays)
        self.table_ = ElasticityTable(
            keys=pd.DataFrame({"product_id": arrays.pop("product_id"), "store_id": arrays.pop("store_id")}),
            group=arrays.pop("group").astype(object), group_mean=state.facts["group_mean"], **arrays,
        )

    @property
    def table(self) -> ElasticityTable:
        """The fitted estimates.

        Raises:
            NotFittedError: If `fit` was not called.
        """
        return self._table()

    def _table(self) -> ElasticityTable:
        if self.table_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(panel) first")
        return self.table_

    @abstractmethod
    def _fit(self, panel: Panel, categories: dict[str, str]) -> ElasticityTable:
        """Model-specific estimation."""
