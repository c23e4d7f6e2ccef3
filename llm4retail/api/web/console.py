"""The operator console (`/console`): staff sign in with a staff or admin API key; the hand-off queue
(summary and transcript of each conversation handed to a person, resolved from the page), the
conversations (any conversation with its intents, tool calls and grounding verdicts), demand
(history, forecast with its 90% interval, the backtest figures and the replenishment advice), pricing
(elasticity with its interval, the recommended price, expected changes, profit against price),
customers (segments with size, value and churn; an audience of segments × propensity, as CSV), risk (the
payment review queue, labelled fraud or legitimate), reviews (sentiment and aspects by category and month; a
box for pasted text) and models (each capability's state and saved versions with their figures; "train now").
The data, evaluation and online-evaluation pages are in `console_data`.

The key is checked once, at sign-in, and exchanged for a signed session in an HttpOnly, SameSite=Strict
cookie; every console request re-checks that the key is still active, so revoking it ends its sessions.
"""

# No `from __future__ import annotations`: FastAPI reads the parameter annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from llm4retail.access.control import CONSOLE_SESSION_SECONDS
from llm4retail.access.roles import Principal
from llm4retail.api.deps import PublicAccess, ServicesDep
from llm4retail.api.web.render import render
from llm4retail.api.web.session import CONSOLE_COOKIE, console_caller, form_fields, require_same_origin, set_cookie
from llm4retail.artifacts.store import list_models
from llm4retail.assistant.state import HandoffStatus
from llm4retail.errors import (
    AuthenticationError,
    DataValidationError,
    Llm4RetailError,
    NotFoundError,
    PermissionDeniedError,
)
from llm4retail.inventory.base import InventorySettings
from llm4retail.marketing import Segment
from llm4retail.pricing import PriceConstraints

signin_router = APIRouter(prefix="/console", include_in_schema=False, dependencies=[PublicAccess])


def _to_signin() -> RedirectResponse:
    return RedirectResponse("/console/signin", status_code=303)


class SignInRequired(Exception):
    """A console page asked for without a valid console session; answered by sending the browser to sign in."""


def signed_in_staff(request: Request, services: ServicesDep) -> Principal:
    """The staff or admin member of the console session (every console page's dependency).

    Raises:
        SignInRequired: no valid session (`add_web` turns it into a redirect to the sign-in page).
    """
    caller = console_caller(request, services)
    if caller is None:
        raise SignInRequired
    return caller


ConsoleCaller = Annotated[Principal, Depends(signed_in_staff)]
# the rest: behind the console session cookie (a dependency of every route; the access table reads the tag)
router = APIRouter(prefix="/console", include_in_schema=False, tags=["session:console"],
                   dependencies=[PublicAccess, Depends(signed_in_staff)])  # fmt: skip


async def sign_in_first(_request: Request, _error: Exception) -> Response:
    """The exception handler of `SignInRequired`."""
    return _to_signin()


@signin_router.get("/signin", summary="Console: sign in")
def signin_page(request: Request) -> HTMLResponse:
    """The key form."""
    return render(request, "console/signin.html")


@signin_router.post("/signin", summary="Console: sign in with a staff or admin key", response_model=None)
async def signin(request: Request, services: ServicesDep) -> Response:
    """Exchanges the key for a session cookie and opens the hand-off queue."""
    require_same_origin(request)
    key = (await form_fields(request)).get("api_key", "").strip()
    try:
        session, _principal = services.access.console_session(key)
    except (AuthenticationError, PermissionDeniedError) as error:
        return render(request, "console/signin.html", error=str(error))  # the form again, saying why
    response = RedirectResponse("/console", status_code=303)
    set_cookie(request, response, CONSOLE_COOKIE, session, max_age=CONSOLE_SESSION_SECONDS, strict=True)
    return response


@signin_router.post("/signout", summary="Console: sign out")
def signout(request: Request) -> RedirectResponse:
    """Forgets the console session."""
    require_same_origin(request)
    response = _to_signin()
    response.delete_cookie(CONSOLE_COOKIE, path="/")
    return response


@router.get("", summary="Console: hand-off queue", response_model=None)
def handoffs_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller, status: Annotated[str, Query(pattern="^(open|resolved)$")] = "open"
) -> Response:
    """Open (or resolved) hand-offs, newest first, each with its summary and transcript."""
    items = services.assistant.handoffs(status=HandoffStatus(status), limit=100)
    return render(request, "console/handoffs.html", caller=caller, status=status,
                  handoffs=[item.model_dump() for item in items], section="handoffs")  # fmt: skip


@router.post("/handoffs/{handoff_id}/resolve", summary="Console: resolve a hand-off", response_model=None)
async def resolve(request: Request, services: ServicesDep, handoff_id: Annotated[str, Path(max_length=64)]) -> Response:
    """Closes the hand-off with the note typed on the page; back to the queue."""
    require_same_origin(request)
    note = (await form_fields(request)).get("resolution", "").strip()[:2000] or None
    try:
        services.assistant.resolve_handoff(handoff_id, resolution=note)
    except NotFoundError:
        return render(request, "not_found.html", status_code=404, what=handoff_id)
    return RedirectResponse("/console", status_code=303)


@router.get("/conversations", summary="Console: conversations", response_model=None)
def conversations_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller, customer_id: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    """The 100 most recently active conversations (optionally one customer's), each linking to its turns."""
    items = services.assistant.conversations(limit=100, customer_id=customer_id or None)
    return render(request, "console/conversations.html", caller=caller, section="conversations",
                  conversations=[item.model_dump() for item in items], customer_id=customer_id or "")  # fmt: skip


@router.get("/conversations/{conversation_id}", summary="Console: one conversation", response_model=None)
def conversation_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller, conversation_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """The conversation's (masked) messages with their intents, tool calls and grounding verdicts."""
    try:
        view = services.assistant.conversation(conversation_id).model_dump()
    except NotFoundError:
        return render(request, "not_found.html", status_code=404, what=conversation_id)
    except Llm4RetailError as error:
        return render(request, "console/conversation.html", caller=caller, conversation=None, error=str(error),
                      section="conversations")  # fmt: skip
    return render(request, "console/conversation.html", caller=caller, conversation=view, section="conversations")


@router.get("/demand", summary="Console: demand and replenishment", response_model=None)
def demand_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller,
    product_id: Annotated[str | None, Query(max_length=200)] = None,
    store_id: Annotated[str | None, Query(max_length=200)] = None,
    lead_time: Annotated[int, Query(ge=1, le=180)] = 3,
    review_period: Annotated[int, Query(ge=1, le=180)] = 7,
) -> Response:
    """One series' history and forecast (90% interval) as a chart with its advice, and the replenishment
    list of every series (next order date, then quantity)."""
    context: dict[str, Any] = {"caller": caller, "section": "demand", "lead_time": lead_time,
                               "review_period": review_period, "error": None, "series": None}  # fmt: skip
    try:
        settings = InventorySettings(lead_time=lead_time, review_period=review_period)
        advice = services.inventory.advice(settings)
        items = sorted(advice["items"], key=lambda item: (item["next_order_date"] or "", -item["order_quantity"]))
        at_risk = [item for item in advice["items"] if item["stockout_risk"] is not None]
        at_risk.sort(key=lambda item: (-item["stockout_risk"], item["days_of_cover"] or 0.0))
        context |= {"advice": advice, "replenish": items[:25], "at_risk": at_risk[:15]}
        if product_id is None and items:
            product_id, store_id = items[0]["product_id"], items[0]["store_id"]
        if product_id is not None:
            context["series"] = services.forecast.product_forecast(product_id, store_id=store_id)
            context["series_advice"] = services.inventory.advice(settings, product_id=product_id, store_id=store_id)["items"][0]
    except Llm4RetailError as error:  # not trained, unknown product, several stores: said on the page
        context["error"] = str(error)
    return render(request, "console/demand.html", **context)


@router.get("/models", summary="Console: models", response_model=None)
def models_page(request: Request, services: ServicesDep, caller: ConsoleCaller) -> Response:
    """Each capability's state (training, ready, failed ...) and its saved versions with their metrics;
    with `HX-Request` (the page polls while something trains) only the table."""
    states = services.status()
    versions: dict[str, list[dict[str, Any]]] = {}
    for version in list_models(services.settings.models_dir):
        versions.setdefault(version.capability, []).append(version.model_dump())
    context = {"caller": caller, "section": "models", "states": [state.model_dump() for state in states],
               "versions": versions, "training": any(state.state == "training" for state in states)}  # fmt: skip
    template = "console/_models.html" if request.headers.get("hx-request") else "console/models.html"
    return render(request, template, **context)


@router.post("/models/{capability}/train", summary="Console: train now", response_model=None)
def train_now(request: Request, services: ServicesDep, capability: Annotated[str, Path(max_length=40)]) -> Response:
    """Starts the capability's training in the background (the quick defaults `serve` uses); back to the list."""
    require_same_origin(request)
    services.train_in_background(capability)  # False (already training) needs no message: the state shows it
    return RedirectResponse("/console/models", status_code=303)


@router.get("/pricing", summary="Console: price advice", response_model=None)
def pricing_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller,
    product_id: Annotated[str | None, Query(max_length=200)] = None,
    store_id: Annotated[str | None, Query(max_length=200)] = None,
    max_change: Annotated[float, Query(gt=0, lt=1)] = 0.1,
    min_margin: Annotated[float, Query(ge=0, lt=1)] = 0.1,
) -> Response:
    """A series' elasticity (90% interval), the recommended price with the expected change in units, revenue and
    profit, and the expected profit change against price as a chart; the list of series by elasticity."""
    context: dict[str, Any] = {"caller": caller, "section": "pricing", "advice": None, "error": None,
                               "max_change": max_change, "min_margin": min_margin, "series": []}  # fmt: skip
    try:
        series = services.pricing.elasticities()
        context["series"] = series[:25]
        if product_id is None and series:
            product_id, store_id = series[0]["product_id"], series[0].get("store_id")
        if product_id is not None:
            constraints = PriceConstraints(min_margin=min_margin, max_change=max_change)
            context["advice"] = services.pricing.price_advice(product_id, store_id=store_id, constraints=constraints)
    except Llm4RetailError as error:  # not trained, unknown product, no allowed price: said on the page
        context["error"] = str(error)
    return render(request, "console/pricing.html", **context)


def _number(text: str | None, name: str, *, low: float, high: float) -> float | None:
    """A number typed in a page form: None when left blank.

    Raises:
        DataValidationError: not a number, or outside low..high.
    """
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataValidationError(f"{name} must be a number, got '{text}'") from None
    if not low <= value <= high:
        raise DataValidationError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def _audience(services: Any, segments: list[Segment], min_clv: str | None, min_probability: str | None) -> Any:
    return services.marketing.audience(
        segments or list(Segment), min_clv=_number(min_clv, "least 12-month value", low=0, high=1e15),
        min_purchase_probability=_number(min_probability, "least purchase probability", low=0, high=1),
    )  # fmt: skip


@router.get("/customers", summary="Console: segments and audiences", response_model=None)
def customers_page(
    request: Request, services: ServicesDep, caller: ConsoleCaller,
    segment: Annotated[list[Segment] | None, Query()] = None,
    min_purchase_probability: Annotated[str | None, Query(max_length=32)] = None,  # a form's blank box sends ""
    min_clv: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """Every segment (customers, share, mean CLV, expected value, churn and purchase probability) and an
    audience builder: chosen segments × least purchase probability × least CLV, with its size, first rows and CSV."""
    chosen = segment or []
    context: dict[str, Any] = {"caller": caller, "section": "customers", "error": None, "segments": [],
                               "chosen": [item.value for item in chosen], "all_segments": [item.value for item in Segment],
                               "min_purchase_probability": min_purchase_probability, "min_clv": min_clv}  # fmt: skip
    try:
        context["segments"] = services.marketing.segments()
        audience = _audience(services, chosen, min_clv, min_purchase_probability)
        context["audience_size"] = len(audience)
        context["audience"] = audience.head(20).to_dict(orient="records")
        context["csv_query"] = request.url.query
    except Llm4RetailError as error:
        context["error"] = str(error)
    return render(request, "console/customers.html", **context)


@router.get("/customers/audience.csv", summary="Console: audience as CSV", response_model=None)
def audience_csv(
    request: Request, services: ServicesDep,
    segment: Annotated[list[Segment] | None, Query()] = None,
    min_purchase_probability: Annotated[str | None, Query(max_length=32)] = None,  # a form's blank box sends ""
    min_clv: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The audience of the builder as CSV, highest CLV first (one row per customer)."""
    try:
        frame = _audience(services, segment or [], min_clv, min_purchase_probability)
    except Llm4RetailError as error:
        return Response(f"error: {error}\n", status_code=422, media_type="text/plain")
    return Response(frame.to_csv(index=False), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audience.csv"'})  # fmt: skip


@router.get("/risk", summary="Console: payment review queue", response_model=None)
def risk_page(
    request: Request,
    services: ServicesDep,
    caller: ConsoleCaller,
    unlabelled: Annotated[bool, Query(description="only payments without a label")] = False,
) -> Response:
    """The payments the served risk model sends to review or decline, highest score first, with reason codes,
    rules and the label so far; each can be marked fraud or legitimate."""
    context: dict[str, Any] = {
        "caller": caller,
        "section": "risk",
        "unlabelled": unlabelled,
        "items": [],
        "error": None,
    }
    try:
        context["items"] = [
            item.model_dump() for item in services.risk.review_queue(limit=50, unlabelled_only=unlabelled)
        ]
    except Llm4RetailError as error:
        context["error"] = str(error)
    return render(request, "console/risk.html", **context)


@router.post("/risk/{payment_id}/label", summary="Console: label a payment", response_model=None)
async def label_payment(
    request: Request, services: ServicesDep, payment_id: Annotated[str, Path(max_length=200)]
) -> Response:
    """Stores the verdict (`verdict` = fraud or legitimate) as the payment's label; back to the queue."""
    require_same_origin(request)
    fields = await form_fields(request)
    verdict = fields.get("verdict")
    if verdict not in {"fraud", "legitimate"}:
        return Response("verdict must be fraud or legitimate\n", status_code=422, media_type="text/plain")
    try:
        services.risk.label(payment_id, fraud=verdict == "fraud")
    except NotFoundError:
        return render(request, "not_found.html", status_code=404, what=payment_id)
    back = "/console/risk?unlabelled=true" if fields.get("unlabelled") == "true" else "/console/risk"
    return RedirectResponse(f"{back}#payment-{payment_id}", status_code=303)


@router.get("/reviews", summary="Console: review analytics", response_model=None)
def reviews_page(request: Request, services: ServicesDep, caller: ConsoleCaller) -> Response:
    """Sentiment and aspects of the store's reviews (overall, per aspect, per category, per month as a chart),
    and a box to analyse pasted text."""
    return _reviews(request, services, caller)


@router.post("/reviews", summary="Console: analyse pasted reviews", response_model=None)
async def reviews_analyse(request: Request, services: ServicesDep, caller: ConsoleCaller) -> Response:
    """The same page with the sentiment and aspects of each pasted line (at most 50 lines)."""
    require_same_origin(request)
    pasted = (await form_fields(request)).get("texts", "")[:20_000]
    lines = [line.strip() for line in pasted.splitlines() if line.strip()][:50]
    return _reviews(request, services, caller, pasted=pasted, lines=lines)


def _reviews(request: Request, services: ServicesDep, caller: Principal, *, pasted: str = "",
             lines: list[str] | None = None) -> Response:  # fmt: skip
    context: dict[str, Any] = {"caller": caller, "section": "reviews", "error": None, "report": None,
                               "pasted": pasted, "analysed": None}  # fmt: skip
    try:
        context["report"] = services.reviews.analytics()
        if lines:
            context["analysed"] = services.reviews.analyze(lines)["results"]
    except Llm4RetailError as error:
        context["error"] = str(error)
    return render(request, "console/reviews.html", **context)
