"""The one service container: the API (through FastAPI dependencies) and the CLI get every service here.

Services are built on first use, once per container, under a lock (a second thread asking
for the same service waits for the first to finish building it). Building a service never
trains; `train_missing` trains the capabilities without a model, as `serve` does at start-up
in a background thread, with each capability's state in `status()` (shown by `/ready`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import importlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm4retail.access import AccessControl
from llm4retail.capability import CapabilityService, ServiceStatus
from llm4retail.config import Settings
from llm4retail.data.changes import ChangeFeed
from llm4retail.data.importer import ImportReport
from llm4retail.data.impressions import ImpressionLog, cart_events
from llm4retail.data.jobs import ImportJobs
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, StorageError, storage_faults
from llm4retail.eval.online import online_metrics
from llm4retail.llm.health import EndpointMonitor

if TYPE_CHECKING:
    from llm4retail.assistant.service import AssistantService
    from llm4retail.catalog.service import CatalogService
    from llm4retail.forecast.service import ForecastService
    from llm4retail.generate.service import GenerateService
    from llm4retail.inventory.service import InventoryService
    from llm4retail.marketing.service import MarketingService
    from llm4retail.pricing.service import PricingService
    from llm4retail.recommend.service import RecommendService
    from llm4retail.reviews.service import ReviewService
    from llm4retail.risk.service import RiskService
    from llm4retail.search.service import SearchService
    from llm4retail.voice.service import VoiceService

logger = logging.getLogger(__name__)

# name -> "module:Class"; imported on first use so that a CLI command loads only what it needs.
# The order is the order of start-up training (cheap first, the assistant after the search it uses).
SERVICE_CLASSES: dict[str, str] = {
    "search": "llm4retail.search.service:SearchService",
    "recommend": "llm4retail.recommend.service:RecommendService",
    "risk": "llm4retail.risk.service:RiskService",
    "marketing": "llm4retail.marketing.service:MarketingService",
    "forecast": "llm4retail.forecast.service:ForecastService",
    "inventory": "llm4retail.inventory.service:InventoryService",
    "pricing": "llm4retail.pricing.service:PricingService",
    "reviews": "llm4retail.reviews.service:ReviewService",
    "catalog": "llm4retail.catalog.service:CatalogService",
    "assistant": "llm4retail.assistant.service:AssistantService",
    "generate": "llm4retail.generate.service:GenerateService",
    "voice": "llm4retail.voice.service:VoiceService",
}


class Services:
    """Every capability service of one store.

    Args:
        settings: the one `Settings`.
        store: an existing store (default: the one `settings` point at).

    Example:
        >>> services = Services(get_settings(data_dir="store"))
        >>> services.search.search(SearchRequest(query="red sofa"))
    """

    def __init__(self, settings: Settings, *, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store.from_settings(settings)
        self._services: dict[str, CapabilityService] = {}
        self._locks = {name: threading.Lock() for name in SERVICE_CLASSES}
        self._training_thread: threading.Thread | None = None
        self._access: AccessControl | None = None
        self._access_lock = threading.Lock()
        self._jobs: dict[str, threading.Thread] = {}  # trainings started by `train_in_background`
        self._jobs_lock = threading.Lock()
        self.llm_endpoint = EndpointMonitor(settings.llm)  # the configured LLM endpoint's state (for /ready)
        self._imports: ImportJobs | None = None
        self._impressions: ImpressionLog | None = None
        self.changes: ChangeFeed | None = None  # server mode: the writes of the other workers (start_change_feed)

    def get(self, name: str) -> CapabilityService:
        """The service `name`, built on first use.

        Raises:
            DataValidationError: an unknown service name.
        """
        if name not in SERVICE_CLASSES:
            raise DataValidationError(f"unknown capability '{name}'; known: {', '.join(SERVICE_CLASSES)}")
        service = self._services.get(name)
        if service is not None:
            return service
        with self._locks[name]:
            if name not in self._services:
                self._services[name] = _service_class(name)(self.settings, self.store, services=self)
            return self._services[name]

    @property
    def impressions(self) -> ImpressionLog:
        """What the storefront showed (with the model version) and what shoppers clicked."""
        with self._access_lock:
            if self._impressions is None:
                self._impressions = ImpressionLog(self.store)
            return self._impressions

    def online_evaluation(self, *, days: int = 14) -> list[dict[str, Any]]:
        """Click-through and add-to-cart rates of what the storefront showed in the last `days` days, per surface,
        model version and day (`llm4retail.eval.online.online_metrics`)."""
        since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days)
        shown, clicks = self.impressions.frames(since=since)
        return online_metrics(shown, clicks, events=cart_events(self.store, since=since))

    @property
    def imports(self) -> ImportJobs:
        """Imports started from the console (uploads imported in the background, progress on disk)."""
        with self._access_lock:
            if self._imports is None:
                self._imports = ImportJobs(self.settings.data_dir, self.store, on_done=self._imported)
            return self._imports

    def _imported(self, report: ImportReport) -> None:
        """After a bulk import: a loaded search index follows the catalog; models learn the new rows at their
        next training."""
        if Table.PRODUCTS.value in report.totals() and "search" in self._services:
            self.search.catalog_imported()

    def built(self) -> Iterable[CapabilityService]:
        """The services built so far (for change notifications: unbuilt ones have nothing to update)."""
        return list(self._services.values())

    @property
    def search(self) -> SearchService:
        return self.get("search")  # type: ignore[return-value]

    @property
    def recommend(self) -> RecommendService:
        return self.get("recommend")  # type: ignore[return-value]

    @property
    def risk(self) -> RiskService:
        return self.get("risk")  # type: ignore[return-value]

    @property
    def marketing(self) -> MarketingService:
        return self.get("marketing")  # type: ignore[return-value]

    @property
    def forecast(self) -> ForecastService:
        return self.get("forecast")  # type: ignore[return-value]

    @property
    def inventory(self) -> InventoryService:
        return self.get("inventory")  # type: ignore[return-value]

    @property
    def pricing(self) -> PricingService:
        return self.get("pricing")  # type: ignore[return-value]

    @property
    def reviews(self) -> ReviewService:
        return self.get("reviews")  # type: ignore[return-value]

    @property
    def catalog(self) -> CatalogService:
        return self.get("catalog")  # type: ignore[return-value]

    @property
    def assistant(self) -> AssistantService:
        return self.get("assistant")  # type: ignore[return-value]

    @property
    def generate(self) -> GenerateService:
        return self.get("generate")  # type: ignore[return-value]

    @property
    def voice(self) -> VoiceService:
        return self.get("voice")  # type: ignore[return-value]

    @property
    def access(self) -> AccessControl:
        """API keys and customer tokens of the store (built on first use)."""
        if self._access is None:
            with self._access_lock:
                if self._access is None:
                    self._access = AccessControl(self.settings, self.store)
        return self._access

    def products_changed(self, rows: list[dict[str, Any]]) -> None:
        """Tells every built service that products were created or updated (and, in server mode, the other
        workers: `start_change_feed`)."""
        self._apply("products_changed", rows)
        self._publish("products_changed", [str(row["product_id"]) for row in rows])

    def products_deleted(self, keys: list[str]) -> None:
        """Tells every built service (and the other workers) that products were deleted."""
        self._apply("products_deleted", keys)
        self._publish("products_deleted", [str(key) for key in keys])

    def events_recorded(self, rows: list[dict[str, Any]]) -> None:
        """Feeds new events to every built service that learns from them (the feedback loop), here and in the
        other workers."""
        self._apply("events_recorded", rows)
        self._publish("events_recorded", [str(row["event_id"]) for row in rows if row.get("event_id") is not None])

    def _apply(self, kind: str, payload: list[Any]) -> None:
        for service in self.built():
            hook = getattr(service, kind, None)
            if hook is not None:
                hook(payload)

    def _publish(self, kind: str, keys: list[str]) -> None:
        if self.changes is not None:
            self.changes.publish(kind, keys)

    def start_change_feed(self) -> bool:
        """Server mode (`redis_url` set): publish this process's product and event writes, and apply the other
        processes' to the services loaded here, so that every API worker answers from the same catalog and
        histories at once. False (nothing started) without a Redis URL."""
        if self.settings.redis_url is None or self.changes is not None:
            return False
        self.changes = ChangeFeed(self.settings.redis_url, on_change=self._remote_change,
                                  channel=f"{self.settings.redis_prefix}changes")  # fmt: skip
        self.changes.start()
        return True

    def _remote_change(self, kind: str, keys: list[str]) -> None:
        """Another worker wrote these keys: read the rows from the shared store and update what is loaded here."""
        if kind == "products_deleted":
            self._apply(kind, keys)
            return
        table, column = (Table.PRODUCTS, "product_id") if kind == "products_changed" else (Table.EVENTS, "event_id")
        frame = self.store.read_where(table, column, keys)
        rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
        if rows:
            self._apply(kind, rows)

    @property
    def training(self) -> bool:
        """True while `train_missing` (training, then loading) runs in the background."""
        return self._training_thread is not None and self._training_thread.is_alive()

    def status(self) -> list[ServiceStatus]:
        """Each capability's state (builds the services: cheap, nothing is trained or loaded)."""
        return [self.get(name).status() for name in SERVICE_CLASSES]

    def train_in_background(self, name: str) -> bool:
        """Starts training capability `name` with the quick defaults `serve` uses (what the console's "train
        now" does), in a daemon thread; its state and any failure show in `status()`. Returns False when it
        is training already (nothing started).

        Raises:
            DataValidationError: no such capability, or one without a model to train.
        """
        service = self.get(name)
        if service.train_command is None:
            raise DataValidationError(f"'{name}' has no model to train")
        with self._jobs_lock:
            running = self._jobs.get(name)
            if (running is not None and running.is_alive()) or service.status().state == "training":
                return False
            job = threading.Thread(target=self._train_one, args=(name,), name=f"train-{name}", daemon=True)
            self._jobs[name] = job
            job.start()
        return True

    def _train_one(self, name: str) -> None:
        service = self.get(name)
        try:
            service.run_training(on_start=True)
            service.run_warm_up()  # serve the new version at once
        except Exception:  # recorded in status() ("failed" with the error); the server goes on
            logger.exception("training %s (started from the console) failed", name)
        settle_heap()  # the replaced model is garbage now; the new one is long-lived

    def train_missing(self, *, background: bool = True, train: bool = True) -> threading.Thread | None:
        """Trains, one after the other, every capability that has a model to train and none saved, then
        loads every trained one (`warm_up`), so that no request waits for a model to load.

        Args:
            background: run in a daemon thread (what `serve` does) and return it; else run here.
            train: False only loads what is trained (`models.train_on_start = false`).
        """
        if background:
            if self._training_thread is not None and self._training_thread.is_alive():
                return self._training_thread
            self._training_thread = threading.Thread(
                target=self._train_missing, kwargs={"train": train}, name="train-missing", daemon=True
            )
            self._training_thread.start()
            return self._training_thread
        self._train_missing(train=train)
        return None

    def _train_missing(self, *, train: bool = True) -> None:
        try:
            with start_up_lock(self.settings.models_dir):  # several workers: one trains, the others wait, then load
                self._train_each(train=train)
        except StorageError as error:  # a full or read-only models folder: one clear line, then load what there is
            logger.error("start-up training stopped: %s", error)
        self._warm_up()

    def _train_each(self, *, train: bool) -> None:
        for name in SERVICE_CLASSES if train else ():
            service = self.get(name)
            if not service.needs_training():
                continue
            logger.info("training %s (no saved model)", name)
            try:
                service.run_training(on_start=True)
            except DataValidationError as error:  # the store lacks this capability's data: say so, no traceback
                logger.warning("start-up training of %s skipped: %s", name, error)
            except StorageError as error:  # the disk filled up or turned read-only: the operator must act
                logger.error("start-up training of %s failed: %s", name, error)
            except Exception:  # recorded in status(); the other capabilities still train
                logger.exception("start-up training of %s failed", name)

    def _warm_up(self) -> None:
        """Loads every trained capability (model, index, caches), so that no request waits for a load."""
        for name in SERVICE_CLASSES:
            started = time.perf_counter()
            try:
                self.get(name).run_warm_up()
            except Exception:  # the first request will say what is wrong (e.g. a model of another format)
                logger.exception("loading %s at start-up failed", name)
            else:
                logger.info("%s loaded in %.1f s", name, time.perf_counter() - started)
        settle_heap()

    def close(self) -> None:
        """Stops the change feed, lets services release what they hold (e.g. saving a search index), then
        closes the store."""
        if self.changes is not None:
            self.changes.close()
        for service in self.built():
            closer = getattr(service, "close", None)
            if closer is not None:
                closer()
        self.store.close()


FULL_COLLECTION_EVERY = 1000  # middle-generation collections between two full ones (CPython's default: 10)


def settle_heap() -> None:
    """Collects garbage once, then moves every object that survives out of the collector's generations
    (`gc.freeze`): the models and indexes loaded at start-up are hundreds of thousands of long-lived
    objects, and a full collection walking them all pauses the process ~100-250 ms (demo store) at
    moments no request chooses, which is what a p99 sees. Frozen objects are still freed by reference
    counting; after a model is replaced, calling this again unfreezes, collects the old one's cycles and
    freezes what is left."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    # After a freeze CPython's guard against frequent full collections (wait until the long-lived
    # objects grew by a quarter) sees no long-lived objects and lets one run every 10 young ones:
    # measured ~1 ms more CPU per search. Full collections are made 100 times rarer instead.
    young, middle, _old = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


@contextmanager
def start_up_lock(models_dir: Path) -> Iterator[None]:
    """Held while one process trains at start-up: `serve --workers N` starts N processes over one data dir,
    and only the first to take the lock trains; the others wait here, then find the models trained."""
    with storage_faults(models_dir):
        models_dir.mkdir(parents=True, exist_ok=True)
        handle = open(models_dir / ".start-up.lock", "a+b")
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _service_class(name: str) -> type[CapabilityService]:
    module, _, class_name = SERVICE_CLASSES[name].partition(":")
    return getattr(importlib.import_module(module), class_name)

