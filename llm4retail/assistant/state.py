"""Dialogue state and conversation logs, persisted in the store's database.

The assistant's tables live beside the contract tables on the store's engine (SQLite or
PostgreSQL) but in their own metadata: they are the assistant's working memory, not part of
the data contract. A conversation therefore survives a server restart.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.dialects import postgresql

from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFoundError

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
METADATA = sa.MetaData()
CONVERSATIONS = sa.Table(
    "assistant_conversations", METADATA,
    sa.Column("conversation_id", sa.Text, primary_key=True),
    sa.Column("customer_id", sa.Text, nullable=False, index=True),
    sa.Column("language", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("state", _JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
MESSAGES = sa.Table(
    "assistant_messages", METADATA,
    sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.Text, sa.ForeignKey("assistant_conversations.conversation_id"), nullable=False, index=True),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("details", _JSON),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
HANDOFFS = sa.Table(
    "assistant_handoffs", METADATA,
    sa.Column("handoff_id", sa.Text, primary_key=True),
    sa.Column("conversation_id", sa.Text, sa.ForeignKey("assistant_conversations.conversation_id"), nullable=False, index=True),
    sa.Column("customer_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("transcript", _JSON, nullable=False),
    sa.Column("status", sa.Text, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime),
    sa.Column("resolution", sa.Text),
)  # fmt: skip


class ConversationStatus(StrEnum):
    """Who answers the conversation."""

    ACTIVE = "active"  # the assistant
    HANDED_OFF = "handed_off"  # a person, until the hand-off is resolved


class HandoffStatus(StrEnum):
    """State of a hand-off in the agents' queue."""

    OPEN = "open"
    RESOLVED = "resolved"


class DialogueState(BaseModel):
    """What the assistant remembers between turns of one conversation."""

    order_id: str | None = None
    product_id: str | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    pending: dict[str, Any] | None = None  # a clarification question awaiting its answer
    last_intent: str | None = None
    intents: list[str] = Field(default_factory=list)
    misunderstandings: int = 0  # consecutive turns the assistant could not act on
    abuse: int = 0
    turns: int = 0


class Conversation(BaseModel):
    """One conversation, bound to one customer for its whole life."""

    conversation_id: str
    customer_id: str
    language: str | None
    status: ConversationStatus
    state: DialogueState
    created_at: dt.datetime
    updated_at: dt.datetime


class Handoff(BaseModel):
    """A conversation handed to a person, with what they need to take over."""

    handoff_id: str
    conversation_id: str
    customer_id: str
    reason: str
    summary: str
    transcript: list[dict[str, Any]]
    status: HandoffStatus
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    resolution: str | None = None


def utc_now() -> dt.datetime:
    """Naive UTC, as the store keeps instants."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class ConversationRepository:
    """Conversations, messages and hand-offs in the store's database.

    Args:
        store: the store whose engine holds the tables (created on first use).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    def _begin(self) -> Any:
        self.store.create_schema()  # each once, under the store's lock (concurrent first chats)
        self.store.ensure_tables(METADATA)
        return self.store.engine.begin()

    def create(self, *, customer_id: str, language: str | None = None) -> Conversation:
        """A new conversation of `customer_id`."""
        now = utc_now()
        row = {
            "conversation_id": uuid.uuid4().hex, "customer_id": customer_id, "language": language,
            "status": ConversationStatus.ACTIVE.value, "state": DialogueState().model_dump(),
            "created_at": now, "updated_at": now,
        }
        with self._begin() as connection:
            connection.execute(sa.insert(CONVERSATIONS), [row])
        return Conversation.model_validate(row)

    def get(self, conversation_id: str) -> Conversation:
        """One conversation.

        Raises:
            NotFoundError: no conversation has that id.
        """
        with self._begin() as connection:
            row = connection.execute(sa.select(CONVERSATIONS).where(CONVERSATIONS.c.conversation_id == conversation_id)).first()
        if row is None:
            raise NotFoundError(table="conversations", key=conversation_id)
        return Conversation.model_validate(dict(row._mapping))

    def recent(self, *, limit: int = 100, customer_id: str | None = None) -> list[Conversation]:
        """Conversations, most recently active first (optionally one customer's).

        Raises:
            DataValidationError: a limit below 1.
        """
        if limit <= 0:
            raise DataValidationError(f"limit must be > 0, got {limit}")
        query = sa.select(CONVERSATIONS).order_by(CONVERSATIONS.c.updated_at.desc()).limit(limit)
        if customer_id is not None:
            query = query.where(CONVERSATIONS.c.customer_id == customer_id)
        with self._begin() as connection:
            return [Conversation.model_validate(dict(row._mapping)) for row in connection.execute(query)]

    def save(self, conversation: Conversation) -> None:
        """Persist the state, language and status of a conversation."""
        conversation.updated_at = utc_now()
        with self._begin() as connection:
            connection.execute(
                sa.update(CONVERSATIONS)
                .where(CONVERSATIONS.c.conversation_id == conversation.conversation_id)
                .values(state=conversation.state.model_dump(), language=conversation.language,
                        status=conversation.status.value, updated_at=conversation.updated_at)
            )

    def add_message(self, conversation_id: str, *, turn: int, role: str, text: str, details: dict[str, Any] | None = None) -> None:
        """Append one message (its text already masked by the caller)."""
        with self._begin() as connection:
            connection.execute(sa.insert(MESSAGES), [{
                "conversation_id": conversation_id, "turn": turn, "role": role, "text": text,
                "details": details or {}, "created_at": utc_now(),
            }])

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        """Every message of a conversation, oldest first."""
        query = sa.select(MESSAGES).where(MESSAGES.c.conversation_id == conversation_id).order_by(MESSAGES.c.message_id)
        with self._begin() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def create_handoff(self, conversation: Conversation, *, reason: str, summary: str, transcript: list[dict[str, Any]]) -> Handoff:
        """Open a hand-off and mark the conversation as handed off."""
        handoff = Handoff(
            handoff_id=uuid.uuid4().hex, conversation_id=conversation.conversation_id, customer_id=conversation.customer_id,
            reason=reason, summary=summary, transcript=transcript, status=HandoffStatus.OPEN, created_at=utc_now(),
        )
        conversation.status = ConversationStatus.HANDED_OFF
        with self._begin() as connection:
            connection.execute(sa.insert(HANDOFFS), [handoff.model_dump(mode="python")])
        self.save(conversation)
        return handoff

    def handoffs(self, *, status: HandoffStatus | None = HandoffStatus.OPEN, limit: int = 100) -> list[Handoff]:
        """Hand-offs, newest first (open ones by default)."""
        if limit <= 0:
            raise DataValidationError(f"limit must be > 0, got {limit}")
        query = sa.select(HANDOFFS).order_by(HANDOFFS.c.created_at.desc()).limit(limit)
        if status is not None:
            query = query.where(HANDOFFS.c.status == status.value)
        with self._begin() as connection:
            return [Handoff.model_validate(dict(row._mapping)) for row in connection.execute(query)]

    def resolve_handoff(self, handoff_id: str, *, resolution: str | None = None) -> Handoff:
        """Close a hand-off and give the conversation back to the assistant.

        Raises:
            NotFoundError: no hand-off has that id.
        """
        with self._begin() as connection:
            row = connection.execute(sa.select(HANDOFFS).where(HANDOFFS.c.handoff_id == handoff_id)).first()
            if row is None:
                raise NotFoundError(table="handoffs", key=handoff_id)
            now = utc_now()
            connection.execute(
                sa.update(HANDOFFS).where(HANDOFFS.c.handoff_id == handoff_id)
                .values(status=HandoffStatus.RESOLVED.value, resolved_at=now, resolution=resolution)
            )
            connection.execute(
                sa.update(CONVERSATIONS).where(CONVERSATIONS.c.conversation_id == row.conversation_id)
                .values(status=ConversationStatus.ACTIVE.value, updated_at=now)
            )
        return Handoff.model_validate(dict(row._mapping) | {
            "status": HandoffStatus.RESOLVED, "resolved_at": now, "resolution": resolution,
        })
