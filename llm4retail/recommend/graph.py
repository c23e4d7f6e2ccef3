"""Knowledge-graph recommender: random walks over customers, products and their attributes.

The graph has three kinds of edges out of a product: to the customers who engaged
with it (and from them to their other products), to its attribute nodes (brand,
category levels, attribute values — see `features.ItemFacts`) and from them to the
other products that share them, and "next" edges to the products customers moved on
to directly after it (sequential co-purchase). A three-step walk from a product gives
the item-to-item transition

    W = (1 - λ_attr - λ_next) · P(i→u→j) + λ_attr · P(i→a→j) + λ_next · P(i→j next)

and, as in RP3beta (Paudel et al., 2017), each column is divided by the target's
popularity to the power β so that the walk does not end on bestsellers alone. A
history scores items by the transitions out of its items, recent items weighted
more. λ_attr, λ_next and β are chosen on validation data when it is given.
"""

from __future__ import annotations

import logging
from typing import Any, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp

from llm4retail.artifacts import register_model
from llm4retail.errors import DataValidationError
from llm4retail.eval.ranking import metrics_from_ranks, rank_of_targets
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.features import ItemFacts
from llm4retail.recommend.neighbours import ItemToItem, blockwise_top_neighbours

logger = logging.getLogger(__name__)
SEARCH_CUSTOMERS = 8000  # validation histories used to choose λ and β
BETAS = (0.0, 0.3, 0.6)
ATTRIBUTE_WEIGHTS = (0.1, 0.3, 0.5, 0.7)
NEXT_WEIGHTS = (0.1, 0.2, 0.4)


def row_normalised(matrix: sp.spmatrix) -> sp.csr_matrix:
    """Rows scaled to sum to one (empty rows stay empty)."""
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums), where=sums > 0)
    return sp.diags(scale.astype(np.float32)) @ matrix


@register_model("graph")
class KnowledgeGraph(ItemToItem):
    """Random-walk recommender over the customer–product–attribute graph.

    Args:
        products: contract products frame (brand, category, attributes); None uses the
            customer and "next" edges only.
        neighbours: transitions kept per product.
        decay: weight of each older history item relative to the next newer one.
        beta: popularity penalty; None chooses it on validation.
        attribute_weight: λ_attr; None chooses it on validation (0 when there are no attributes).
        next_weight: λ_next; None chooses it on validation.

    Example:
        >>> model = KnowledgeGraph(products=products).fit(train, valid_histories=h, valid_targets=t)
        >>> model.score([np.array([3, 7])]).shape  # (1, n_items)
    """

    name = "graph"

    def __init__(
        self,
        *,
        products: pd.DataFrame | None = None,
        neighbours: int = 200,
        decay: float = 0.8,
        beta: float | None = None,
        attribute_weight: float | None = None,
        next_weight: float | None = None,
    ) -> None:
        if neighbours <= 0 or not 0 < decay <= 1:
            raise DataValidationError(f"KnowledgeGraph needs neighbours > 0 and 0 < decay <= 1, got {neighbours}, {decay}")
        for label, value in (("beta", beta), ("attribute_weight", attribute_weight), ("next_weight", next_weight)):
            if value is not None and not 0 <= value <= 1:
                raise DataValidationError(f"KnowledgeGraph {label} must lie in [0, 1], got {value}")
        if (attribute_weight or 0) + (next_weight or 0) > 1:
            raise DataValidationError("KnowledgeGraph attribute_weight + next_weight must not exceed 1")
        self.products = products
        self.neighbours = neighbours
        self.decay = decay
        self.beta, self.attribute_weight, self.next_weight = beta, attribute_weight, next_weight
        self.similarity_: sp.csr_matrix | None = None
        self.facts_: ItemFacts | None = None
        self.chosen_: dict[str, float] = {}

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        self.facts_ = ItemFacts.from_products(self.products, interactions.product_ids)
        walks = _Walks.build(interactions, self.facts_)
        beta = 0.5 if self.beta is None else self.beta
        attribute = (0.0 if self.attribute_weight is None else self.attribute_weight) if walks.attribute is not None else 0.0
        following = 0.0 if self.next_weight is None else self.next_weight
        searching = valid_histories is not None and valid_targets is not None
        if searching:
            sample = _sample(len(valid_targets), SEARCH_CUSTOMERS)
            histories = [valid_histories[i] for i in sample]
            targets = np.asarray(valid_targets)[sample]

            def quality(b: float, a: float, n: float) -> float:
                return _ndcg(self._with(walks.combine(beta=b, attribute=a, following=n, neighbours=self.neighbours)), histories, targets)

            best = quality(beta, attribute, following)
            if self.beta is None:
                for candidate in BETAS:
                    value = quality(candidate, attribute, following)
                    if value > best:
                        best, beta = value, candidate
            if self.attribute_weight is None and walks.attribute is not None:
                for candidate in ATTRIBUTE_WEIGHTS:
                    value = quality(beta, candidate, following)
                    if value > best:
                        best, attribute = value, candidate
            if self.next_weight is None:
                for candidate in NEXT_WEIGHTS:
                    if candidate + attribute <= 1:
                        value = quality(beta, attribute, candidate)
                        if value > best:
                            best, following = value, candidate
        self.chosen_ = {"beta": beta, "attribute_weight": attribute, "next_weight": following}
        logger.info("graph: chose %s", self.chosen_)
        self.similarity_ = walks.combine(beta=beta, attribute=attribute, following=following, neighbours=self.neighbours)
        return self

    def _with(self, transitions: sp.csr_matrix) -> KnowledgeGraph:
        self.similarity_ = transitions
        return self


    def get_params(self) -> dict[str, Any]:
        chosen = {"beta": self.beta, "attribute_weight": self.attribute_weight, "next_weight": self.next_weight, **self.chosen_}
        return {"neighbours": self.neighbours, "decay": self.decay, **chosen}


class _Walks:
    """The one-hop transition matrices the combined walk is made of."""

    def __init__(self, collaborative: tuple[sp.csr_matrix, sp.csr_matrix], attribute: tuple[sp.csr_matrix, sp.csr_matrix] | None,
                 following: sp.csr_matrix, popularity: np.ndarray) -> None:  # fmt: skip
        self.collaborative, self.attribute, self.following, self.popularity = collaborative, attribute, following, popularity

    @classmethod
    def build(cls, interactions: Interactions, facts: ItemFacts) -> _Walks:
        matrix = interactions.matrix()
        matrix.data[:] = 1.0
        to_customer = row_normalised(matrix.T)
        to_item = row_normalised(matrix)
        attribute = None
        if facts.has_nodes:
            attribute = (row_normalised(facts.nodes), row_normalised(facts.nodes.T))
        pairs = [np.stack([h[:-1], h[1:]]) for h in interactions.histories if len(h) > 1]
        n_items = interactions.n_items
        if pairs:
            stacked = np.concatenate(pairs, axis=1)
            following = sp.csr_matrix((np.ones(stacked.shape[1], dtype=np.float32), (stacked[0], stacked[1])), shape=(n_items, n_items))
            following.sum_duplicates()
        else:
            following = sp.csr_matrix((n_items, n_items), dtype=np.float32)
        popularity = np.asarray(matrix.sum(axis=0)).ravel().astype(np.float32)
        return cls((to_customer, to_item), attribute, row_normalised(following), popularity)

    def combine(self, *, beta: float, attribute: float, following: float, neighbours: int) -> sp.csr_matrix:
        """The blended, popularity-penalised transitions, the `neighbours` largest kept per row."""
        n_items = len(self.popularity)
        penalty = np.power(np.maximum(self.popularity, 1.0), -beta).astype(np.float32)

        def dense_rows(start: int, stop: int) -> np.ndarray:
            dense = (1.0 - attribute - following) * (self.collaborative[0][start:stop] @ self.collaborative[1]).toarray()
            if attribute and self.attribute is not None:
                dense += attribute * (self.attribute[0][start:stop] @ self.attribute[1]).toarray()
            if following:
                dense += following * self.following[start:stop].toarray()
            return dense * penalty[None, :]

        return blockwise_top_neighbours(dense_rows, n_items=n_items, neighbours=neighbours)


def _sample(n: int, size: int) -> np.ndarray:
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=size, replace=False))


def _ndcg(model: Recommender, histories: list[np.ndarray], targets: np.ndarray) -> float:
    ranks = []
    for start in range(0, len(histories), 2048):
        batch = histories[start : start + 2048]
        ranks.append(rank_of_targets(model.score(batch), targets[start : start + 2048], exclude=batch))
    return float(metrics_from_ranks(np.concatenate(ranks), cutoffs=(10,))["ndcg@10"])
