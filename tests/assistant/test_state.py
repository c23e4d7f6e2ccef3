"""Conversations, messages and hand-offs persisted in the store's database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from llm4retail.assistant.state import ConversationRepository, ConversationStatus, HandoffStatus
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFoundError

pytestmark = pytest.mark.integration


def test_state_survives_a_new_repository_and_engine(store: Store) -> None:
    repository = ConversationRepository(store)
    conversation = repository.create(customer_id="c1", language="zh")
    conversation.state.order_id = "o000007"
    conversation.state.pending = {"kind": "order", "intent": "order_status", "options": ["o000007", "o000009"]}
    repository.save(conversation)
    repository.add_message(conversation.conversation_id, turn=1, role="user", text="我的订单到哪了", details={"intent": "order_status"})
    restarted = ConversationRepository(Store(store.url))  # a fresh engine, as after a server restart
    loaded = restarted.get(conversation.conversation_id)
    assert loaded.state.order_id == "o000007" and loaded.state.pending["options"] == ["o000007", "o000009"]
    assert [m["text"] for m in restarted.messages(conversation.conversation_id)] == ["我的订单到哪了"]
    assert "assistant_conversations" not in {t.value for t in Table}  # not part of the data contract
    assert {"assistant_conversations", "assistant_messages", "assistant_handoffs"} <= set(sa.inspect(store.engine).get_table_names())


def test_handoff_lifecycle(store: Store) -> None:
    repository = ConversationRepository(store)
    conversation = repository.create(customer_id="c2")
    handoff = repository.create_handoff(conversation, reason="explicit_request", summary="wants a person", transcript=[{"role": "user", "text": "human"}])
    assert repository.get(conversation.conversation_id).status is ConversationStatus.HANDED_OFF
    assert [h.handoff_id for h in repository.handoffs()] == [handoff.handoff_id]
    resolved = repository.resolve_handoff(handoff.handoff_id, resolution="called back")
    assert resolved.status is HandoffStatus.RESOLVED and resolved.resolution == "called back"
    assert repository.handoffs() == [] and len(repository.handoffs(status=None)) == 1
    assert repository.get(conversation.conversation_id).status is ConversationStatus.ACTIVE
    with pytest.raises(NotFoundError, match="handoffs 'nope' not found"):
        repository.resolve_handoff("nope")
    with pytest.raises(NotFoundError, match="conversations"):
        repository.get("nope")
