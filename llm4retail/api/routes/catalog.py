"""Catalog routes: attributes extracted from product titles and descriptions."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from llm4retail.api.deps import ServicesDep, StaffAccess

router = APIRouter(tags=["catalog"], dependencies=[StaffAccess])


class ProductText(BaseModel):
    """A product's title and optional description."""

    title: str = Field(min_length=1, max_length=2_000)
    description: str | None = Field(None, max_length=50_000)


class ExtractRequest(BaseModel):
    """Products whose attributes to extract."""

    products: list[ProductText] = Field(min_length=1, max_length=500)


@router.post("/products/extract-attributes", summary="Attributes from titles and descriptions")
def extract_attributes(body: Annotated[ExtractRequest, Body()], services: ServicesDep) -> dict[str, Any]:
    """Brand, colour, capacity and the other attributes the trained extractor learned, per product.

    Without a trained extractor the answer is 503 (run `llm4retail catalog train`).
    """
    return services.catalog.extract([(item.title, item.description) for item in body.products])
