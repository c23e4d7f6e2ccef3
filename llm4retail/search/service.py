"""The search index of a store: built from its products and events, saved in the data directory,
kept fresh as products change. Shared by the API and the CLI.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from llm4retail.config import LLMSettings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFittedError
from llm4retail.llm.client import ChatClient
from llm4retail.search.engine import SearchEngine
from llm4retail.search.rewrite import QueryRewriter

logger = logging.getLogger(__name__)
INDEX_DIRECTORY = Path("search")


class SearchService:
    """Owns the engine of one store.

    Args:
        store: the store whose catalog is searched.
        data_dir: where the index is saved (`<data_dir>/search`).
        semantic: use embeddings (building them costs about 1 ms per product).
        llm: the configured LLM endpoint; when set, queries that find nothing are rewritten by it.
    """

    def __init__(self, store: Store, *, data_dir: Path, semantic: bool = True, llm: LLMSettings | None = None) -> None:
        self.store = store
        self.rewriter = QueryRewriter(ChatClient(llm)) if llm is not None and llm.base_url else None
        self.directory = data_dir / INDEX_DIRECTORY
        self.semantic = semantic
        self._engine: SearchEngine | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """True once the engine is in memory."""
        return self._engine is not None

    def engine(self) -> SearchEngine:
        """The engine: loaded from disk and synced with the store, or built; saved after a change."""
        with self._lock:
            if self._engine is None:
                self._engine = self._load_or_build()
                self._engine.rewriter = self.rewriter
            return self._engine

    def rebuild(self) -> SearchEngine:
        """Build the index from scratch and save it."""
        with self._lock:
            self._engine = self._build()
            self._engine.rewriter = self.rewriter
            return self._engine

    def products_changed(self, rows: Iterable[dict]) -> None:
        """Apply created/updated products to a loaded index (no-op before the first search)."""
        if self._engine is not None:
            with self._lock:
                self._engine.upsert(pd.DataFrame(list(rows)))

    def products_deleted(self, product_ids: Iterable[str]) -> None:
        """Drop deleted products from a loaded index."""
        if self._engine is not None:
            with self._lock:
                self._engine.delete(product_ids)

    def events_recorded(self, rows: Iterable[dict]) -> None:
        """Feed new events into popularity (the feedback loop)."""
        if self._engine is not None:
            with self._lock:
                self._engine.record_events(pd.DataFrame(list(rows)))

    def train_reranker(self) -> dict[str, float]:
        """Train the learned reranker from the store's queries and judgements, and save the index.

        Returns:
            The reranker's feature importances.
        """
        from llm4retail.search.evaluate import train_reranker

        engine = self.engine()
        queries = self.store.read_frame(Table.QUERIES)
        judgements = self.store.read_frame(Table.JUDGEMENTS)
        with self._lock:
            reranker = train_reranker(engine, queries, judgements)
            engine.save(self.directory)
        return reranker.importance()

    def save(self) -> None:
        """Persist the current engine."""
        if self._engine is not None:
            with self._lock:
                self._engine.save(self.directory)

    def _products(self) -> pd.DataFrame:
        return self.store.read_frame(Table.PRODUCTS)

    def _build(self) -> SearchEngine:
        products = self._products()
        events = self.store.read_frame(Table.EVENTS, columns=["product_id", "event_type"])
        engine = SearchEngine(semantic=self.semantic).fit(products, events=events)
        engine.save(self.directory)
        logger.info("search index built: %d products", engine.size)
        return engine

    def _load_or_build(self) -> SearchEngine:
        try:
            engine = SearchEngine.load(self.directory)
        except NotFittedError:
            return self._build()
        changes = engine.sync(self._products())
        if changes["added_or_changed"] or changes["removed"]:
            engine.save(self.directory)
            logger.info("search index synced with the store: %s", changes)
        return engine
