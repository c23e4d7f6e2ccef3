"""Stock on hand read from product attributes, and kept out of the search text."""

from __future__ import annotations

import pytest

from llm4retail.data.stock import stock_on_hand
from llm4retail.search.catalog import ProductDocument

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [({"stock": 12}, 12.0), ({"on_hand": "7.5"}, 7.5), ({"inventory": 0}, 0.0), ({"stock": -3, "on_hand": 4}, 4.0),
     ({"stock": "lots"}, None), ({"stock": True}, None), ({"stock": float("nan")}, None), ({"colour": "red"}, None),
     (None, None), ("stock: 5", None)],
)  # fmt: skip
def test_stock_on_hand(attributes: object, expected: float | None) -> None:
    assert stock_on_hand(attributes) == expected  # type: ignore[arg-type]


def test_stock_counts_are_not_search_text() -> None:
    document = ProductDocument(product_id="p1", title="Oak shelf", attributes={"material": "oak", "stock": 125})
    assert document.field("attributes") == "oak"
