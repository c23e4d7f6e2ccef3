"""Voice shopping: a spoken clip becomes a search or an assistant turn.

`VoiceService.understand` decodes the clip, transcribes it (language forced when the page or the
customer's language is known), makes the transcript what a shopper would type (simplified Chinese,
numbers as digits), repairs sound-alike words against the catalog vocabulary, and acts on it:

- `search`: the store's product search, with the filters the query parser reads ("五百块以内",
  "under fifty dollars");
- `assistant`: one turn of the customer-service assistant (order status, "add the second one to my
  cart", returns), in the named conversation or a new one;
- `auto` (default): the assistant's intent model decides: product searches go to search, everything
  else (and every turn of an ongoing conversation) to the assistant.

Example:
    >>> result = services.voice.understand(VoiceRequest(language="en"), Path("clip.wav").read_bytes())
    >>> result.action, result.text, [hit["product_id"] for hit in result.search["hits"]][:3]
"""

from __future__ import annotations

import dataclasses
import threading
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from llm4retail.access import GUEST_PREFIX
from llm4retail.capability import CapabilityService
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotTrainedError
from llm4retail.text.language import stated_language
from llm4retail.voice.audio import MAX_BYTES, MAX_SECONDS, decode_clip
from llm4retail.voice.normalise import normalise_transcript
from llm4retail.voice.phonetic import CatalogVocabulary, PhoneticIndex
from llm4retail.voice.transcribe import Transcriber, Transcript, model_folder

if TYPE_CHECKING:
    from llm4retail.container import Services
    from llm4retail.search.results import SearchResponse

PHONETIC_DEPTH = 100  # products of the phonetic match fused with the search's ranking


class VoiceAction(StrEnum):
    """What to do with what was said."""

    AUTO = "auto"
    SEARCH = "search"
    ASSISTANT = "assistant"


class VoiceRequest(BaseModel):
    """How to read and act on one clip (the audio itself travels as the request body)."""

    language: str | None = Field(
        None, pattern="^(en|zh)$", description="the spoken language; unset: the customer's, else detected"
    )
    action: VoiceAction = Field(VoiceAction.AUTO, description="search, assistant, or auto (by the intent)")
    customer_id: str | None = Field(None, max_length=200, description="the signed-in customer (personalises both)")
    conversation_id: str | None = Field(None, max_length=64, description="continue this assistant conversation")
    top_k: int = Field(10, ge=1, le=100, description="search results")


class VoiceResult(BaseModel):
    """What was heard, what it was read as, and the result of acting on it."""

    transcript: str = Field(description="Whisper's text, as heard")
    text: str = Field(description="the text acted on: normalised and repaired against the catalog's words")
    language: str
    language_probability: float | None = Field(None, description="of the detected language (none when given)")
    action: VoiceAction
    intent: str | None = Field(None, description="the assistant's intent for the text (auto)")
    audio_seconds: float
    transcribe_seconds: float
    real_time_factor: float = Field(description="transcription time over audio time (< 1: faster than real time)")
    search: dict[str, Any] | None = Field(None, description="the search response (action search)")
    reply: dict[str, Any] | None = Field(None, description="the assistant's turn (action assistant)")


class VoiceService(CapabilityService):
    """Speech recognition and voice actions over one store (no trained model of its own: Whisper ships
    in the `voice` extra; search and the assistant are the other services)."""

    capability: ClassVar[str] = "voice"
    train_command: ClassVar[str | None] = None

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._transcriber: Transcriber | None = None
        self._vocabulary: tuple[CatalogVocabulary, PhoneticIndex] | None = None
        self._vocabulary_lock = threading.Lock()

    def train(self, **options: Any) -> dict[str, Any]:
        """Nothing to train: the speech model is packaged."""
        return {"capability": self.capability, "trained": False}

    def transcriber(self) -> Transcriber:
        """The Whisper model, loaded once (assembled from its packages on first use).

        Raises:
            MissingExtraError: the `voice` extra is not installed.
        """
        with self.lock:
            if self._transcriber is None:
                voice = self.settings.voice
                folder = model_folder(self.settings.data_dir, explicit=voice.model_dir)
                self._transcriber = Transcriber(folder, beam_size=voice.beam_size, threads=voice.threads)
            return self._transcriber

    def warm_up(self) -> None:
        """Nothing at start-up: the model loads on the first clip (about a second)."""

    def vocabulary(self) -> tuple[CatalogVocabulary, PhoneticIndex]:
        """The catalog's words by sound and its products by how their titles sound, built once and again
        after catalog changes."""
        with self._vocabulary_lock:
            if self._vocabulary is None:
                columns = ["product_id", "title", "category", "brand", "attributes"]
                products = self.store.read_frame(Table.PRODUCTS, columns=columns).fillna("").astype(str)
                texts = products[columns[1:]].agg(" ".join, axis=1).tolist() if len(products) else []
                self._vocabulary = (CatalogVocabulary.build(texts),
                                    PhoneticIndex(products["product_id"].tolist(), products["title"].tolist()))  # fmt: skip
            return self._vocabulary

    def products_changed(self, rows: list[dict[str, Any]]) -> None:
        """New or changed products: rebuild the vocabulary on the next clip."""
        self._vocabulary = None

    def products_deleted(self, keys: list[str]) -> None:
        """Deleted products: rebuild the vocabulary on the next clip."""
        self._vocabulary = None

    def phonetic_match(self, text: str) -> list[str]:
        """Ids of the products whose titles sound most like `text`, best first (none without the `voice` extra's
        pinyin and Metaphone libraries)."""
        try:
            return self.vocabulary()[1].top(text, PHONETIC_DEPTH)
        except ImportError:
            return []

    def search(self, text: str, *, top_k: int = 10, customer_id: str | None = None) -> SearchResponse:
        """The store's search for a transcript, fused with the products whose titles sound like it."""
        from llm4retail.search.request import SearchRequest

        request = SearchRequest(query=text[:500], top_k=top_k, customer_id=customer_id)
        return self._services().search.search(request, fuse=self.phonetic_match(text))

    def transcribe(self, audio: bytes, *, language: str | None = None) -> tuple[Transcript, str]:
        """What `audio` says (as heard) and the text to act on (normalised, repaired against the catalog).

        Raises:
            DataValidationError: empty or not audio; PayloadTooLargeError: over the size or duration limit.
        """
        voice = self.settings.voice
        clip = decode_clip(audio, max_seconds=voice.max_seconds, max_bytes=voice.max_bytes)
        if clip.silent:
            return Transcript("", language or "en", None, round(clip.seconds, 3), 0.0), ""
        transcript = self.transcriber().transcribe(clip.samples, language=language)
        text = normalise_transcript(transcript.text, transcript.language)
        return transcript, self.vocabulary()[0].correct(text, transcript.language)

    def understand(self, request: VoiceRequest, audio: bytes) -> VoiceResult:
        """Transcribe `audio` and act on it (see the module docstring).

        Raises:
            DataValidationError: empty or not audio, or nothing was said; PayloadTooLargeError: too long.
            NotTrainedError: the search index or the assistant's intent model is missing.
        """
        language = request.language or self._customer_language(request.customer_id)
        transcript, text = self.transcribe(audio, language=language)
        result = VoiceResult(
            transcript=transcript.text, text=text, language=transcript.language,
            language_probability=transcript.language_probability, action=request.action,
            audio_seconds=transcript.audio_seconds, transcribe_seconds=transcript.seconds,
            real_time_factor=round(transcript.real_time_factor, 3),
        )  # fmt: skip
        if not text:
            return result
        action, intent = self._decide(request, text)
        result.action, result.intent = action, intent
        if action is VoiceAction.SEARCH:
            customer = None if (request.customer_id or GUEST_PREFIX).startswith(GUEST_PREFIX) else request.customer_id
            response = self.search(text, top_k=request.top_k, customer_id=customer)
            result.search = {field.name: getattr(response, field.name) for field in dataclasses.fields(response)}
        else:
            from llm4retail.assistant.schemas import ChatRequest

            chat = ChatRequest(
                customer_id=request.customer_id, message=text[:2000], conversation_id=request.conversation_id
            )
            result.reply = self._services().assistant.chat(chat).as_dict()
        return result

    def _customer_language(self, customer_id: str | None) -> str | None:
        """The signed-in customer's language when their record names one (Whisper then need not guess it)."""
        if not customer_id or customer_id.startswith(GUEST_PREFIX):
            return None
        rows = self.store.read_where(Table.CUSTOMERS, "customer_id", [customer_id])
        language = stated_language(rows["attributes"].iloc[0]) if len(rows) and "attributes" in rows else None
        return language.value if language else None

    def _decide(self, request: VoiceRequest, text: str) -> tuple[VoiceAction, str | None]:
        if request.action is not VoiceAction.AUTO:
            return request.action, None
        if request.conversation_id:
            return VoiceAction.ASSISTANT, None
        try:
            intent = self._services().assistant.intent_model().predict([text])[0]
        except NotTrainedError:
            return VoiceAction.SEARCH, None
        return (VoiceAction.SEARCH if intent == "product_search" else VoiceAction.ASSISTANT), intent

    def _services(self) -> Services:
        if self.services is None:
            raise NotTrainedError("voice actions need the store's services (search, assistant)")
        return self.services


__all__ = ["MAX_BYTES", "MAX_SECONDS", "VoiceAction", "VoiceRequest", "VoiceResult", "VoiceService"]
