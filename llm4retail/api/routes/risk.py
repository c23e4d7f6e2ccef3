"""Payment risk routes: score one payment in real time."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from llm4retail.api.deps import AdminAccess, ServicesDep
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
