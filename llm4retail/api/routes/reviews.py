"""Review analytics and attribute extraction routes."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

router = APIRouter(tags=["reviews"])


class AnalyzeRequest(BaseModel):
    """Review texts to analyse."""

    texts: list[Annotated[str, Field(min_length=1, max_length=20_000)]] = Field(min_length=1, max_length=500)


class ProductText(BaseModel):
    """A product's title and optional description."""

    title: str = Field(min_length=1, max_length=2_000)
    description: str | None = Field(None, max_length=50_000)


class ExtractRequest(BaseModel):
    """Products whose attributes to extract."""

    products: list[ProductText] = Field(min_length=1, max_length=500)


def _service(request: Request) -> Any:
    return request.app.state.reviews


@router.post("/reviews/analyze", summary="Sentiment and aspects of review texts")
def analyze(body: Annotated[AnalyzeRequest, Body()], request: Request) -> dict[str, Any]:
    """Per text: positive probability, sentiment, language and aspect mentions with evidence spans."""
    return _service(request).analyze(body.texts)


@router.get("/products/{product_id}/reviews/summary", summary="Review summary of a product")
def summary(product_id: str, request: Request) -> dict[str, Any]:
    """Aspect breakdown, representative quotes and a short synthesis; 404 for an unknown product."""
    return _service(request).summary(product_id).as_dict()


@router.post("/products/extract-attributes", summary="Attributes from titles and descriptions")
def extract_attributes(body: Annotated[ExtractRequest, Body()], request: Request) -> dict[str, Any]:
    """Brand, colour, capacity and other attributes per product (trained extractor, else untrained rules)."""
    return _service(request).extract_attributes([(item.title, item.description) for item in body.products])
