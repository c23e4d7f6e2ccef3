"""Assistant routes: chat (JSON or server-sent events), conversations, hand-offs.

Who chats as whom (`Principal.chat_identity`): a customer token as its own customer; an admin key
(the shop's backend, vouching for the signed-in shopper) as the customer it names; anyone else as a
guest, whose conversations find no order data. A conversation is read or continued only by its
customer, by whoever holds a guest conversation's id, or by staff and admin. Hand-offs are for staff.
Without a trained intent model the chat routes answer 503 naming `llm4retail assistant train`.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import StreamingResponse

from llm4retail.access import GUEST_PREFIX
from llm4retail.api.deps import ScopedCaller, ServicesDep, StaffAccess
from llm4retail.assistant.schemas import (
    ChatRequest,
    ChatResponse,
    ConversationView,
    HandoffFilter,
    HandoffList,
    MessageRequest,
    NewConversation,
    Resolution,
)
from llm4retail.assistant.state import Conversation, Handoff

router = APIRouter(tags=["assistant"])


@router.post("/chat", summary="Send a message (JSON or server-sent events)", response_model=None)
def chat(
    body: Annotated[ChatRequest, Body()], request: Request, caller: ScopedCaller, services: ServicesDep
) -> dict[str, Any] | StreamingResponse:
    """The assistant's answer (`ChatResponse`): its intent, slots, sources and any hand-off. The answer
    is checked against the facts before it is sent, so streaming sends the checked answer in chunks."""
    body = body.model_copy(update={"customer_id": caller.chat_identity(body.customer_id)})
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(services.assistant.chat_stream(body), media_type="text/event-stream")
    return services.assistant.chat(body).as_dict()


@router.post("/conversations", status_code=201, summary="Open a conversation")
def open_conversation(body: Annotated[NewConversation, Body()], caller: ScopedCaller, services: ServicesDep) -> Conversation:
    """A new conversation bound to one customer (404 for an unknown customer), or a guest's."""
    return services.assistant.start(caller.chat_identity(body.customer_id) or GUEST_PREFIX, language=body.language)


@router.post("/conversations/{conversation_id}/messages", summary="Send a message to a conversation")
def send_message(
    conversation_id: str, body: Annotated[MessageRequest, Body()], caller: ScopedCaller, services: ServicesDep
) -> ChatResponse:
    """The assistant's answer (403 when the conversation is not the caller's)."""
    identity = caller.chat_identity(body.customer_id)
    result = services.assistant.reply(conversation_id, body.message, customer_id=identity)
    return ChatResponse.model_validate(result.as_dict())


@router.get("/conversations/{conversation_id}", summary="A conversation with its messages")
def get_conversation(
    conversation_id: str, caller: ScopedCaller, services: ServicesDep,
    customer_id: Annotated[str | None, Query(description="only if it is this customer's")] = None,
) -> ConversationView:
    """State, status and the (personal-data-masked) messages of a conversation (403 when not the caller's)."""
    reader = caller.reader_identity()
    if reader is None:  # staff and admin: any conversation, optionally checked against `customer_id`
        reader = customer_id
    return services.assistant.conversation(conversation_id, customer_id=reader)


@router.get("/handoffs", summary="Hand-offs to people", dependencies=[StaffAccess])
def list_handoffs(
    services: ServicesDep,
    state: Annotated[HandoffFilter, Query(alias="status")] = HandoffFilter.OPEN,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> HandoffList:
    """Hand-offs with reason, summary and transcript, newest first."""
    return HandoffList(items=services.assistant.handoffs(status=state.status, limit=limit))


@router.post("/handoffs/{handoff_id}/resolve", summary="Resolve a hand-off", dependencies=[StaffAccess])
def resolve_handoff(handoff_id: str, body: Annotated[Resolution, Body()], services: ServicesDep) -> Handoff:
    """Close a hand-off; the assistant answers the conversation again (404 for an unknown id)."""
    return services.assistant.resolve_handoff(handoff_id, resolution=body.resolution)
