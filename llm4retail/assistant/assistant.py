"""The assistant: one turn = understand, decide, call tools, answer from facts, check, log.

Built by `llm4retail.assistant.service.AssistantService` from the saved intent model and the
container's search and recommendation services.

Example:
    >>> assistant = Services(settings).assistant.assistant()  # doctest: +SKIP
    >>> conversation = assistant.start(customer_id="c00012")  # doctest: +SKIP
    >>> turn = assistant.reply(conversation.conversation_id, "能退货吗？我上周买的鞋子太小了")  # doctest: +SKIP
    >>> turn.text, turn.sources  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from llm4retail.access import GUEST_PREFIX
from llm4retail.assistant.base import IntentModel
from llm4retail.assistant.compose import compose_answer, guard_identifiers, stream_answer
from llm4retail.assistant.cues import Cues, read_cues
from llm4retail.assistant.dialogue import (
    Toolbox,
    Turn,
    handle_chit_chat,
    handle_complaint,
    handle_damaged,
    handle_help,
    handle_human,
    handle_legal,
    handle_order_status,
    handle_other,
    handle_policy_claim,
    handle_refund,
    handle_return,
    handle_unsupported,
)
from llm4retail.assistant.handoff import HandoffPolicy, summarise
from llm4retail.assistant.intents import Intent
from llm4retail.assistant.knowledge import KnowledgeBase
from llm4retail.assistant.replies import Draft, say
from llm4retail.assistant.safety import mask_pii, read_sentiment
from llm4retail.assistant.schemas import MAX_MESSAGE_CHARS
from llm4retail.assistant.shopping import handle_product_question, handle_product_search
from llm4retail.assistant.slots import SlotExtractor
from llm4retail.assistant.state import (
    Conversation,
    ConversationRepository,
    ConversationStatus,
    DialogueState,
    Handoff,
    HandoffStatus,
    utc_now,
)
from llm4retail.assistant.tools import CatalogTool, OrderTool
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, PermissionDeniedError
from llm4retail.llm.backends import AnswerBackend
from llm4retail.recommend.service import RecommendService
from llm4retail.search.lexicon import COLOURS, SIZE_WORDS
from llm4retail.search.service import SearchService
from llm4retail.text.language import detect_language

logger = logging.getLogger(__name__)
MIN_KNOWN_SHARE = 0.4  # fewer known words than this: the model is guessing, however sure it looks
HISTORY_INTENTS = 20
HANDLERS: dict[Intent, Callable[[Turn, Toolbox], Draft]] = {
    Intent.ORDER_STATUS: handle_order_status, Intent.RETURN_EXCHANGE: handle_return, Intent.REFUND: handle_refund,
    Intent.SHIPPING: handle_help, Intent.PAYMENT: handle_help, Intent.ACCOUNT: handle_help,
    Intent.PRODUCT_QUESTION: handle_product_question, Intent.PRODUCT_SEARCH: handle_product_search,
    Intent.COMPLAINT: handle_complaint, Intent.HUMAN_REQUEST: handle_human, Intent.CHIT_CHAT: handle_chit_chat,
    Intent.OTHER: handle_other,
}  # fmt: skip
ORDER_INTENTS = (Intent.ORDER_STATUS, Intent.RETURN_EXCHANGE, Intent.REFUND, Intent.COMPLAINT, Intent.SHIPPING)
PRODUCT_INTENTS = (Intent.PRODUCT_QUESTION, Intent.PRODUCT_SEARCH)
_ATTRIBUTE_WORDS = re.compile(
    "|".join(re.escape(word) for word in sorted({*COLOURS, *SIZE_WORDS}, key=len, reverse=True)), re.IGNORECASE
)
_CONTENT = re.compile(r"[a-z0-9\u3400-\u9fff]", re.IGNORECASE)
_ORDINALS = {"first": 0, "1st": 0, "第一": 0, "second": 1, "2nd": 1, "第二": 1, "third": 2, "3rd": 2, "第三": 2}
_LATIN_WORDS = re.compile(r"[A-Za-z]{2,}")
_ID_LIKE = re.compile(r"^[A-Za-z]{0,4}\d+$")
_PUBLIC_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<!\d)\d{3}-\d{3}-\d{4}(?!\d)")


class ConversationAccessError(PermissionDeniedError):
    """A conversation was addressed on behalf of a customer it does not belong to."""


@dataclass
class TurnResult:
    """The assistant's answer to one message and how it was reached."""

    conversation_id: str
    text: str
    language: str
    intent: str
    confidence: float
    slots: dict[str, Any]
    sources: list[dict[str, Any]]
    backend: str
    grounded: bool | None
    fallback: str | None
    handoff: dict[str, Any] | None
    latency_ms: float
    details: dict[str, Any] = field(default_factory=dict)
    llm: str = "off"  # off (none configured), model (it phrased the answer), template (not needed), fallback

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


class Assistant:
    """The customer-service assistant of one store.

    Args:
        store: the store (orders, products, documents; the assistant's own tables are added to it).
        intent_model: a fitted intent model.
        search: product search service.
        recommend: recommendation service.
        backend: the LLM that phrases answers; None answers from templates.
        policy: hand-off thresholds.
        clock: today's date and time (naive UTC); the wall clock by default.
    """

    def __init__(
        self, store: Store, *, intent_model: IntentModel, search: SearchService, recommend: RecommendService,
        backend: AnswerBackend | None = None, policy: HandoffPolicy | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.store = store
        self.intent_model = intent_model
        self.backend = backend
        self.policy = policy or HandoffPolicy()
        self.clock = clock or utc_now
        self.repository = ConversationRepository(store)
        self.orders = OrderTool(store)
        self.catalog = CatalogTool(store, search=search, recommend=recommend)
        self._tools: Toolbox | None = None
        self._lock = threading.Lock()

    @property
    def tools(self) -> Toolbox:
        """Catalog, knowledge base and slot extractor, built from the store on first use."""
        with self._lock:
            return self._build_tools()

    def _build_tools(self) -> Toolbox:
        if self._tools is None:
            products = self.catalog.products
            documents = self.store.read_frame(Table.DOCUMENTS)
            orders = self.store.read_frame(Table.ORDERS, columns=["order_id"])
            extractor = SlotExtractor(order_ids=orders["order_id"].astype(str), titles=products["title"].astype(str).tolist(),
                                      brands=products["brand"].dropna().astype(str).unique())
            self._tools = Toolbox(self.orders, self.catalog, KnowledgeBase(documents), extractor, products["product_id"].astype(str).tolist())
            self.public_values = sorted({m for text in documents["text"].astype(str) for m in _PUBLIC_CONTACT.findall(text)})
        return self._tools

    def warm_up(self) -> None:
        """Build the indexes now rather than in the first turns (catalog, knowledge base, search, recommendations)."""
        _ = self.tools
        self.catalog.search_service.engine()
        self.catalog.recommend_service.warm_up()

    # -- conversations -------------------------------------------------------------------------
    def start(self, *, customer_id: str, language: str | None = None) -> Conversation:
        """Open a conversation bound to `customer_id` (NotFoundError for an unknown customer); `GUEST_PREFIX`
        opens a guest conversation (`guest:<random>`), in which no customer's orders are found."""
        if customer_id == GUEST_PREFIX:
            return self.repository.create(customer_id=f"{GUEST_PREFIX}{uuid.uuid4().hex}", language=language)
        self.store.get(Table.CUSTOMERS, [customer_id])
        return self.repository.create(customer_id=customer_id, language=language)

    def conversation(self, conversation_id: str, *, customer_id: str | None = None) -> dict[str, Any]:
        """A conversation with its (masked) messages."""
        conversation = self._owned(conversation_id, customer_id)
        messages = [
            {"turn": m["turn"], "role": m["role"], "text": m["text"], "details": m["details"], "created_at": m["created_at"]}
            for m in self.repository.messages(conversation_id)
        ]
        return conversation.model_dump() | {"messages": messages}

    def handoffs(self, *, status: HandoffStatus | None = HandoffStatus.OPEN, limit: int = 100) -> list[Handoff]:
        """Hand-offs waiting for (or handled by) a person."""
        return self.repository.handoffs(status=status, limit=limit)

    def resolve_handoff(self, handoff_id: str, *, resolution: str | None = None) -> Handoff:
        """Close a hand-off; the assistant answers the conversation again."""
        return self.repository.resolve_handoff(handoff_id, resolution=resolution)

    def _owned(self, conversation_id: str, customer_id: str | None) -> Conversation:
        conversation = self.repository.get(conversation_id)
        if customer_id == GUEST_PREFIX:
            if not conversation.customer_id.startswith(GUEST_PREFIX):
                raise ConversationAccessError(f"conversation {conversation_id} belongs to a signed-in customer")
        elif customer_id is not None and customer_id != conversation.customer_id:
            raise ConversationAccessError(f"conversation {conversation_id} belongs to another customer")
        return conversation

    # -- one turn ------------------------------------------------------------------------------
    def reply(
        self, conversation_id: str, text: str, *, customer_id: str | None = None,
        on_meta: Callable[[dict[str, Any]], None] | None = None, on_delta: Callable[[str], None] | None = None,
    ) -> TurnResult:
        """Answer one message of the conversation's customer.

        With `on_delta` the answer is streamed: `on_meta` receives what is known before the answer (language,
        intent, confidence, slots, sources, hand-off reason), then `on_delta` each checked piece of the answer
        as the model writes it (`compose.stream_answer`); the pieces joined are the result's text.

        Raises:
            NotFoundError: unknown conversation.
            ConversationAccessError: `customer_id` is given and is not the conversation's customer.
            DataValidationError: an empty or over-long message.
        """
        started = time.perf_counter()
        conversation = self._owned(conversation_id, customer_id)
        text = " ".join(str(text).split())
        if not text or len(text) > MAX_MESSAGE_CHARS:
            raise DataValidationError(f"a message must have 1 to {MAX_MESSAGE_CHARS} characters, got {len(text)}")
        _ = self.tools  # the catalog, knowledge base and slot extractor, built on the first turn
        language = self._language(text, conversation.language)
        conversation.language = language
        state = conversation.state
        state.turns += 1
        self._log(conversation, "user", text, {})
        if conversation.status is ConversationStatus.HANDED_OFF:
            reply = say(language, "handed_off")
            self._log(conversation, "assistant", reply, {"handed_off": True})
            self.repository.save(conversation)
            if on_meta is not None:
                on_meta({"conversation_id": conversation_id, "language": language, "handed_off": True})
            if on_delta is not None:
                on_delta(reply)
            return TurnResult(conversation_id, reply, language, "", 0.0, {}, [], "template", None, None, None,
                              _ms(started), {"handed_off": True}, llm=self._llm_use("template", None))
        turn, confidence, low_confidence, sentiment = self._understand(text, language, conversation)
        draft = self._draft(turn, confidence, low_confidence, sentiment)
        not_understood = not draft.understood or self.policy.complains_of_misunderstanding(text)
        state.misunderstandings = state.misunderstandings + 1 if not_understood else 0
        reason = draft.handoff_reason or self.policy.decide(sentiment=sentiment, state=state, low_confidence=low_confidence)
        self._remember(state, turn, draft)
        if reason is not None:
            draft.facts = []
        sources = [{"id": f.source, "title": f.title, "url": f.url} for f in draft.facts]
        if on_meta is not None:
            on_meta({"conversation_id": conversation_id, "language": language, "intent": turn.intent.value,
                     "confidence": round(confidence, 4), "slots": turn.slots.as_dict(), "sources": sources,
                     "handoff_reason": reason})
        allowed = self._own_identifiers(conversation.customer_id)
        if reason is not None:
            answer, backend, grounded, fallback = say(language, "handoff"), "template", None, None
        elif on_delta is not None and self.backend is not None and draft.phrase_with_llm and draft.facts:
            answer, backend, grounded, fallback = stream_answer(draft, question=text, language=language,
                                                                backend=self.backend, allowed=allowed, emit=on_delta)
            on_delta = None  # already sent, piece by piece
        else:
            answer, backend, grounded, fallback = compose_answer(draft, question=text, language=language, backend=self.backend)
        answer = guard_identifiers(answer, draft, allowed=allowed)
        if on_delta is not None:
            on_delta(answer)
        details = {"intent": turn.intent.value, "confidence": round(confidence, 4), "sources": sources, "backend": backend,
                   "grounded": grounded, "fallback": fallback, "handoff_reason": reason}
        self._log(conversation, "assistant", answer, details)
        handoff = None
        if reason is not None:
            transcript = self._transcript(conversation_id)
            summary = summarise(customer_id=conversation.customer_id, reason=str(reason), state=state,
                                transcript=transcript, language=language)
            handoff = self.repository.create_handoff(conversation, reason=str(reason), summary=summary,
                                                     transcript=transcript).model_dump(mode="json")
        self.repository.save(conversation)
        return TurnResult(conversation_id, answer, language, turn.intent.value, round(confidence, 4), turn.slots.as_dict(),
                          sources, backend, grounded, fallback, handoff, _ms(started), llm=self._llm_use(backend, fallback))

    def _llm_use(self, backend: str, fallback: str | None) -> str:
        """How the LLM served this answer: `off` (none configured: templates by design), `model` (it phrased
        the answer), `fallback` (it was asked and could not be used: unreachable, ungrounded, incomplete)
        or `template` (nothing to phrase, e.g. a hand-off)."""
        if self.backend is None:
            return "off"
        if backend != "template":
            return "model"
        return "fallback" if fallback else "template"

    def _understand(self, text: str, language: str, conversation: Conversation) -> tuple[Turn, float, bool, Any]:
        probabilities = self.intent_model.predict_proba([text])[0]
        best = int(probabilities.argmax())
        intent, confidence = Intent(self.intent_model.classes_[best]), float(probabilities[best])
        slots = self.tools.extractor.extract(text)
        state = conversation.state
        pending = state.pending or {}
        continues = False
        if pending.get("kind") == "order" and not slots.order_id:
            choice = next((index for word, index in _ORDINALS.items() if word in text.lower()), None)
            if choice is not None and choice < len(pending.get("options", [])):
                slots.order_id, continues = pending["options"][choice], True
        elif pending.get("kind") == "order" and slots.order_id:
            continues = intent not in ORDER_INTENTS or confidence < self.policy.human_intent_confidence
        elif pending.get("kind") == "product" and slots.product:
            continues = intent is not Intent.PRODUCT_SEARCH or confidence < self.policy.human_intent_confidence
        if continues:  # the answer to our question continues that request
            intent, confidence = Intent(pending["intent"]), max(confidence, self.policy.clarify_below)
        elif (slots.order_id or slots.tracking_code) and intent not in ORDER_INTENTS + (Intent.HUMAN_REQUEST,):
            intent = Intent.ORDER_STATUS  # a message that names an order is about that order
        cues = read_cues(text)
        decided = None if continues else self._from_cues(cues, slots, state, conversation.customer_id, intent)
        if decided is not None:
            intent, confidence = decided, max(confidence, self.policy.clarify_below)
        slot_driven = bool(slots.order_id or slots.tracking_code or slots.product)
        known = getattr(self.intent_model, "known_share", lambda _text: 1.0)(text)
        low_confidence = (confidence < self.policy.clarify_below or known < MIN_KNOWN_SHARE) and not slot_driven
        low_confidence = low_confidence and decided is None
        turn = Turn(conversation.customer_id, text, language, intent, slots, state, self.clock(), cues)
        return turn, confidence, low_confidence, read_sentiment(text)

    def _from_cues(self, cues: Cues, slots: Any, state: DialogueState, customer_id: str, intent: Intent) -> Intent | None:
        """The intent a cue makes plain (`llm4retail.assistant.cues`), given what the conversation is about; None
        leaves it to the intent model. May fill `slots.order_id` ("the other one") or clear a product span
        that is only an attribute ("does it come in grey?" names no new product)."""
        if cues.closing:
            return Intent.CHIT_CHAT
        if cues.legal or cues.damaged:
            return Intent.COMPLAINT
        if cues.policy_claim:
            return Intent.RETURN_EXCHANGE
        if cues.invoice or cues.discount:
            return Intent.PAYMENT
        if cues.gift and slots.price_limit is not None and not (slots.order_id or slots.tracking_code):
            return Intent.PRODUCT_SEARCH  # "送妈妈的礼物，两百左右": a gift within a budget
        last = Intent(state.last_intent) if state.last_intent in set(Intent) else None
        on_order = bool(state.order_id) and last in ORDER_INTENTS
        on_product = bool(state.product_id) and last in PRODUCT_INTENTS
        if on_product and slots.product and not _CONTENT.search(_ATTRIBUTE_WORDS.sub(" ", slots.product)):
            slots.product = None  # "grey", "大号": an attribute of the product under discussion, not a product
        if cues.other_one and on_order and not slots.order_id:
            others = [str(o["order_id"]) for o in self.orders.orders_of(customer_id) if str(o["order_id"]) != state.order_id]
            if len(others) == 1:
                slots.order_id = others[0]
            return last
        # An order's money, date or contents asked about: that order, when the message points back ("that one",
        # "它") or the intent model does not read it as a product request of its own.
        about_order = cues.order_follow_up or (cues.order_fact and (cues.reference or intent not in PRODUCT_INTENTS))
        if about_order and on_order and not (slots.order_id or slots.product):
            return Intent.ORDER_STATUS
        if cues.product_attribute and on_product and not (slots.order_id or slots.product):
            return Intent.PRODUCT_QUESTION
        return None

    def _draft(self, turn: Turn, confidence: float, low_confidence: bool, sentiment: Any) -> Draft:
        if self.policy.explicit(turn.text, turn.intent, confidence):
            return handle_human(turn, self.tools)
        if sentiment.abusive and (low_confidence or turn.intent in (Intent.OTHER, Intent.CHIT_CHAT, Intent.COMPLAINT)):
            turn.state.abuse += 1
            return Draft(lead=say(turn.language, "abuse"))
        if low_confidence or self.policy.complains_of_misunderstanding(turn.text):
            return Draft(lead=say(turn.language, "clarify"), understood=False)
        cues = turn.cues
        if cues.closing:
            return handle_chit_chat(turn, self.tools)
        if cues.legal:
            return handle_legal(turn, self.tools)
        if cues.policy_claim:
            return handle_policy_claim(turn, self.tools)
        if cues.damaged:
            return handle_damaged(turn, self.tools)
        if cues.invoice or cues.discount:
            return handle_unsupported(turn, self.tools, key="invoice" if cues.invoice else "discount")
        return HANDLERS[turn.intent](turn, self.tools)

    @staticmethod
    def _remember(state: DialogueState, turn: Turn, draft: Draft) -> None:
        state.last_intent = turn.intent.value
        state.intents = (state.intents + [turn.intent.value])[-HISTORY_INTENTS:]
        state.slots |= {k: v for k, v in turn.slots.as_dict().items() if k not in ("order_id", "tracking_code")}
        state.order_id = draft.order_id or state.order_id
        state.product_id = draft.product_id or state.product_id
        state.pending = draft.pending

    def _language(self, text: str, previous: str | None) -> str:
        detected = detect_language(text).value
        if detected == "en" and previous == "zh" and not _LATIN_WORDS.search(_strip_ids(text)):
            return "zh"  # "o000123" alone continues in the conversation's language
        return detected

    def _own_identifiers(self, customer_id: str) -> set[str]:
        rows = self.orders.orders_of(customer_id)
        return {str(r["order_id"]).lower() for r in rows} | {str(r["tracking_code"]).lower() for r in rows if r.get("tracking_code")}

    def _log(self, conversation: Conversation, role: str, text: str, details: dict[str, Any]) -> None:
        _ = self.tools  # the public contact values are known once the tools are built
        masked = mask_pii(text, keep=self.public_values)
        self.repository.add_message(conversation.conversation_id, turn=conversation.state.turns, role=role, text=masked, details=details)

    def _transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        return [{"turn": m["turn"], "role": m["role"], "text": m["text"], "at": m["created_at"].isoformat()}
                for m in self.repository.messages(conversation_id)]


def _strip_ids(text: str) -> str:
    return re.sub(r"(?<![A-Za-z0-9])[A-Za-z]{0,4}\d{3,}[A-Za-z0-9]*", " ", text)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
