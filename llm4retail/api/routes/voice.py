"""`POST /voice`: a spoken clip (the request body) becomes a product search or an assistant turn.

Who speaks as whom follows `/chat` and `/search`: a customer token as its own customer, an admin key as
the customer it names, anyone else as a guest (no order data, no personalisation).
"""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query, Request

from llm4retail.api.deps import CpuSlotsDep, ScopedCaller, ServicesDep, json_response
from llm4retail.voice.audio import FORMATS
from llm4retail.voice.service import VoiceAction, VoiceRequest, VoiceResult

router = APIRouter(tags=["voice"])

AUDIO_TYPES = ("audio/wav", "audio/webm", "audio/ogg", "audio/mpeg", "audio/mp4", "application/octet-stream")


@router.post(
    "/voice", summary="Search or ask by voice", response_model=VoiceResult,
    openapi_extra={"requestBody": {"required": True, "description": f"the spoken clip ({FORMATS}; at most 30 s)",
                                   "content": {kind: {"schema": {"type": "string", "format": "binary"}}
                                               for kind in AUDIO_TYPES}}},
)  # fmt: skip
async def voice(
    request: Request,
    caller: ScopedCaller,
    services: ServicesDep,
    cpu_slots: CpuSlotsDep,
    language: Annotated[
        str | None, Query(pattern="^(en|zh)$", description="the spoken language; unset: the customer's, else detected")
    ] = None,
    action: Annotated[VoiceAction, Query(description="search, assistant, or auto (by the intent)")] = VoiceAction.AUTO,
    customer_id: Annotated[str | None, Query(max_length=200, description="the signed-in customer")] = None,
    conversation_id: Annotated[str | None, Query(max_length=64, description="continue this conversation")] = None,
    top_k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    """The transcript (as heard and as acted on), its language, the real-time factor of recognition, and the
    search response or the assistant's turn. Empty or non-audio bodies get 422, clips over the size or
    duration limit 413; without the `voice` extra the answer is 503 naming what to install."""
    audio = await request.body()
    body = VoiceRequest(language=language, action=action, customer_id=caller.chat_identity(customer_id),
                        conversation_id=conversation_id, top_k=top_k)  # fmt: skip
    result = await to_thread.run_sync(services.voice.understand, body, audio, limiter=cpu_slots)
    payload: dict[str, Any] = result.model_dump()
    return json_response(payload)
