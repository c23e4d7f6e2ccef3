"""Typed requests and responses of the assistant (the API's bodies, the service's arguments)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from llm4retail.assistant.state import Conversation, Handoff, HandoffStatus

MAX_MESSAGE_CHARS = 2000


class ChatRequest(BaseModel):
    """One shopper message; without `conversation_id` a new conversation of `customer_id` starts."""

    customer_id: str | None = Field(
        None, min_length=1, max_length=200,
        description="the signed-in customer (a customer token's own; an admin key may name any); none: a guest",
    )
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    conversation_id: str | None = Field(None, max_length=64)
    stream: bool = Field(False, description="answer as server-sent events (meta, delta..., done)")


class NewConversation(BaseModel):
    """A conversation to open."""

    customer_id: str | None = Field(None, min_length=1, max_length=200, description="none: a guest conversation")
    language: str | None = Field(None, pattern="^(en|zh)$")


class MessageRequest(BaseModel):
    """A message to an existing conversation."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    customer_id: str | None = Field(None, max_length=200, description="checked against the conversation's customer")


class Resolution(BaseModel):
    """How a person closed a hand-off."""

    resolution: str | None = Field(None, max_length=2000)


class HandoffFilter(StrEnum):
    """Which hand-offs to list."""

    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"

    @property
    def status(self) -> HandoffStatus | None:
        """The hand-off status to match (None: every status)."""
        return None if self is HandoffFilter.ALL else HandoffStatus(self.value)


class ChatResponse(BaseModel):
    """The assistant's answer to one message (`TurnResult`) and how it was reached."""

    conversation_id: str
    text: str
    language: str
    intent: str = Field(description="empty while the conversation is handed off")
    confidence: float
    slots: dict[str, Any]
    sources: list[dict[str, Any]] = Field(description="the facts cited as [n]: id, title, url")
    backend: str = Field(description="template, or the LLM backend that phrased the answer")
    grounded: bool | None = Field(description="whether an LLM answer passed the grounding check (None: templates)")
    fallback: str | None
    llm: str = Field("off", description="off (no LLM configured), model (it phrased the answer), template (not needed) "
                                        "or fallback (asked and not usable: unreachable, ungrounded; see `fallback`)")
    handoff: dict[str, Any] | None = Field(description="the hand-off opened by this turn")
    latency_ms: float
    details: dict[str, Any] = Field(default_factory=dict)


class Message(BaseModel):
    """One logged message, personal data masked."""

    turn: int
    role: str
    text: str
    details: dict[str, Any] | None
    created_at: dt.datetime


class ConversationView(Conversation):
    """A conversation with its (masked) messages."""

    messages: list[Message]


class HandoffList(BaseModel):
    """Hand-offs, newest first."""

    items: list[Handoff]
