"""Stock on hand, where a store keeps it: a numeric product attribute.

The data contract has no stock table; a products file with a `stock` (or `on_hand`, `stock_on_hand`,
`inventory`, `quantity_on_hand`) column keeps it in the product's `attributes` (unknown product columns
are folded there by the importer). Inventory advice reads it to give concrete order quantities and
stock-out risks; search leaves it out of the indexed text (a stock count describes nothing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

STOCK_KEYS = ("stock", "on_hand", "stock_on_hand", "inventory", "quantity_on_hand")


def stock_on_hand(attributes: Mapping[str, Any] | None) -> float | None:
    """Units in stock from a product's attributes (the first stock key with a non-negative number), or None."""
    if not isinstance(attributes, Mapping):
        return None
    for key in STOCK_KEYS:
        value = attributes.get(key)
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number) and number >= 0:
            return number
    return None
