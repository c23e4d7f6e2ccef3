"""Review analytics routes: sentiment and aspects of texts, a product's review summary, the store's analytics."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from llm4retail.api.deps import PublicAccess, ServicesDep, StaffAccess

router = APIRouter(tags=["reviews"], dependencies=[PublicAccess])


class AnalyzeRequest(BaseModel):
    """Review texts to analyse."""

    texts: list[Annotated[str, Field(min_length=1, max_length=20_000)]] = Field(min_length=1, max_length=500)


@router.post("/reviews/analyze", summary="Sentiment and aspects of review texts")
def analyze(body: Annotated[AnalyzeRequest, Body()], services: ServicesDep) -> dict[str, Any]:
    """Per text: positive probability, sentiment, language and aspect mentions with evidence spans.

    Without a trained sentiment model the answer is 503 (run `llm4retail reviews train`).
    """
    return services.reviews.analyze(body.texts)


@router.get("/products/{product_id}/reviews/summary", summary="Review summary of a product")
def summary(product_id: str, services: ServicesDep) -> dict[str, Any]:
    """Aspect breakdown, representative quotes and a short synthesis; 404 for an unknown product.

    Without a trained sentiment model the answer is 503 (run `llm4retail reviews train`).
    """
    return services.reviews.summary(product_id).as_dict()


staff_router = APIRouter(tags=["reviews"], dependencies=[StaffAccess])


@staff_router.get("/reviews/analytics", summary="Sentiment and aspects of the store's reviews")
def analytics(services: ServicesDep) -> dict[str, Any]:
    """Every review of the store scored by the served sentiment model: the positive share overall, per aspect
    (mentions, positive share, an example of each polarity), per top-level category (with its most mentioned
    aspects) and per month. Computed once per model version and reviews table.

    Without a trained sentiment model the answer is 503 (run `llm4retail reviews train`).
    """
    return services.reviews.analytics()
