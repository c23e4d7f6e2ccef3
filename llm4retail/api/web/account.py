"""The shopper's side beyond search: demo sign-in, "for you" (orders and personal recommendations with
their reasons) and the chat widget's endpoint (the assistant, streamed as server-sent events)."""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
import time
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from llm4retail.api.deps import PublicAccess, ServicesDep
from llm4retail.api.web.render import render
from llm4retail.api.web.session import SHOPPER_COOKIE, form_fields, require_same_origin, set_cookie, shopper
from llm4retail.api.web.tracking import model_label, remember_visitor, shown
from llm4retail.assistant.schemas import MAX_MESSAGE_CHARS, ChatRequest
from llm4retail.data.impressions import Surface
from llm4retail.data.schemas import Table
from llm4retail.errors import Llm4RetailError, NotFoundError, PermissionDeniedError

router = APIRouter(include_in_schema=False, dependencies=[PublicAccess])
PICKER_SIZE = 12


@router.get("/signin", summary="Storefront: sign in as a demo customer")
def signin_page(request: Request, services: ServicesDep) -> HTMLResponse:
    """A picker of demo customers (the demo store has no passwords); elsewhere a note that the shop signs in."""
    customers: list[dict[str, Any]] = []
    if services.access.demo_login_enabled:
        customers, _ = services.store.page(Table.CUSTOMERS, limit=PICKER_SIZE)
    return render(request, "signin.html", customers=customers, enabled=services.access.demo_login_enabled)


@router.post("/signin", summary="Storefront: sign in", response_model=None)
async def signin(request: Request, services: ServicesDep) -> Response:
    """Issues the demo customer's token into an HttpOnly cookie and goes to "for you"."""
    require_same_origin(request)
    customer_id = (await form_fields(request)).get("customer_id", "")
    try:
        token = services.access.demo_login(customer_id)
    except (PermissionDeniedError, NotFoundError) as error:  # demo login off, or no such customer
        status = 403 if isinstance(error, PermissionDeniedError) else 404
        return render(request, "signin.html", status_code=status, customers=[],
                      enabled=services.access.demo_login_enabled, error=str(error))  # fmt: skip
    response = RedirectResponse("/for-you", status_code=303)
    lifetime = int(token.expires_at.timestamp() - time.time())
    set_cookie(request, response, SHOPPER_COOKIE, token.token, max_age=max(lifetime, 1), strict=False)
    return response


@router.post("/signout", summary="Storefront: sign out")
def signout(request: Request) -> RedirectResponse:
    """Forgets the shopper's cookie."""
    require_same_origin(request)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SHOPPER_COOKIE, path="/")
    return response


@router.get("/for-you", summary="Storefront: for you", response_model=None, tags=["session:shopper"])
def for_you(request: Request, services: ServicesDep) -> Response:
    """The signed-in customer's orders and recommendations with their reasons (sign-in first otherwise)."""
    principal = shopper(request, services)
    if principal is None or principal.customer_id is None:
        return RedirectResponse("/signin", status_code=303)
    customer_id = principal.customer_id
    orders, total = services.store.page(Table.ORDERS, limit=20, equals={"customer_id": customer_id})
    context: dict[str, Any] = {"customer_id": customer_id, "orders": orders, "order_total": total, "unavailable": None}
    try:
        context["recommendations"] = [item.model_dump() for item in services.recommend.for_customer(customer_id, top_k=8)]
    except Llm4RetailError as error:  # no model yet: the page says so and still shows the orders
        context["recommendations"], context["unavailable"] = [], str(error)
    context["impression"] = shown(request, services, surface=Surface.FOR_YOU,
                                  model=model_label("recommend", services.recommend.version_),
                                  product_ids=[item["product_id"] for item in context["recommendations"]])  # fmt: skip
    return remember_visitor(request, render(request, "for_you.html", **context))


class PageChat(BaseModel):
    """One message from the chat widget."""

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    conversation_id: str | None = Field(None, max_length=64)


@router.post("/store/chat", summary="Storefront: the chat widget's turn (server-sent events)")
def page_chat(body: Annotated[PageChat, Body()], request: Request, services: ServicesDep) -> StreamingResponse:
    """The assistant's answer as events (meta, delta..., done), as the signed-in customer or as a guest.

    JSON only (a cross-site form cannot send it without the browser asking this server first)."""
    require_same_origin(request)
    principal = shopper(request, services)
    chat = ChatRequest(message=body.message, conversation_id=body.conversation_id, stream=True,
                       customer_id=principal.customer_id if principal else None)  # fmt: skip
    return StreamingResponse(services.assistant.chat_stream(chat), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})  # fmt: skip
