"""Recommendation surfaces of a store: for you, session, similar items, bought together.

Built from the store's events, products and orders. "For you" and session
recommendations come from the model `llm4retail recommend train` chose by validation
and saved (the newest version in `<data_dir>/models/recommend`), or, before any
training, from item-to-item neighbours built at start-up. Either way the model scores
the customer's live history, so events posted to the API change the next
recommendations at once (the feedback loop: a sequential model sees the new items in
its input sequence); popularity, neighbours' histories and co-purchase counts are
updated in place too. Every recommendation carries the reason that produced it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFoundError
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.hybrid import standardised
from llm4retail.recommend.neighbours import ItemKNN, history_weights
from llm4retail.recommend.persist import ModelVersions, SavedModel

logger = logging.getLogger(__name__)
HISTORY_LENGTH = 50  # the most recent events that drive "for you"
VERBS = {"purchase": "bought", "add_to_cart": "added to your cart", "view": "viewed"}


@dataclass(frozen=True)
class Rules:
    """Business rules applied to every surface.

    Attributes:
        exclude_purchased: leave out what the customer already bought.
        in_stock_only: leave out unavailable products.
        boost: category prefix or brand -> score multiplier (> 1 boosts, < 1 buries, 0 removes).
        diversify: at most `max_per_category` items of one leaf category.
        max_per_category: the cap used by `diversify`.
    """

    exclude_purchased: bool = True
    in_stock_only: bool = True
    boost: dict[str, float] = field(default_factory=dict)
    diversify: bool = False
    max_per_category: int = 2


@dataclass
class Recommendation:
    """One recommended product and why."""

    product_id: str
    score: float
    reason: str
    title: str | None = None


class RecommendService:
    """The recommenders of one store.

    Args:
        store: the store.
        data_dir: where trained model versions are kept; None serves the neighbours only.
        neighbours: neighbours kept per item.
    """

    def __init__(self, store: Store, *, data_dir: Path | None = None, neighbours: int = 100) -> None:
        self.store = store
        self.data_dir = data_dir
        self.neighbours = neighbours
        self._lock = threading.RLock()
        self._built = False
        self.saved_: SavedModel | None = None
        self.to_model_ = np.zeros(0, dtype=np.int64)

    # -- building and the feedback loop ----------------------------------------------------------
    def build(self) -> None:
        """(Re)train from the store: item neighbours, popularity, co-purchases, catalog facts."""
        with self._lock:
            events = self.store.read_frame(Table.EVENTS)
            products = self.store.read_frame(Table.PRODUCTS, columns=["product_id", "title", "brand", "category", "available"])
            ids = sorted(set(products["product_id"]) | set(events["product_id"].astype(str)))
            self.index_ = {product_id: i for i, product_id in enumerate(ids)}
            self.product_ids_ = np.array(ids, dtype=object)
            aligned = products.set_index("product_id").reindex(self.product_ids_)
            aligned = aligned.astype(object).where(aligned.notna(), None)
            self.available_ = aligned["available"].ne(False).to_numpy()
            self.brands_ = aligned["brand"].to_numpy()
            self.categories_ = aligned["category"].to_numpy()
            self.titles_ = aligned["title"].to_numpy()
            self.histories_: dict[str, list[tuple[int, str]]] = defaultdict(list)
            self.popularity_ = np.zeros(len(ids), dtype=np.float32)
            self.together_: dict[int, Counter[int]] = defaultdict(Counter)
            self.knn_ = ItemKNN(neighbours=self.neighbours)
            if not events.empty:
                self._absorb(events)
                histories = [np.array([i for i, _ in h], dtype=np.int64) for h in self.histories_.values()]
                self.knn_.fit(Interactions(np.array(list(self.histories_)), self.product_ids_, histories))
            else:
                self.knn_.similarity_ = _empty_similarity(len(ids))
            self._load_saved()
            self._built = True
            logger.info("recommenders built: %d products, %d customers with events; model %s", len(ids), len(self.histories_),
                        self.model_name)  # fmt: skip

    @property
    def model_name(self) -> str:
        """What scores "for you": the saved model's name and version, or the live neighbours."""
        return f"{self.saved_.model.name} ({self.saved_.version})" if self.saved_ else "itemknn (live)"

    def _load_saved(self) -> None:
        """Load the newest trained version, if any, and map its items onto the service's."""
        self.saved_ = None
        self.to_model_ = np.full(len(self.product_ids_), -1, dtype=np.int64)
        versions = ModelVersions(self.data_dir) if self.data_dir is not None else None
        if versions is None or versions.latest() is None:
            return
        self.saved_ = versions.load()
        self._map_saved()

    def _map_saved(self) -> None:
        model_index = {str(p): i for i, p in enumerate(self.saved_.product_ids)} if self.saved_ else {}
        self.to_model_ = np.array([model_index.get(str(p), -1) for p in self.product_ids_], dtype=np.int64)

    def record_events(self, rows: Iterable[dict]) -> None:
        """Add new events to histories, popularity and co-purchases (no retrain)."""
        if not self._built:
            return
        with self._lock:
            self._absorb(pd.DataFrame(list(rows)))

    def products_changed(self, rows: Iterable[dict]) -> None:
        """Apply catalog changes (availability, brand, category, title) to built recommenders."""
        if not self._built:
            return
        with self._lock:
            for row in rows:
                item = self._item(str(row["product_id"]))
                self.available_[item] = row.get("available") is not False
                self.brands_[item] = row.get("brand")
                self.categories_[item] = row.get("category")
                self.titles_[item] = row.get("title")

    def products_deleted(self, product_ids: Iterable[str]) -> None:
        """Deleted products are never recommended again."""
        if not self._built:
            return
        with self._lock:
            for product_id in product_ids:
                if product_id in self.index_:
                    self.available_[self.index_[product_id]] = False

    def _ensure(self) -> None:
        if not self._built:
            self.build()

    def _absorb(self, events: pd.DataFrame) -> None:
        order = [c for c in ("timestamp", "seq") if c in events.columns]
        events = events.sort_values(order, kind="stable") if order else events
        kinds = events["event_type"].fillna("purchase") if "event_type" in events.columns else pd.Series("purchase", index=events.index)
        baskets: dict[str, list[int]] = defaultdict(list)
        for customer, product, kind, basket in zip(
            events["customer_id"].astype(str), events["product_id"].astype(str), kinds, _basket_keys(events)
        ):
            item = self._item(product)
            self.histories_[customer].append((item, kind))
            self.popularity_[item] += {"purchase": 3.0, "add_to_cart": 2.0}.get(kind, 1.0)
            if kind == "purchase" and basket:
                baskets[basket].append(item)
        for items in baskets.values():
            for a in set(items):
                for b in set(items) - {a}:
                    self.together_[a][b] += 1

    def _item(self, product_id: str) -> int:
        item = self.index_.get(product_id)
        if item is None:  # a product first seen in an event: grow the vocabulary
            item = self.index_[product_id] = len(self.product_ids_)
            self.product_ids_ = np.append(self.product_ids_, product_id)
            self.popularity_ = np.append(self.popularity_, 0.0).astype(np.float32)
            self.available_ = np.append(self.available_, True)
            self.brands_ = np.append(self.brands_, None)
            self.categories_ = np.append(self.categories_, None)
            self.titles_ = np.append(self.titles_, None)
            self.to_model_ = np.append(self.to_model_, -1)
            self.knn_.similarity_ = _grow(self.knn_.similarity_, len(self.product_ids_))
        return item

    # -- surfaces ----------------------------------------------------------------------------------
    def for_customer(self, customer_id: str, *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """"For you": neighbours of the customer's history, popularity for a cold start.

        Raises:
            NotFoundError: the customer has no events and is not in the customers table.
        """
        self._ensure()
        history = self.histories_.get(customer_id)
        if history is None:
            self.store.get(Table.CUSTOMERS, (customer_id,))  # raises NotFoundError for an unknown id
            history = []
        return self._from_history(history, top_k=top_k, rules=rules or Rules())

    def for_session(self, product_ids: Sequence[str], *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """Recommendations for an anonymous list of recent products (unknown ids are ignored)."""
        self._ensure()
        history = [(self.index_[p], "view") for p in product_ids if p in self.index_]
        return self._from_history(history, top_k=top_k, rules=rules or Rules(exclude_purchased=False))

    def similar(self, product_id: str, *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """Items whose audiences overlap most with this one's (else same category and brand)."""
        item = self._known(product_id)
        row = self.knn_.similarity_.getrow(item)
        scores = np.zeros(len(self.product_ids_), dtype=np.float32)
        scores[row.indices] = row.data
        reasons = {i: f"customers who liked {self._title(item)} also liked this" for i in row.indices}
        self._content_fallback(item, scores, reasons)
        scores[item] = -np.inf
        return self._ranked(scores, reasons, top_k=top_k, rules=rules or Rules(exclude_purchased=False), history=[])

    def bought_together(self, product_id: str, *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """Products bought in the same orders or sessions, most often first."""
        item = self._known(product_id)
        scores = np.full(len(self.product_ids_), -np.inf, dtype=np.float32)
        reasons = {}
        for other, count in self.together_.get(item, Counter()).items():
            scores[other] = count
            reasons[other] = f"often bought with {self._title(item)} ({count} orders)"
        return self._ranked(scores, reasons, top_k=top_k, rules=rules or Rules(exclude_purchased=False), history=[])

    # -- helpers -----------------------------------------------------------------------------------
    def _known(self, product_id: str) -> int:
        self._ensure()
        if product_id not in self.index_:
            raise NotFoundError(table="products", key=product_id)
        return self.index_[product_id]

    def _from_history(self, history: list[tuple[int, str]], *, top_k: int, rules: Rules) -> list[Recommendation]:
        recent = history[-HISTORY_LENGTH:]
        items = np.array([i for i, _ in recent], dtype=np.int64)
        popular = self.popularity_ / max(float(self.popularity_.max()), 1.0)
        model_scores = self._model_scores(items) if len(items) else None
        if model_scores is not None:
            scores = model_scores
        else:
            if len(items):
                weights = history_weights([items], n_items=len(self.product_ids_), decay=self.knn_.decay)
                scores = np.asarray((weights @ self.knn_.similarity_).todense()).ravel().astype(np.float32)
            else:
                scores = np.zeros(len(self.product_ids_), dtype=np.float32)
            cold = scores <= 0
            scores[cold] = 1e-3 * popular[cold]  # popularity fills the rest, below every neighbour
        order = self._order(scores, rules=rules, history=history, top_k=top_k)
        reasons = self._history_reasons(recent, order) if len(items) else {}
        fallback = self._model_reason(recent) if model_scores is not None else None
        return [
            self._recommendation(i, scores[i], reasons.get(i) or (fallback if self.to_model_[i] >= 0 else None) or self._popular_reason(i))
            for i in order
        ]

    def _model_scores(self, items: np.ndarray) -> np.ndarray | None:
        """The saved model's standardised scores of every item for a history (None without a model or
        when no history item is known to it); items the model never saw rank below, by popularity."""
        if self.saved_ is None:
            return None
        mapped = self.to_model_[items]
        mapped = mapped[mapped >= 0]
        if not len(mapped):
            return None
        model_scores = standardised(self.saved_.model.score([mapped]))[0]
        scores = np.full(len(self.product_ids_), -1e3, dtype=np.float32)
        known = self.to_model_ >= 0
        scores[known] = model_scores[self.to_model_[known]]
        scores[~known] += self.popularity_[~known] / max(float(self.popularity_.max()), 1.0)
        return scores

    def _model_reason(self, recent: list[tuple[int, str]]) -> str:
        source, kind = recent[-1]
        earlier = f" and {len(recent) - 1} earlier item{'s' if len(recent) > 2 else ''}" if len(recent) > 1 else ""
        return f"picked for you after you {VERBS.get(kind, 'viewed')} {self._title(source)}{earlier}"

    def _history_reasons(self, history: list[tuple[int, str]], order: list[int]) -> dict[int, str]:
        """For each recommended item, the history item that contributed most to its score."""
        items = np.array([i for i, _ in history], dtype=np.int64)
        weights = self.knn_.decay ** np.arange(len(items) - 1, -1, -1)
        contribution = self.knn_.similarity_[items][:, order].toarray() * weights[:, None]
        reasons = {}
        for column, item in enumerate(order):
            row = int(np.argmax(contribution[:, column]))
            if contribution[row, column] > 0:
                source, kind = history[row]
                reasons[item] = f"because you {VERBS.get(kind, 'viewed')} {self._title(source)}"
        return reasons

    def _content_fallback(self, item: int, scores: np.ndarray, reasons: dict[int, str]) -> None:
        """Items no one co-engaged with yet (cold start): same category, same brand first."""
        category, brand = self.categories_[item], self.brands_[item]
        if category is None:
            return
        same_category = (self.categories_ == category) & (scores <= 0)
        same_brand = same_category & (self.brands_ == brand) if brand is not None else np.zeros_like(same_category)
        boost = 1 + self.popularity_[same_category] / (1 + float(self.popularity_.max()))
        scores[same_category] = 1e-4 * (1 + same_brand[same_category]) * boost
        for i in np.flatnonzero(same_category):
            reasons[int(i)] = f"same brand as {self._title(item)}" if same_brand[i] else f"also in {category}"

    def _popular_reason(self, item: int) -> str:
        category = self.categories_[item]
        leaf = str(category).split(">")[-1].strip() if isinstance(category, str) else None
        return f"popular in {leaf} right now" if leaf else "popular right now"

    def _title(self, item: int) -> str:
        title = self.titles_[item]
        return str(title) if isinstance(title, str) else str(self.product_ids_[item])

    def _order(self, scores: np.ndarray, *, rules: Rules, history: list[tuple[int, str]], top_k: int) -> list[int]:
        """The top items after the business rules."""
        scores = apply_rules(scores, rules, history=history, available=self.available_, brands=self.brands_, categories=self.categories_)
        finite = np.flatnonzero(np.isfinite(scores))
        depth = min(len(finite), top_k * (4 if rules.diversify else 1))
        top = finite[np.argpartition(-scores[finite], depth - 1)[:depth]] if depth else finite
        order = [int(i) for i in top[np.argsort(-scores[top], kind="stable")]]
        if rules.diversify:
            order = _capped_by_category(order, self.categories_, rules.max_per_category)
        return order[:top_k]

    def _ranked(self, scores: np.ndarray, reasons: dict[int, str], *, top_k: int, rules: Rules, history: list[tuple[int, str]]) -> list[Recommendation]:
        order = self._order(scores, rules=rules, history=history, top_k=top_k)
        return [self._recommendation(i, scores[i], reasons.get(i, self._popular_reason(i))) for i in order]

    def _recommendation(self, item: int, score: float, reason: str) -> Recommendation:
        return Recommendation(str(self.product_ids_[item]), round(float(score), 6), reason, self._title(item))


def apply_rules(
    scores: np.ndarray, rules: Rules, *, history: list[tuple[int, str]], available: np.ndarray, brands: np.ndarray,
    categories: np.ndarray,
) -> np.ndarray:
    """Scores with the business rules applied (removed items get -inf)."""
    scores = scores.copy()
    if rules.exclude_purchased:
        scores[[item for item, kind in history if kind == "purchase"]] = -np.inf
    if rules.in_stock_only:
        scores[~available] = -np.inf
    for key, factor in rules.boost.items():
        matches = (brands == key) | np.fromiter((str(c).startswith(key) for c in categories), dtype=bool, count=len(categories))
        scores[matches] = -np.inf if factor == 0 else scores[matches] * factor
    return scores


def _capped_by_category(order: list[int], categories: np.ndarray, cap: int) -> list[int]:
    seen: Counter[str] = Counter()
    kept, rest = [], []
    for item in order:
        category = str(categories[item])
        (kept if seen[category] < cap else rest).append(item)
        seen[category] += 1
    return kept + rest


def _basket_keys(events: pd.DataFrame) -> list[str | None]:
    for column in ("order_id", "session_id"):
        if column in events.columns and events[column].notna().any():
            return [None if value is None or value != value else str(value) for value in events[column]]
    return [None] * len(events)


def _empty_similarity(n: int):  # noqa: ANN202
    import scipy.sparse as sp

    return sp.csr_matrix((n, n), dtype=np.float32)


def _grow(matrix, n: int):  # noqa: ANN001, ANN202
    grown = matrix.tocsr(copy=True)
    grown.resize((n, n))  # new rows and columns are empty
    return grown
