"""Recommendation surfaces of a store: for you, session, similar items, bought together.

`train()` (`llm4retail recommend train`) chooses a model on the store's events by
validation, refits it on all of them and saves it as a version, with item neighbours
over every event (similar items, reasons) and the item vocabulary; `train_on_start()`,
which `serve` runs when nothing is trained, saves the cheap default instead: the item
neighbours alone, scoring "for you" as well. Serving never trains: the first request
loads the newest version (under the lock, once) together with the store's events and
products; before any training it raises `NotTrainedError` naming the train command.

The model scores the customer's *live* history, so events posted to the API change the
next recommendations at once (the feedback loop, `events_recorded`: a sequential model
sees the new items in its input sequence); histories, popularity and co-purchase counts
are updated in place too. Every recommendation carries the reason that produced it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel

from llm4retail.artifacts.store import MODEL_FOLDER
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.currency import catalog_currency, currency_rates
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ArtifactFormatError, NotFoundError
from llm4retail.eval import EvalReport
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.evaluate import evaluate_recommenders
from llm4retail.recommend.hybrid import standardised
from llm4retail.recommend.neighbours import ItemKNN, history_weights
from llm4retail.recommend.precomputed import PrecomputedLists
from llm4retail.recommend.rules import (
    Recommendation,
    Rules,
    apply_rules,
    capped_by_category,
)
from llm4retail.recommend.training import (
    TrainedRecommender,
    default_recommender,
    train_recommender,
)

if TYPE_CHECKING:
    from llm4retail.container import Services

__all__ = ["RecommendService", "RecommendTrainReport", "Recommendation", "Rules"]

logger = logging.getLogger(__name__)
HISTORY_LENGTH = 50  # the most recent events that drive "for you"
LIVE_RERANK_ITEMS = 3  # latest history items whose neighbours lift a precomputed list's products
LIVE_RERANK_WEIGHT = 0.5  # at most half the gap between the first and the last precomputed product
VERBS = {"purchase": "bought", "add_to_cart": "added to your cart", "view": "viewed"}
NEIGHBOURS_FOLDER = "neighbours"  # the item neighbours of a version, beside `model/`
PRODUCT_IDS_FILE = "product_ids.json"  # the vocabulary (item index -> product id) of both


class RecommendTrainReport(BaseModel):
    """What a training run chose and saved."""

    version: str
    model: str
    default: bool
    valid_ndcg_at_10: float | None
    test_ndcg_at_10: float | None
    seconds: float
    candidates: dict[str, float]


class RecommendService(CapabilityService):
    """The recommenders of one store.

    Args:
        settings: the one `Settings` (models are kept under `settings.models_dir / "recommend"`).
        store: the store whose events and products are learned from and served.
        services: the container (unused).

    Example:
        >>> service = RecommendService(settings, store)
        >>> service.train()                      # or `llm4retail recommend train`
        >>> service.for_customer("c00010", top_k=5)
    """

    capability = "recommend"
    train_command = "llm4retail recommend train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self.version_: str | None = None  # the loaded version; None until the first request (read under the lock)
        self.model_: Recommender | None = None  # the chosen model; None when the default neighbours score "for you"
        self.to_model_ = np.zeros(0, dtype=np.int64)
        self.rates = currency_rates(settings)  # the currency of products that name none
        self.offers_: dict[str, tuple[float | None, str | None]] = {}  # product_id -> catalog price, currency
        self.precomputed = PrecomputedLists(store, redis_url=settings.redis_url, prefix=settings.redis_prefix)  # batch lists

    # -- training ----------------------------------------------------------------------------------
    def train(self, *, models: Sequence[str] | None = None, ray: str | None = None, sasrec_workers: int = 1) -> dict[str, Any]:
        """Choose a model on the store's events by validation, refit it on all events, save and serve it.

        Args:
            models: candidate model names (default: every model plus the hybrid).
            ray, sasrec_workers: where the candidates fit, as `train_recommender`.

        Returns `RecommendTrainReport` as a dict.

        Raises:
            DataValidationError: the store has no events, or too few for a leave-last-out choice.
        """
        events = self.store.read_frame(Table.EVENTS)
        products = self.store.read_frame(Table.PRODUCTS)
        return self.publish(train_recommender(events, products, dataset=self.store.description, models=models, ray=ray,
                                             sasrec_workers=sasrec_workers))

    def train_on_start(self) -> dict[str, Any]:
        """The cheap default `serve` trains when nothing is saved: item neighbours over every event (seconds)."""
        return self.publish(default_recommender(self.store.read_frame(Table.EVENTS), dataset=self.store.description))

    def evaluate(self, *, models: Sequence[str] | None = None) -> EvalReport:
        """`eval recommend` on the store's events and products (leave-last-out, validation-chosen `best`)."""
        events = self.store.read_frame(Table.EVENTS)
        products = self.store.read_frame(Table.PRODUCTS)
        return evaluate_recommenders(events, dataset=self.store.description, models=models, products=products)

    def publish(self, trained: TrainedRecommender) -> dict[str, Any]:
        """Saves `trained` as a new version (model, neighbours, vocabulary, report) and serves it from now on.

        `train` and `train_on_start` end here; a benchmark may publish a model it fitted itself.
        """
        with self.models.stage(report=trained.report) as folder:
            trained.model.save(folder / MODEL_FOLDER, data_hash=trained.data_hash, metrics=trained.metrics)
            trained.neighbours.save(folder / NEIGHBOURS_FOLDER, data_hash=trained.data_hash)
            ids = [str(product_id) for product_id in trained.product_ids]
            (folder / PRODUCT_IDS_FILE).write_text(json.dumps(ids), encoding="utf-8")
        with self.lock:
            self._load()
        report = trained.report
        metrics = trained.metrics
        return RecommendTrainReport(
            version=str(self.version_), model=str(report["best"]), default=bool(report["default"]),
            valid_ndcg_at_10=metrics.get("valid_ndcg@10"), test_ndcg_at_10=metrics.get("ndcg@10"),
            seconds=float(report["train_seconds"]),
            candidates={name: float(m["valid_ndcg@10"]) for name, m in (report.get("models") or {}).items()},
        ).model_dump()  # fmt: skip

    # -- loading and the feedback loop -------------------------------------------------------------
    @property
    def model_name(self) -> str:
        """What scores "for you": the saved model's name and version (the default's neighbours say so)."""
        with self.lock:  # the name and version of one loaded state
            self._ready()
            if self.model_ is None:
                return f"{self.knn_.name} (default, {self.version_})"
            return f"{self.model_.name} ({self.version_})"

    def warm_up(self) -> None:
        """Loads the newest trained version now rather than on the first request (never trains).

        Raises:
            NotTrainedError: nothing is trained yet (names `llm4retail recommend train`).
        """
        self._ready()

    def _ready(self) -> None:
        """Loads the newest trained version on first use, once (checked and loaded under the lock).

        Raises:
            NotTrainedError: nothing is trained yet (names `llm4retail recommend train`).
            ArtifactFormatError: the saved version was written in another format.
        """
        with self.lock:
            if self.version_ is None:
                self._load()

    def _load(self) -> None:
        """Reads LATEST and the store's events and products: the served state (no fitting). Call under the lock."""
        self.version_ = None  # until the whole state is rebuilt: a failure here leaves it to reload
        folder = self.models.path()
        model = Recommender.load(folder / MODEL_FOLDER)
        neighbours = ItemKNN.load(folder / NEIGHBOURS_FOLDER)
        model_ids = _read_product_ids(folder)
        report = self.models.report(folder.name)
        events = self.store.read_frame(Table.EVENTS)
        products = self.store.read_frame(
            Table.PRODUCTS, columns=["product_id", "title", "brand", "category", "available", "price", "currency"]
        )
        self.offers_ = {str(row.product_id): _offer(row.price, row.currency) for row in products.itertuples()}
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
        model_index = {product_id: i for i, product_id in enumerate(model_ids)}
        self.to_model_ = np.array([model_index.get(str(p), -1) for p in self.product_ids_], dtype=np.int64)
        neighbours.similarity_ = _in_service_space(neighbours.similarity_, self.to_model_)
        self.knn_ = neighbours
        self.model_ = None if report.get("default") else model
        if not events.empty:
            self._absorb(events)
        self.version_ = folder.name
        logger.info("recommenders loaded: %d products, %d customers with events; model %s", len(ids), len(self.histories_),
                    self.model_name)  # fmt: skip

    def events_recorded(self, rows: Iterable[dict[str, Any]]) -> None:
        """Add new events to histories, popularity and co-purchases (no retrain; nothing to do before loading)."""
        with self.lock:
            if self.version_ is not None:
                self._absorb(pd.DataFrame(list(rows)))

    def products_changed(self, rows: Iterable[dict[str, Any]]) -> None:
        """Apply catalog changes (availability, brand, category, title) to the loaded recommenders."""
        with self.lock:
            if self.version_ is None:
                return
            for row in rows:
                item = self._item(str(row["product_id"]))
                self.available_[item] = row.get("available") is not False
                self.brands_[item] = row.get("brand")
                self.categories_[item] = row.get("category")
                self.titles_[item] = row.get("title")
                self.offers_[str(row["product_id"])] = _offer(row.get("price"), row.get("currency"))

    def products_deleted(self, product_ids: Iterable[str]) -> None:
        """Deleted products are never recommended again."""
        with self.lock:
            if self.version_ is None:
                return
            for product_id in product_ids:
                if product_id in self.index_:
                    self.available_[self.index_[product_id]] = False

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
    def for_customer(self, customer_id: str, *, top_k: int = 10, rules: Rules | None = None,
                     use_precomputed: bool = True) -> list[Recommendation]:
        """"For you": neighbours of the customer's history, popularity for a cold start. A list precomputed by
        `llm4retail batch run recommend` with the served model is served instead, re-ranked live (cheaper for a
        costly model or a large catalog); `use_precomputed=False` scores the whole catalog (what the batch job does).

        Raises:
            NotFoundError: the customer has no events and is not in the customers table.
        """
        self._ready()
        precomputed = self.precomputed.get(customer_id, model=self.model_name) if use_precomputed else []  # outside the lock
        with self.lock:  # the state changes with every posted event
            history = self.histories_.get(customer_id)
            if history is None:
                self.store.get(Table.CUSTOMERS, (customer_id,))  # raises NotFoundError for an unknown id
                history = []
            if len(precomputed) >= top_k:
                served = self._from_precomputed(precomputed, history, top_k=top_k, rules=rules or Rules())
                if served is not None:
                    return served
            return self._from_history(history, top_k=top_k, rules=rules or Rules())

    def _from_precomputed(self, rows: list[tuple[str, float, str | None]], history: list[tuple[int, str]], *, top_k: int,
                          rules: Rules) -> list[Recommendation] | None:  # fmt: skip
        """The customer's precomputed list re-ranked live: its order (rank score 1 down to 1/n) plus the
        similarity of each product to the customer's latest items, which include what happened after the
        batch ran; availability, purchases and the other rules apply as they stand now. None when fewer than
        `top_k` products survive (the caller scores the whole catalog instead)."""
        known = [(self.index_[product], reason) for product, _, reason in rows if product in self.index_]
        if len(known) < top_k:
            return None
        items = np.array([item for item, _ in known], dtype=np.int64)
        scores = np.full(len(self.product_ids_), -np.inf, dtype=np.float32)
        scores[items] = 1.0 - np.arange(len(items), dtype=np.float32) / len(items)
        recent = np.array([item for item, _ in history[-LIVE_RERANK_ITEMS:]], dtype=np.int64)
        if len(recent):
            similarity = np.asarray(self.knn_.similarity_[recent][:, items].sum(axis=0)).ravel()
            if similarity.max() > 0:
                scores[items] += LIVE_RERANK_WEIGHT * (similarity / similarity.max()).astype(np.float32)
        order = self._order(scores, rules=rules, history=history, top_k=top_k)
        if len(order) < top_k:
            return None
        reasons = {item: reason for item, reason in known}
        return [self._recommendation(i, scores[i], reasons.get(i) or self._popular_reason(i)) for i in order]

    def for_session(self, product_ids: Sequence[str], *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """Recommendations for an anonymous list of recent products (unknown ids are ignored)."""
        with self.lock:  # the state changes with every posted event
            self._ready()
            history = [(self.index_[p], "view") for p in product_ids if p in self.index_]
            return self._from_history(history, top_k=top_k, rules=rules or Rules(exclude_purchased=False))

    def similar(self, product_id: str, *, top_k: int = 10, rules: Rules | None = None) -> list[Recommendation]:
        """Items whose audiences overlap most with this one's (else same category and brand)."""
        with self.lock:  # the state changes with every posted event
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
        with self.lock:  # the state changes with every posted event
            item = self._known(product_id)
            scores = np.full(len(self.product_ids_), -np.inf, dtype=np.float32)
            reasons = {}
            for other, count in self.together_.get(item, Counter()).items():
                scores[other] = count
                reasons[other] = f"often bought with {self._title(item)} ({count} orders)"
            return self._ranked(scores, reasons, top_k=top_k, rules=rules or Rules(exclude_purchased=False), history=[])

    # -- helpers -----------------------------------------------------------------------------------
    def _known(self, product_id: str) -> int:
        self._ready()
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
        if self.model_ is None:
            return None
        mapped = self.to_model_[items]
        mapped = mapped[mapped >= 0]
        if not len(mapped):
            return None
        model_scores = standardised(self.model_.score([mapped]))[0]
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
            order = capped_by_category(order, self.categories_, rules.max_per_category)
        return order[:top_k]

    def _ranked(self, scores: np.ndarray, reasons: dict[int, str], *, top_k: int, rules: Rules, history: list[tuple[int, str]]) -> list[Recommendation]:
        order = self._order(scores, rules=rules, history=history, top_k=top_k)
        return [self._recommendation(i, scores[i], reasons.get(i, self._popular_reason(i))) for i in order]

    def _recommendation(self, item: int, score: float, reason: str) -> Recommendation:
        product_id = str(self.product_ids_[item])
        price, currency = self.offers_.get(product_id, (None, None))
        return Recommendation(product_id=product_id, score=round(float(score), 6), reason=reason, title=self._title(item),
                              price=price, currency=self.rates.resolve(currency))  # fmt: skip


def _offer(price: Any, currency: Any) -> tuple[float | None, str | None]:
    """A catalog price and its currency code (None: unpriced, or the store's default currency)."""
    amount = pd.to_numeric(price, errors="coerce")
    return (None if amount is None or amount != amount else float(amount)), catalog_currency(currency)


def _basket_keys(events: pd.DataFrame) -> list[str | None]:
    for column in ("order_id", "session_id"):
        if column in events.columns and events[column].notna().any():
            return [None if value is None or value != value else str(value) for value in events[column]]
    return [None] * len(events)


def _grow(matrix: sp.csr_matrix, n: int) -> sp.csr_matrix:
    grown = matrix.tocsr(copy=True)
    grown.resize((n, n))  # new rows and columns are empty
    return grown


def _read_product_ids(folder: Path) -> list[str]:
    path = folder / PRODUCT_IDS_FILE
    if not path.is_file():
        raise ArtifactFormatError(f"{folder} has no {PRODUCT_IDS_FILE}; retrain with `{RecommendService.train_command}`")
    return [str(product_id) for product_id in json.loads(path.read_text(encoding="utf-8"))]


def _in_service_space(similarity: sp.csr_matrix, to_model: np.ndarray) -> sp.csr_matrix:
    """An item × item matrix over the model's vocabulary re-indexed to the service's (a superset, both sorted,
    so each row keeps its order); items the service no longer knows are dropped."""
    to_service = np.full(similarity.shape[0], -1, dtype=np.int64)
    known = np.flatnonzero(to_model >= 0)
    to_service[to_model[known]] = known
    entries = similarity.tocoo()
    keep = (to_service[entries.row] >= 0) & (to_service[entries.col] >= 0)
    size = len(to_model)
    return sp.csr_matrix((entries.data[keep], (to_service[entries.row[keep]], to_service[entries.col[keep]])), shape=(size, size))
