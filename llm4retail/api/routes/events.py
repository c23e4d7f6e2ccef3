"""Batch event ingestion: the feedback loop the models learn from."""

# No `from __future__ import annotations`: FastAPI must see the event model at import time.
import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from llm4retail.access import Level
from llm4retail.api.deps import OwnerCaller, ServicesDep, SettingsDep, StaffAccess, StoreDep
from llm4retail.api.routes.records import WriteResult, check_batch_size, record_router
from llm4retail.data.schemas import Table, record_model

EventIn = record_model(Table.EVENTS)
router = APIRouter(tags=["events"])


def event_router(*, page_size_limit: int) -> APIRouter:
    """`POST /events` and the listing routes of the events table (`GET /events`, `GET /events/{key}`)."""
    listing = record_router(
        Table.EVENTS, filters=("customer_id", "product_id", "event_type"), writable=False,
        read=Level.OWNER, owner_column="customer_id", page_size_limit=page_size_limit,
    )
    combined = APIRouter()
    combined.include_router(listing)
    combined.include_router(router)
    return combined


def prepare_events(events: list[Any], *, received_at: dt.datetime) -> list[dict[str, Any]]:
    """Rows for the store: a random `event_id` where none is given, and the receipt time where
    neither `timestamp` nor `seq` is (a live event happens when it is posted)."""
    rows = []
    for event in events:
        row = event.model_dump()
        row["event_id"] = row.get("event_id") or uuid.uuid4().hex
        if row.get("timestamp") is None and row.get("seq") is None:
            row["timestamp"] = received_at
        rows.append(row)
    return rows


@router.post("/events", response_model=WriteResult, summary="Ingest a batch of events")
def ingest_events(
    principal: OwnerCaller,
    events: Annotated[list[EventIn], Body(description="view, add_to_cart, purchase ... events")],  # type: ignore[valid-type]
    store: StoreDep,
    settings: SettingsDep,
    services: ServicesDep,
) -> WriteResult:
    """Store a batch of events in one transaction; a batch with one bad event writes nothing (422).

    Posting the same `event_id` twice keeps one event (idempotent retries). A customer token posts only
    its own customer's events (403 for any other `customer_id`); an admin key posts any."""
    check_batch_size(len(events), settings.api.max_batch_rows)
    if not principal.sees_everyone:
        for event in events:
            principal.require_owner(event.customer_id, write=True)
    received_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = prepare_events(events, received_at=received_at)
    written = store.upsert_records(Table.EVENTS, rows)
    services.events_recorded(rows)  # the feedback loop: every built service that learns from events
    return WriteResult(written=written)


@router.get("/evaluation/online", summary="Online evaluation from storefront traffic", dependencies=[StaffAccess])
def online_evaluation(
    services: ServicesDep, days: Annotated[int, Query(ge=1, le=365, description="the last days counted")] = 14
) -> dict[str, Any]:
    """Per surface (search, similar, bought_together, for_you), model version and day: lists shown, click-through
    rate with its 90% Wilson interval, clicks per list, and the add-to-cart rate of signed-in shoppers' lists
    (an add_to_cart or purchase of a shown product within a day)."""
    return {"days": days, "rows": services.online_evaluation(days=days)}
