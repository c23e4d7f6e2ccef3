"""Assistant routes: chat (JSON or server-sent events), conversations, hand-offs.

Every route needs the API key: conversations and hand-offs hold customers' messages, and the
caller (the shop's backend) vouches for which customer is signed in. Without a trained intent
model the chat routes answer 503 naming `llm4retail assistant train`.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse

from llm4retail.api.deps import ServicesDep, WriteAccess
from llm4retail.assistant.assistant import ConversationAccessError
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

router = APIRouter(tags=["assistant"], dependencies=[WriteAccess])
Result = TypeVar("Result")


def _owned(call: Callable[[], Result]) -> Result:
    """`call()`, with a conversation of another customer answered 403."""
    try:
        return call()
    except ConversationAccessError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error


@router.post("/chat", summary="Send a message (JSON or server-sent events)", response_model=None)
def chat(body: Annotated[ChatRequest, Body()], request: Request, services: ServicesDep) -> dict[str, Any] | StreamingResponse:
    """The assistant's answer (`ChatResponse`): its intent, slots, sources and any hand-off. The answer
    is checked against the facts before it is sent, so streaming sends the checked answer in chunks."""
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        events = _owned(lambda: services.assistant.chat_stream(body))
        return StreamingResponse(events, media_type="text/event-stream")
    return _owned(lambda: services.assistant.chat(body)).as_dict()


@router.post("/conversations", status_code=status.HTTP_201_CREATED, summary="Open a conversation")
def open_conversation(body: Annotated[NewConversation, Body()], services: ServicesDep) -> Conversation:
    """A new conversation bound to one customer (404 for an unknown customer)."""
    return services.assistant.start(body.customer_id, language=body.language)


@router.post("/conversations/{conversation_id}/messages", summary="Send a message to a conversation")
def send_message(conversation_id: str, body: Annotated[MessageRequest, Body()], services: ServicesDep) -> ChatResponse:
    """The assistant's answer (403 when `customer_id` is not the conversation's customer)."""
    result = _owned(lambda: services.assistant.reply(conversation_id, body.message, customer_id=body.customer_id))
    return ChatResponse.model_validate(result.as_dict())


@router.get("/conversations/{conversation_id}", summary="A conversation with its messages")
def get_conversation(
    conversation_id: str, services: ServicesDep,
    customer_id: Annotated[str | None, Query(description="only if it is this customer's")] = None,
) -> ConversationView:
    """State, status and the (personal-data-masked) messages of a conversation."""
    return _owned(lambda: services.assistant.conversation(conversation_id, customer_id=customer_id))


@router.get("/handoffs", summary="Hand-offs to people")
def list_handoffs(
    services: ServicesDep,
    state: Annotated[HandoffFilter, Query(alias="status")] = HandoffFilter.OPEN,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> HandoffList:
    """Hand-offs with reason, summary and transcript, newest first."""
    return HandoffList(items=services.assistant.handoffs(status=state.status, limit=limit))


@router.post("/handoffs/{handoff_id}/resolve", summary="Resolve a hand-off")
def resolve_handoff(handoff_id: str, body: Annotated[Resolution, Body()], services: ServicesDep) -> Handoff:
    """Close a hand-off; the assistant answers the conversation again (404 for an unknown id)."""
    return services.assistant.resolve_handoff(handoff_id, resolution=body.resolution)
