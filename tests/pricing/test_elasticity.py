"""Price elasticities: recovery of the demo store's known values, shrinkage, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import DemoStore, generate_demo_store
from llm4retail.errors import DataValidationError
from llm4retail.forecast.panel import panel_from_sales
from llm4retail.pricing.elasticity import ShrunkElasticityModel, _groups

# Stated tolerance for the demo store (60 products, two years of daily sales): mean absolute error of the
# shrunk elasticities at most 0.2, none off by more than 0.6, and most true values inside the 90% intervals.
MAE_TOLERANCE = 0.2
MAX_ERROR_TOLERANCE = 0.6


@pytest.fixture(scope="module")
def demo() -> DemoStore:
    return generate_demo_store(seed=42)


def _categories(demo: DemoStore) -> dict[str, str]:
    products = demo.tables[Table.PRODUCTS]
    return dict(zip(products["product_id"], products["category"]))


@pytest.mark.integration
def test_known_elasticities_of_the_demo_store_are_recovered(demo: DemoStore, tmp_path: Path) -> None:
    panel = panel_from_sales(demo.tables[Table.SALES])

    model = ShrunkElasticityModel().fit(panel, categories=_categories(demo))
    scores = model.evaluate(demo.truth["price_elasticity"])

    assert scores["n"] == 60
    assert scores["mae"] <= MAE_TOLERANCE, scores
    assert scores["max_error"] <= MAX_ERROR_TOLERANCE, scores
    assert scores["coverage_90"] >= 0.75, scores
    loaded = ShrunkElasticityModel.load(model.save(tmp_path))
    np.testing.assert_allclose(loaded.table.elasticity, model.table.elasticity)
    assert loaded.predict(0, np.array([model.table.current_price[0]]))[0] == pytest.approx(model.table.base_demand[0])


@pytest.mark.unit
def test_a_product_with_little_price_variation_borrows_from_its_category(demo: DemoStore) -> None:
    sales = demo.tables[Table.SALES].copy()
    product = sales["product_id"].iloc[0]
    first = sales["product_id"] == product
    reference = sales.loc[first, "price"].median()
    nearly_fixed = (sales.loc[first, "price"] / reference) ** 0.03 * reference  # price barely moves: a noisy estimate
    sales.loc[first, "price"] = nearly_fixed
    panel = panel_from_sales(sales)

    table = ShrunkElasticityModel().fit(panel, categories=_categories(demo)).table
    row = panel.index_of(product)
    group_mean = table.group_mean[str(table.group[row])]["mean"]

    assert table.raw_sd[row] > 3 * np.median(table.raw_sd)
    assert abs(table.elasticity[row] - group_mean) < 0.5 * abs(table.raw[row] - group_mean)
    assert table.elasticity_sd[row] < table.raw_sd[row]


@pytest.mark.unit
def test_groups_are_the_deepest_category_shared_by_three_series() -> None:
    categories = ["A > B > C", "A > B > C", "A > B > C", "A > B > D", "A > E", "A > E", "Z"]

    assert _groups(categories) == ["A > B > C"] * 3 + ["A > B", "A", "A", "all"]


@pytest.mark.unit
def test_sales_without_prices_are_refused() -> None:
    frame = pd.DataFrame({"product_id": "a", "date": pd.date_range("2024-01-01", periods=30), "quantity": 1.0})

    with pytest.raises(DataValidationError, match="no price"):
        ShrunkElasticityModel().fit(panel_from_sales(frame))
