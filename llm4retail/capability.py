"""The shape every capability service shares: built from settings and a store, trains explicitly, serves.

A service is what the API and the CLI call. It owns the capability's `ModelStore`, exposes
`train(...)` and `evaluate(...)` with typed requests and reports, and serving methods that
never train: without a trained model they raise `NotTrainedError`, whose message names the
command to run (the API answers 503 with it). `llm4retail serve` trains, in the background,
every capability that `needs_training()` (see `llm4retail.container.Services.train_missing`).

Example:
    >>> services = Services(settings)
    >>> services.risk.train()          # explicit: CLI `llm4retail risk train`, or at start-up
    >>> services.risk.score(payment)   # serving: loads LATEST once, never trains
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from llm4retail.artifacts.store import ModelStore
from llm4retail.config import Settings
from llm4retail.data.store import Store

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)


class ServiceStatus(BaseModel):
    """What `/ready` and `llm4retail models list` say about one capability."""

    capability: str
    state: str = Field(
        description="ready | loading (trained, being loaded at start-up) | not_trained | training | failed | no_model"
    )
    version: str | None = None
    detail: str | None = None


class CapabilityService(ABC):
    """Base of every capability service.

    Subclasses set `capability` and `train_command` (`None` for a capability without a trained
    model), implement `train`, and keep the loaded model behind `self.lock`.

    Args:
        settings: the one `Settings`.
        store: the store the capability reads and writes.
        services: the container, for capabilities built on others (the assistant uses search).
    """

    capability: ClassVar[str]
    train_command: ClassVar[str | None] = None

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        self.settings = settings
        self.store = store
        self.services = services
        self.lock = threading.RLock()
        self._training = False
        self._loading = False
        self._failure: str | None = None

    @property
    def models(self) -> ModelStore:
        """The versioned trained models of this capability."""
        if self.train_command is None:
            raise NotImplementedError(f"{self.capability} has no trained model")
        return ModelStore(self.settings.models_dir, self.capability, train_command=self.train_command,
                          keep=self.settings.models.keep_versions)  # fmt: skip

    def needs_training(self) -> bool:
        """True when the capability has a model to train and none is saved."""
        return self.train_command is not None and self.models.latest() is None

    @abstractmethod
    def train(self, **options: Any) -> dict[str, Any]:
        """Trains on the store's data, saves a new version, serves it from then on; returns the report."""

    def train_on_start(self) -> dict[str, Any]:
        """The training `serve` runs in the background when `needs_training()` (default: `train()`)."""
        return self.train()

    def warm_up(self) -> None:  # noqa: B027 (an optional hook: a capability with a cheap first request has none)
        """Loads what serving needs (the LATEST model, indexes, caches) now rather than on the first request.
        Never trains; the default loads nothing (a capability without a costly first request)."""

    def run_warm_up(self) -> None:
        """`warm_up()` with the state tracked for `status()` (`loading` meanwhile); skipped before training."""
        if self.train_command is not None and self.models.latest() is None:
            return
        self._loading = True
        try:
            self.warm_up()
        finally:
            self._loading = False

    def status(self) -> ServiceStatus:
        """The capability's state for `/ready`."""
        if self.train_command is None:
            return ServiceStatus(capability=self.capability, state="no_model")
        if self._training:
            return ServiceStatus(capability=self.capability, state="training")
        version = self.models.latest()
        if version is not None:
            state = "loading" if self._loading else "ready"
            return ServiceStatus(capability=self.capability, state=state, version=version)
        if self._failure is not None:
            return ServiceStatus(capability=self.capability, state="failed", detail=self._failure)
        return ServiceStatus(capability=self.capability, state="not_trained", detail=f"run `{self.train_command}`")

    def run_training(self, *, on_start: bool = False) -> dict[str, Any] | None:
        """Trains with the state tracked for `status()`; a failure is recorded (and re-raised)."""
        self._training, self._failure = True, None
        started = time.perf_counter()
        logger.info("training %s", self.capability)
        try:
            report = self.train_on_start() if on_start else self.train()
        except Exception as error:
            self._failure = f"{type(error).__name__}: {error}"
            raise
        finally:
            self._training = False
        version = report.get("version") if isinstance(report, dict) else getattr(report, "version", None)
        logger.info("trained %s in %.1f s (version %s)", self.capability, time.perf_counter() - started, version)
        return report
