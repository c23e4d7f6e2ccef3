"""What the storefront shows and what shoppers click, recorded for the feedback loop and online evaluation.

Each list a page shows (search results, similar items, bought together, "for you") is stored as one
impression with the version of the model that ranked it (`services.impressions`); its links carry the
impression and the position (`/item/P?imp=…&pos=…`), so opening a product from it records a click.
A signed-in shopper's click is also a `view` event of theirs, which the recommender learns from at once
(`services.events_recorded`). The browser's session is a random visitor id in a cookie. Recording never
breaks a page: a failure is logged and the page is served without tracking links.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from llm4retail.api.web.session import keep_visitor, shopper, visitor
from llm4retail.container import Services
from llm4retail.data.impressions import Surface
from llm4retail.data.schemas import Table
from llm4retail.errors import Llm4RetailError

logger = logging.getLogger(__name__)


def visitor_id(request: Request) -> str:
    """The browser's visitor id, created once per request when it has none (`remember_visitor` sets it)."""
    if not hasattr(request.state, "visitor"):
        request.state.visitor, request.state.new_visitor = visitor(request)
    return str(request.state.visitor)


def _shopper_id(request: Request, services: Services) -> str | None:
    """The signed-in customer of the page (its token checked once per request, however many lists it shows)."""
    if not hasattr(request.state, "shopper_id"):
        principal = shopper(request, services)
        request.state.shopper_id = principal.customer_id if principal is not None else None
    return request.state.shopper_id  # type: ignore[no-any-return]


def remember_visitor(request: Request, response: Response) -> Response:
    """Sets the visitor cookie on a page that created the id."""
    if getattr(request.state, "new_visitor", False):
        keep_visitor(request, response, request.state.visitor)
    return response


def shown(
    request: Request, services: Services, *, surface: Surface, model: str, product_ids: Sequence[str],
    query: str | None = None,
) -> str | None:  # fmt: skip
    """Records one shown list; the impression id for its links (None when nothing was shown or it failed)."""
    try:
        return services.impressions.record(
            surface=surface, model=model, product_ids=product_ids, session_id=visitor_id(request),
            customer_id=_shopper_id(request, services), query=query,
        )  # fmt: skip
    except (Llm4RetailError, sa.exc.SQLAlchemyError) as error:
        logger.warning("impression not recorded: %s", error)
        return None


def clicked(request: Request, services: Services, product_id: str) -> None:
    """Records the click a product page was opened by (its `imp` and `pos`), if any; for a signed-in shopper
    also a `view` event (the feedback loop)."""
    impression_id, position = request.query_params.get("imp"), request.query_params.get("pos", "")
    if not impression_id or not position.isdigit() or len(impression_id) > 64:
        return
    try:
        if not services.impressions.click(impression_id, product_id=product_id, position=int(position)):
            return
        customer_id = _shopper_id(request, services)
        if customer_id is None:
            return
        row = {"event_id": uuid.uuid4().hex, "customer_id": customer_id, "product_id": product_id,
               "timestamp": dt.datetime.now(dt.UTC).replace(tzinfo=None), "event_type": "view",
               "session_id": visitor_id(request)}  # fmt: skip
        services.store.upsert_records(Table.EVENTS, [row])
        services.events_recorded([row])
    except (Llm4RetailError, sa.exc.SQLAlchemyError) as error:
        logger.warning("click not recorded: %s", error)


def model_label(capability: str, version: str | None) -> str:
    """`search/v0003`: the capability and the served version that ranked a list."""
    return f"{capability}/{version or 'unversioned'}"
