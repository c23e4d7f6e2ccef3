"""Payment risk routes: score one payment in real time; the review queue and the labels people give."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from llm4retail.api.deps import AdminAccess, ServicesDep, StaffAccess
from llm4retail.risk.batch import ReviewItem
from llm4retail.risk.schemas import PaymentRequest

router = APIRouter(tags=["risk"])


@router.post("/payments/score", summary="Score a payment", dependencies=[AdminAccess])
def score_payment(
    body: Annotated[PaymentRequest, Body()],
    services: ServicesDep,
    record: Annotated[bool, Query(description="add the payment to the customer's velocity state")] = True,
) -> dict[str, Any]:
    """Risk score in [0, 1], decision (approve/review/decline), reason codes and fired rules.

    The customer's velocity state (in-process, or Redis with LLM4RETAIL_RISK__REDIS_URL)
    is updated unless `record=false`. Bad input (unknown currency, negative amount,
    missing field) gets 422 and is never scored. Without a trained model the service raises
    `NotTrainedError` (run `llm4retail risk train`).
    """
    return services.risk.score(body, record=record).as_dict()


class ReviewQueue(BaseModel):
    """Payments to review, highest score first."""

    items: list[ReviewItem]


class PaymentLabel(BaseModel):
    """A person's verdict on a payment."""

    fraud: bool = Field(description="true: fraud (label 1); false: legitimate (label 0)")


@router.get("/payments/review-queue", summary="Payments to review", dependencies=[StaffAccess])
def payment_review_queue(
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    unlabelled_only: Annotated[bool, Query(description="leave out payments that already carry a label")] = False,
) -> ReviewQueue:
    """The store's payments the served model sends to review or decline, highest score first, with reason codes
    and their label so far. Labels set with `POST /payments/{payment_id}/label` train the next model."""
    return ReviewQueue(items=services.risk.review_queue(limit=limit, unlabelled_only=unlabelled_only))


@router.post("/payments/{payment_id}/label", summary="Label a payment fraud or legitimate", dependencies=[StaffAccess])
def label_payment(payment_id: str, body: Annotated[PaymentLabel, Body()], services: ServicesDep) -> dict[str, Any]:
    """Stores the verdict as the payment's `label` (1 fraud, 0 legitimate), which the next `llm4retail risk train`
    learns from; answers the payment as stored (404 for an unknown id)."""
    return services.risk.label(payment_id, fraud=body.fraud)
