"""Product facts as model inputs: the knowledge-graph's attribute nodes and the text to embed.

A product's attribute nodes are its brand, every level of its category path and each
attribute value (list values expanded: `attribute_ids: [17, 28]` gives the nodes
`attribute_ids=17` and `attribute_ids=28`). Nodes shared by one product only, or by
more than `max_share` of the catalogue, link nothing useful and are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

TEXT_FIELDS = ("title", "brand", "category", "description")
MAX_TEXT = 300  # characters of description embedded; titles carry most of the signal


@dataclass
class ItemFacts:
    """Facts aligned to an item vocabulary.

    Attributes:
        nodes: item × attribute-node incidence (binary, CSR).
        node_names: the name of each node column, e.g. "brand=Acme".
        texts: one text per item ("" when the catalogue has nothing).
    """

    nodes: sp.csr_matrix
    node_names: np.ndarray
    texts: list[str]

    @classmethod
    def from_products(cls, products: pd.DataFrame | None, product_ids: np.ndarray, *, max_share: float = 0.2) -> ItemFacts:
        """Align `products` (contract frame) to `product_ids`; unknown items get no facts."""
        n_items = len(product_ids)
        if products is None or products.empty:
            return cls(sp.csr_matrix((n_items, 0), dtype=np.float32), np.array([], dtype=object), [""] * n_items)
        index = {str(product_id): i for i, product_id in enumerate(product_ids)}
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        texts = [""] * n_items
        for record in products.to_dict("records"):
            item = index.get(str(record.get("product_id")))
            if item is None:
                continue
            texts[item] = _text(record)
            for node in set(_nodes(record)):
                rows.append(item)
                columns.append(vocabulary.setdefault(node, len(vocabulary)))
        data = np.ones(len(rows), dtype=np.float32)
        nodes = sp.csr_matrix((data, (rows, columns)), shape=(n_items, len(vocabulary)), dtype=np.float32)
        names = np.array(list(vocabulary), dtype=object)
        share = np.asarray(nodes.sum(axis=0)).ravel()
        keep = np.flatnonzero((share >= 2) & (share <= max(2.0, max_share * n_items)))
        return cls(nodes[:, keep].tocsr(), names[keep], texts)

    @property
    def has_nodes(self) -> bool:
        """Whether any attribute node links two items."""
        return self.nodes.shape[1] > 0 and self.nodes.nnz > 0

    @property
    def has_text(self) -> bool:
        """Whether items have distinct texts worth embedding (not one template for all)."""
        filled = [text for text in self.texts if text]
        if len(filled) < 2:
            return False
        words = [set(text.lower().split()) for text in filled[:2000]]
        shared = set.intersection(*words)
        return any(len(w - shared) >= 2 for w in words)


def _nodes(record: dict[str, Any]) -> Iterator[str]:
    brand = record.get("brand")
    if isinstance(brand, str) and brand.strip():
        yield f"brand={brand.strip().lower()}"
    category = record.get("category")
    if isinstance(category, str) and category.strip():
        levels = [level.strip().lower() for level in category.split(">") if level.strip()]
        for depth in range(1, len(levels) + 1):
            yield "category=" + " > ".join(levels[:depth])
    attributes = record.get("attributes")
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            attributes = None
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            values = value if isinstance(value, list) else [value]
            for single in values:
                if single is not None and not isinstance(single, (dict, list)) and str(single).strip():
                    yield f"{key}={str(single).strip().lower()}"


def _text(record: dict[str, Any]) -> str:
    parts = []
    for field in TEXT_FIELDS:
        value = record.get(field)
        if isinstance(value, str) and value.strip():
            parts.append(value.strip()[:MAX_TEXT])
    return " | ".join(parts)
