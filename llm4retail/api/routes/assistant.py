"""Assistant routes: chat (JSON or server-sent events), conversations, hand-offs.

Every route needs the API key: conversations and hand-offs hold customers' messages, and the
caller (the shop's backend) vouches for which customer is signed in.
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
import json
import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from llm4retail.api.deps import WriteAccess
from llm4retail.assistant.assistant import Assistant, ConversationAccessError, TurnResult
from llm4retail.llm.backends import BackendKind, select_backend
from llm4retail.assistant.state import HandoffStatus

router = APIRouter(tags=["assistant"], dependencies=[WriteAccess])
_LOCK = threading.Lock()
STREAM_CHUNK_CHARS = 24


class ChatRequest(BaseModel):
    """One shopper message; without `conversation_id` a new conversation of `customer_id` starts."""

    customer_id: str = Field(min_length=1, max_length=200, description="the signed-in customer")
    message: str = Field(min_length=1, max_length=2000)
    conversation_id: str | None = Field(None, max_length=64)
    stream: bool = Field(False, description="answer as server-sent events (meta, delta..., done)")


class NewConversation(BaseModel):
    """A conversation to open."""

    customer_id: str = Field(min_length=1, max_length=200)
    language: str | None = Field(None, pattern="^(en|zh)$")


class MessageRequest(BaseModel):
    """A message to an existing conversation."""

    message: str = Field(min_length=1, max_length=2000)
    customer_id: str | None = Field(None, max_length=200, description="checked against the conversation's customer")


class Resolution(BaseModel):
    """How a person closed a hand-off."""

    resolution: str | None = Field(None, max_length=2000)


def get_assistant(request: Request) -> Assistant:
    """The app's assistant, built on first use (loads or trains the intent model)."""
    state = request.app.state
    with _LOCK:
        if getattr(state, "assistant", None) is None:
            settings = state.settings
            backend = select_backend(BackendKind.AUTO, llm=settings.llm, data_dir=settings.data_dir)
            state.assistant = Assistant.from_store(
                state.store, data_dir=settings.data_dir, search=state.services.search, recommend=state.services.recommend, backend=backend
            )
        return state.assistant


def _forbidden(error: ConversationAccessError) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, str(error))


def _events(result: TurnResult) -> Iterator[str]:
    """The answer as server-sent events: its metadata, the text in chunks, then the whole result."""
    meta = {key: value for key, value in result.as_dict().items() if key != "text"}
    yield f"event: meta\ndata: {json.dumps(meta, ensure_ascii=False, default=str)}\n\n"
    for start in range(0, len(result.text), STREAM_CHUNK_CHARS):
        chunk = {"text": result.text[start : start + STREAM_CHUNK_CHARS]}
        yield f"event: delta\ndata: {json.dumps(chunk, ensure_ascii=False)}\n\n"
    yield f"event: done\ndata: {json.dumps(result.as_dict(), ensure_ascii=False, default=str)}\n\n"


@router.post("/chat", summary="Send a message (JSON or server-sent events)", response_model=None)
def chat(body: Annotated[ChatRequest, Body()], request: Request) -> dict[str, Any] | StreamingResponse:
    """The assistant's answer, its intent, slots, sources and any hand-off. The answer is checked
    against the facts before it is sent, so streaming sends the checked answer in chunks."""
    assistant = get_assistant(request)
    try:
        conversation_id = body.conversation_id or assistant.start(customer_id=body.customer_id).conversation_id
        result = assistant.reply(conversation_id, body.message, customer_id=body.customer_id)
    except ConversationAccessError as error:
        raise _forbidden(error) from error
    wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
    if wants_stream:
        return StreamingResponse(_events(result), media_type="text/event-stream")
    return result.as_dict()


@router.post("/conversations", status_code=status.HTTP_201_CREATED, summary="Open a conversation")
def open_conversation(body: Annotated[NewConversation, Body()], request: Request) -> dict[str, Any]:
    """A new conversation bound to one customer (404 for an unknown customer)."""
    return get_assistant(request).start(customer_id=body.customer_id, language=body.language).model_dump()


@router.post("/conversations/{conversation_id}/messages", summary="Send a message to a conversation")
def send_message(conversation_id: str, body: Annotated[MessageRequest, Body()], request: Request) -> dict[str, Any]:
    """The assistant's answer (403 when `customer_id` is not the conversation's customer)."""
    try:
        return get_assistant(request).reply(conversation_id, body.message, customer_id=body.customer_id).as_dict()
    except ConversationAccessError as error:
        raise _forbidden(error) from error


@router.get("/conversations/{conversation_id}", summary="A conversation with its messages")
def get_conversation(
    conversation_id: str, request: Request,
    customer_id: Annotated[str | None, Query(description="only if it is this customer's")] = None,
) -> dict[str, Any]:
    """State, status and the (personal-data-masked) messages of a conversation."""
    try:
        return get_assistant(request).conversation(conversation_id, customer_id=customer_id)
    except ConversationAccessError as error:
        raise _forbidden(error) from error


@router.get("/handoffs", summary="Hand-offs to people")
def list_handoffs(
    request: Request,
    state: Annotated[str, Query(alias="status", pattern="^(open|resolved|all)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Hand-offs with reason, summary and transcript, newest first."""
    chosen = None if state == "all" else HandoffStatus(state)
    items = get_assistant(request).handoffs(status=chosen, limit=limit)
    return {"items": [item.model_dump(mode="json") for item in items]}


@router.post("/handoffs/{handoff_id}/resolve", summary="Resolve a hand-off")
def resolve_handoff(handoff_id: str, body: Annotated[Resolution, Body()], request: Request) -> dict[str, Any]:
    """Close a hand-off; the assistant answers the conversation again (404 for an unknown id)."""
    return get_assistant(request).resolve_handoff(handoff_id, resolution=body.resolution).model_dump(mode="json")
