"""The customer-service assistant of a store: train its intent model into the model store, then chat.

Training is explicit (`llm4retail assistant train`, or `serve` at start-up when no version is
saved): the bilingual seed set, filled with the store's catalog and order ids, plus the store's
labelled utterances. Serving loads the `LATEST` intent model once and builds the assistant on
the container's search and recommendation services and the store; it never trains: without a
saved intent model it raises `NotTrainedError` naming the train command. An intent model saved
by an earlier llm4retail outside `<data-dir>/models/` is ignored.

Example:
    >>> service = Services(get_settings(data_dir="store")).assistant
    >>> service.train()["version"]
    'v0001'
    >>> service.chat(ChatRequest(customer_id="c00012", message="where is my order o000123?")).text
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from llm4retail.access import GUEST_PREFIX
from llm4retail.artifacts import data_fingerprint
from llm4retail.assistant.assistant import Assistant, TurnResult
from llm4retail.assistant.base import IntentModel
from llm4retail.assistant.classifier import FeatureSet
from llm4retail.assistant.schemas import ChatRequest, ConversationView
from llm4retail.assistant.state import Conversation, ConversationRepository, Handoff, HandoffStatus
from llm4retail.assistant.training import SlotFillers, build_training_set, train_intent_model
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ConfigError
from llm4retail.llm.backends import BackendKind, select_backend

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)


class AssistantService(CapabilityService):
    """Trains, versions and serves the customer-service assistant of one store.

    Args:
        settings: the one `Settings` (intent models under `settings.models_dir / "assistant"`;
            `settings.llm` for the answer backend).
        store: the store whose orders, catalog and documents the assistant answers from, and
            whose `utterances` train the intent model.
        services: the container: the assistant searches through `services.search` and
            recommends through `services.recommend`.
    """

    capability = "assistant"
    train_command = "llm4retail assistant train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self.repository = ConversationRepository(store)
        self._intent_model: IntentModel | None = None
        self._assistant: Assistant | None = None
        self._backend_kind = BackendKind.AUTO
        self._clock: Callable[[], dt.datetime] | None = None

    # -- training ----------------------------------------------------------------------------------
    def train(self, utterances: pd.DataFrame | None = None, *, features: FeatureSet = FeatureSet.COMBINED) -> dict[str, Any]:
        """Fits the intent model, saves it as a new version and serves it from now on.

        Args:
            utterances: labelled utterances (`text`, `intent`) with Bitext or assistant labels
                (default: the store's `utterances` table).
            features: the classifier's features.

        Returns:
            The report: rows per language and intent, temperature, seconds, the saved `version`
            and its `directory`.
        """
        started = time.perf_counter()
        if utterances is None:
            utterances = self.store.read_frame(Table.UTTERANCES, columns=["text", "intent"])
        products = self.store.read_frame(Table.PRODUCTS, columns=["title", "brand"])
        orders = self.store.read_frame(Table.ORDERS, columns=["order_id"])
        fillers = SlotFillers.from_catalog(products, orders) if len(products) else SlotFillers()
        frame = build_training_set(utterances, fillers=fillers)
        model = train_intent_model(frame, features=features)
        report: dict[str, Any] = {
            "rows": len(frame), "languages": frame["language"].value_counts().to_dict(),
            "intents": frame["intent"].value_counts().to_dict(), "temperature": round(model.temperature_, 4),
            "features": features.value, "seconds": round(time.perf_counter() - started, 2),
        }  # fmt: skip
        version = self.models.save(model, report=report, data_hash=data_fingerprint(frame["text"], frame["intent"]))
        with self.lock:
            self._intent_model = model
            if self._assistant is not None:  # the conversations continue with the new model
                self._assistant.intent_model = model
        logger.info("intent model %s trained on %d utterances", version, len(frame))
        return report | {"version": version, "directory": str(self.models.path(version))}

    # -- serving -----------------------------------------------------------------------------------
    def intent_model(self) -> IntentModel:
        """The served intent model: the `LATEST` version, loaded once.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail assistant train`).
        """
        with self.lock:
            if self._intent_model is None:
                self._intent_model = self.models.load(expected=IntentModel)
            return self._intent_model

    def configure(self, *, backend: BackendKind = BackendKind.AUTO, clock: Callable[[], dt.datetime] | None = None) -> None:
        """Chooses the answer backend and the clock of the assistant (built anew on next use).

        Args:
            backend: who phrases the answers (`auto`: the configured endpoint, else the local model
                if installed, else templates).
            clock: today's date and time (naive UTC); the wall clock by default.
        """
        with self.lock:
            self.close()
            self._backend_kind, self._clock = BackendKind(backend), clock

    def warm_up(self) -> None:
        """Loads the intent model, the catalog and the knowledge base now rather than on the first request (never trains)."""
        self.assistant().warm_up()

    def assistant(self) -> Assistant:
        """The assistant over the served intent model, `services.search`, `services.recommend` and the store.

        Raises:
            NotTrainedError: no intent model is saved (run `llm4retail assistant train`).
            ConfigError: the service was built outside the service container.
        """
        with self.lock:
            if self._assistant is None:
                model = self.intent_model()
                if self.services is None:
                    raise ConfigError("the assistant searches and recommends through the service container: "
                                      "use Services(settings).assistant")  # fmt: skip
                backend = select_backend(self._backend_kind, llm=self.settings.llm, data_dir=self.settings.data_dir)
                self._assistant = Assistant(self.store, intent_model=model, search=self.services.search,
                                            recommend=self.services.recommend, backend=backend, clock=self._clock)  # fmt: skip
            return self._assistant

    def start(self, customer_id: str, *, language: str | None = None) -> Conversation:
        """Opens a conversation bound to `customer_id` (`GUEST_PREFIX`: a guest conversation).

        Raises:
            NotFoundError: an unknown customer.
            NotTrainedError: no intent model is saved.
        """
        return self.assistant().start(customer_id=customer_id, language=language)

    def reply(self, conversation_id: str, text: str, *, customer_id: str | None = None, **stream: Any) -> TurnResult:
        """The assistant's answer to one message (see `Assistant.reply`; `on_meta`/`on_delta` stream it).

        Raises:
            NotFoundError: an unknown conversation.
            ConversationAccessError: `customer_id` is not the conversation's customer.
            NotTrainedError: no intent model is saved.
        """
        return self.assistant().reply(conversation_id, text, customer_id=customer_id, **stream)

    def chat(self, request: ChatRequest, **stream: Any) -> TurnResult:
        """Answers `request.message`, in a new conversation of `request.customer_id` (none: a guest's)
        unless one is named, which must be that customer's (a guest's for `GUEST_PREFIX`; any for none)."""
        conversation_id = request.conversation_id or self.start(request.customer_id or GUEST_PREFIX).conversation_id
        return self.reply(conversation_id, request.message, customer_id=request.customer_id, **stream)

    def chat_stream(self, request: ChatRequest) -> Iterator[str]:
        """`chat` as server-sent events (`meta`, `delta`..., `done`), sent as the turn runs: with a model, each
        sentence as soon as it is written and checked against the facts.

        The turn runs in a worker thread; this call waits for its first event, so that a refused request
        (unknown conversation, another customer's, an empty message) raises here, before any response is sent.
        """
        events: queue.Queue[tuple[str, Any]] = queue.Queue()

        def work() -> None:
            try:
                result = self.chat(request, on_meta=lambda meta: events.put(("meta", meta)),
                                   on_delta=lambda text: events.put(("delta", {"text": text})))
                events.put(("done", result.as_dict()))
            except Exception as error:  # noqa: BLE001 - handed to the caller's thread, raised or reported there
                events.put(("error", error))

        threading.Thread(target=work, name="assistant-stream", daemon=True).start()
        first = events.get()
        if first[0] == "error":
            raise first[1]
        return _event_stream(first, events)

    def conversation(self, conversation_id: str, *, customer_id: str | None = None) -> ConversationView:
        """A conversation with its (masked) messages.

        Raises:
            NotFoundError: an unknown conversation.
            ConversationAccessError: `customer_id` is not the conversation's customer.
        """
        return ConversationView.model_validate(self.assistant().conversation(conversation_id, customer_id=customer_id))

    def conversations(self, *, limit: int = 100, customer_id: str | None = None) -> list[Conversation]:
        """Conversations, most recently active first, optionally one customer's (staff's view; no model needed)."""
        return self.repository.recent(limit=limit, customer_id=customer_id)

    def handoffs(self, *, status: HandoffStatus | None = HandoffStatus.OPEN, limit: int = 100) -> list[Handoff]:
        """Hand-offs waiting for (or handled by) a person, newest first (no intent model needed)."""
        return self.repository.handoffs(status=status, limit=limit)

    def resolve_handoff(self, handoff_id: str, *, resolution: str | None = None) -> Handoff:
        """Closes a hand-off; the assistant answers the conversation again.

        Raises:
            NotFoundError: an unknown hand-off.
        """
        return self.repository.resolve_handoff(handoff_id, resolution=resolution)

    def close(self) -> None:
        """Releases the answer backend (a local model holds memory) and forgets the built assistant."""
        with self.lock:
            if self._assistant is not None and self._assistant.backend is not None:
                self._assistant.backend.close()
            self._assistant = None


def _event(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _event_stream(first: tuple[str, Any], events: queue.Queue[tuple[str, Any]]) -> Iterator[str]:
    """Server-sent events from the worker's queue, until `done` (or an `error` event after the headers went out)."""
    kind, data = first
    while True:
        if kind == "error":
            logger.error("assistant turn failed while streaming: %s", data)
            yield _event("error", {"detail": "the answer could not be completed"})
            return
        yield _event(kind, data)
        if kind == "done":
            return
        kind, data = events.get()
