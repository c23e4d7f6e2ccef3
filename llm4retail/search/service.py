"""Product search over a store: the index is a trained model, versioned in the model store.

`train()` (`llm4retail search train`) indexes the store's products with popularity from its
events, trains the learned reranker when the store has queries and judgements, and saves the
whole index as a new version in `<data-dir>/models/search/vNNNN`; `train_on_start()`, which
`serve` runs when nothing is saved, saves the index alone (zero-shot ranking). Serving loads `LATEST` once (synced with the store's
current catalog) and never trains: without a saved index it raises `NotTrainedError`
naming the train command. Product writes and events posted to the API update the loaded
index at once, copy-on-write (a changed copy replaces the served one, so searches never see a
half-updated index); `checkpoint()`, run by itself `models.checkpoint_seconds` after a change,
saves the live index beside its version so a restart after a crash loads it instead of
re-indexing, and `close()` saves it as a new version when it changed.

Example:
    >>> service = Services(get_settings(data_dir="store")).search
    >>> service.train()["products"]
    2000
    >>> service.search(SearchRequest(query="red sofa under 500", top_k=5)).hits
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.currency import currency_rates
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, Llm4RetailError, NotTrainedError
from llm4retail.eval import EvalReport
from llm4retail.llm.client import ChatClient
from llm4retail.search.catalog import documents_from_frame
from llm4retail.search.engine import SearchEngine
from llm4retail.search.request import SearchRequest, search_products
from llm4retail.search.results import SearchResponse
from llm4retail.search.rewrite import QueryRewriter
from llm4retail.search.stored import catalog_vectors
from llm4retail.text.encoder import encode_query_async

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)


class SearchService(CapabilityService):
    """Trains, versions and serves the search index of one store.

    Args:
        settings: the one `Settings`; with `settings.llm.base_url` set, queries that find nothing
            are rewritten by that LLM and searched again.
        store: the store whose catalog (and events, queries, judgements) is indexed and learned from.
        services: the container (unused; the shared constructor).
        semantic: index multilingual embeddings by default (about 1 ms per product to build).
    """

    capability = "search"
    train_command = "llm4retail search train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None, semantic: bool = True) -> None:
        super().__init__(settings, store, services=services)
        self.semantic = semantic
        self.rewriter = QueryRewriter(ChatClient(settings.llm)) if settings.llm.base_url else None
        self.rates = currency_rates(settings)
        self._engine: SearchEngine | None = None
        self._version: str | None = None  # the version the loaded engine came from
        self._changed = False  # the loaded engine differs from its version (live updates, catalog sync)
        self._generation = 0  # live changes so far; `_saved_generation`: those in the latest checkpoint or version
        self._saved_generation = 0
        self._timer: threading.Timer | None = None  # the pending checkpoint
        self._save_lock = threading.Lock()  # one checkpoint or save at a time

    @property
    def served_version(self) -> str | None:
        """The version the served index came from (None before it is loaded)."""
        return self._version

    @property
    def loaded(self) -> bool:
        """True once an index is in memory."""
        return self._engine is not None

    # -- training ----------------------------------------------------------------------------------
    def train(self, *, semantic: bool | None = None, reranker: bool | None = None) -> dict[str, Any]:
        """Indexes the store's products, trains the reranker, saves a new version and serves it from now on.

        Args:
            semantic: index embeddings (default: the service's `semantic`).
            reranker: train the learned reranker from the store's `queries` and `judgements` tables;
                None: when the store has both (and enough judged queries), else the zero-shot blend ranks.

        Returns:
            The report: `version`, `products`, `events`, `semantic`, `reranker` (trained or not),
            `reranker_importance` (gain share per feature), `embeddings` (how many vectors were reused from
            `llm4retail batch run embed` and how many encoded now) and `seconds`.

        Raises:
            DataValidationError: the store has no products, or `reranker=True` without enough judged queries.
        """
        started = time.perf_counter()
        semantic = self.semantic if semantic is None else semantic
        products = self.store.read_frame(Table.PRODUCTS)
        if products.empty:
            raise DataValidationError(
                "no products to index: import a products file (`llm4retail data import`) or create the demo store "
                "(`llm4retail demo init`), then run `llm4retail search train`"
            )
        events = self.store.read_frame(Table.EVENTS, columns=["product_id", "event_type"])
        documents = documents_from_frame(products)
        # embeddings `batch run embed` stored for the same text and encoder are reused, the rest encoded now
        vectors, embeddings = catalog_vectors(self.store, documents) if semantic else (None, {})
        engine = SearchEngine(semantic=semantic).fit_documents(documents, vectors=vectors)
        engine.record_events(events)
        importance = self._train_reranker(engine, wanted=reranker)
        report: dict[str, Any] = {
            "products": engine.size, "events": len(events), "semantic": semantic, "reranker": bool(importance),
            "reranker_importance": importance, "embeddings": embeddings,
            "seconds": round(time.perf_counter() - started, 2),
        }  # fmt: skip
        data_hash = data_fingerprint(products.astype(str), events.astype(str))
        report["version"] = self.models.save(engine, report=report, data_hash=data_hash)
        engine.rewriter, engine.rates = self.rewriter, self.rates
        engine.pack()
        with self.lock:
            self._engine, self._version, self._changed = engine, report["version"], False
            self._saved_generation = self._generation
        logger.info("search index %s trained: %d products, reranker %s", report["version"], engine.size,
                    "trained" if importance else "not trained")  # fmt: skip
        return report

    def train_on_start(self) -> dict[str, Any]:
        """The cheap default `serve` trains when nothing is saved: the index alone, ranked zero-shot (as the
        server did before the model store); `llm4retail search train` adds the learned reranker."""
        return self.train(reranker=False)

    def _train_reranker(self, engine: SearchEngine, *, wanted: bool | None) -> dict[str, float]:
        """Trains and attaches the reranker when `wanted` (None: when the data allow); its importances, or {}."""
        if wanted is False:
            return {}
        from llm4retail.search.evaluate import train_reranker

        queries = self.store.read_frame(Table.QUERIES)
        judgements = self.store.read_frame(Table.JUDGEMENTS)
        if queries.empty or judgements.empty:
            if wanted:
                raise DataValidationError(
                    "the reranker learns from the store's `queries` and `judgements` tables, and they are empty: "
                    "import them (`llm4retail data import`) or train without the reranker"
                )
            return {}
        try:
            return train_reranker(engine, queries, judgements).importance()
        except DataValidationError as error:
            if wanted:
                raise
            logger.warning("search reranker not trained: %s", error)
            return {}

    def evaluate(self, *, semantic: bool | None = None) -> EvalReport:
        """`llm4retail search eval` on the store's products, queries and judgements; saves nothing."""
        from llm4retail.search.evaluate import evaluate_search

        return evaluate_search(
            self.store.read_frame(Table.PRODUCTS), self.store.read_frame(Table.QUERIES),
            self.store.read_frame(Table.JUDGEMENTS), dataset=self.store.description,
            semantic=self.semantic if semantic is None else semantic,
        )  # fmt: skip

    # -- serving -----------------------------------------------------------------------------------
    def warm_up(self) -> None:
        """Loads the saved index now rather than on the first request (never trains)."""
        self.engine()

    def engine(self) -> SearchEngine:
        """The served index: the `LATEST` version (with its checkpoint of live changes, if any), loaded once
        and synced with the store's current catalog.

        The index is never changed in place: catalog writes build a changed copy and swap this reference,
        so a caller takes it once per request and searches one consistent index.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail search train`).
            ArtifactFormatError: the saved version was written in another format.
        """
        engine = self._engine
        if engine is not None:
            return engine
        with self.lock:  # checked again under the lock: concurrent first requests load once
            if self._engine is None:
                self._load()
            assert self._engine is not None
            return self._engine

    def _load(self) -> None:
        version = self.models.latest()
        if version is None:
            raise NotTrainedError(f"no search index is trained yet; run `{self.train_command}`")
        checkpoint = self.models.checkpoint(base=version)
        engine = SearchEngine.load(checkpoint) if checkpoint else self.models.load(version, expected=SearchEngine)
        changes = engine.sync(self.store.read_frame(Table.PRODUCTS))
        engine.rewriter, engine.rates = self.rewriter, self.rates
        self._engine, self._version = engine.pack(), version
        self._changed = bool(checkpoint or changes["added_or_changed"] or changes["removed"])
        logger.info("search index %s loaded%s: %s", version, " from its checkpoint" if checkpoint else "", changes)

    async def encode_ahead(self, query: str) -> None:
        """Encodes `query`'s vector into the query cache without blocking the event loop, batched with the
        other queries waiting (`llm4retail.text.batching`), so that the search that follows finds it.

        A request awaits this before it waits for a CPU slot: the queries of queued requests are then
        encoded together instead of one by one. Does nothing before the index is loaded."""
        engine = self._engine  # never loads here: loading is the search's (on a worker thread)
        text = engine.semantic_text(query) if engine is not None else None
        if text is not None:
            await encode_query_async(text)

    def search(self, request: SearchRequest, *, fuse: Sequence[str] = ()) -> SearchResponse:
        """One page of results for `request` (personalised when it names a customer); `fuse`: another retriever's
        ranked product ids fused with the engine's ranking (voice search's phonetic match).

        Raises:
            NotTrainedError: no version is saved (run `llm4retail search train`).
            DataValidationError: a query the engine cannot read (over its length limit).
        """
        return search_products(
            self.engine(), request.query, store=self.store, filters=request.filters(), customer_id=request.customer_id,
            top_k=request.top_k, offset=request.offset, explain=request.explain, diversify=request.diversify,
            fuse=fuse,
        )  # fmt: skip

    # -- live updates ------------------------------------------------------------------------------
    def products_changed(self, rows: Iterable[dict[str, Any]]) -> None:
        """Applies created or updated products to a loaded index (nothing to do before it is loaded)."""
        frame = pd.DataFrame(list(rows))
        if not frame.empty:
            self._update(lambda engine: _upserted(engine, frame))

    def catalog_imported(self) -> None:
        """Brings a loaded index in line with the store's catalog after a bulk import (new, changed and
        removed products; unchanged ones are not re-embedded)."""
        if self._engine is None:
            return
        products = self.store.read_frame(Table.PRODUCTS)
        self._update(lambda engine: any(engine.sync(products)[key] for key in ("added_or_changed", "removed")))

    def products_deleted(self, product_ids: Iterable[str]) -> None:
        """Drops deleted products from a loaded index."""
        product_ids = list(product_ids)
        if product_ids:
            self._update(lambda engine: engine.delete(product_ids) > 0)

    def events_recorded(self, rows: Iterable[dict[str, Any]]) -> None:
        """Feeds new events into popularity (the feedback loop; replaces the popularity, see `record_events`)."""
        rows = list(rows)
        with self.lock:
            if self._engine is not None and rows:
                self._engine.record_events(pd.DataFrame(rows))
                self._mark_changed()

    def _update(self, change: Callable[[SearchEngine], bool]) -> None:
        """Copy-on-write: `change` edits a copy of the served index (returning whether it changed anything),
        which then replaces it in one assignment; searches under way finish on the index they took."""
        with self.lock:  # writers take turns; readers never wait
            if self._engine is None:
                return
            updated = self._engine.copy()
            if change(updated):
                self._engine = updated.pack()
                self._mark_changed()

    def _mark_changed(self) -> None:
        """Records a live change and schedules a checkpoint (`models.checkpoint_seconds` from now). Under the lock."""
        self._changed = True
        self._generation += 1
        delay = self.settings.models.checkpoint_seconds
        if delay > 0 and self._timer is None:
            self._timer = threading.Timer(delay, self._checkpoint_quietly)
            self._timer.daemon = True
            self._timer.start()

    def checkpoint(self) -> str | None:
        """Saves the served index, if live changes are not saved yet, as the checkpoint of its version
        (atomically; the next start loads it instead of re-indexing the changes); returns its folder.

        Runs by itself `models.checkpoint_seconds` after a change; searches and writes go on meanwhile
        (the saved index is a snapshot no write changes)."""
        with self._save_lock:
            with self.lock:
                self._timer = None  # changes from now on schedule the next checkpoint
                engine, version, generation = self._engine, self._version, self._generation
            if engine is None or version is None or generation == self._saved_generation:
                return None
            started = time.perf_counter()
            folder = self.models.save_checkpoint(engine, base=version, report={"products": engine.size})
            self._saved_generation = generation
            logger.info("search index checkpoint of %s saved in %.2f s (%d products)", version,
                        time.perf_counter() - started, engine.size)  # fmt: skip
            return str(folder)

    def _checkpoint_quietly(self) -> None:
        try:
            self.checkpoint()
        except (OSError, Llm4RetailError):  # a full or read-only disk: the next change tries again
            logger.exception("search index checkpoint failed")

    def close(self) -> None:
        """Saves the loaded index as a new version if it changed since it was loaded or trained (the
        checkpoint, now part of that version, is deleted)."""
        with self._save_lock, self.lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._engine is None or not self._changed:
                return
            report = {**self._report(self._version), "products": self._engine.size, "updated_from": self._version}
            version = self.models.save(self._engine, report=report)
            self.models.drop_checkpoint()
            logger.info("search index %s saved with live updates (from %s)", version, self._version)
            self._version, self._changed = version, False
            self._saved_generation = self._generation

    def _report(self, version: str | None) -> dict[str, Any]:
        try:
            return self.models.report(version)
        except NotTrainedError:  # the version was pruned meanwhile
            return {}


def _upserted(engine: SearchEngine, products: pd.DataFrame) -> bool:
    engine.upsert(products)
    return True
