"""Generated content routes (staff): a product's grounded copy, and campaign messages for an audience."""

# No `from __future__ import annotations`: FastAPI reads the annotations at import time.
from typing import Annotated

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from llm4retail.api.deps import ServicesDep, StaffAccess
from llm4retail.generate.schemas import CampaignMessage, Channel, ProductCopy, Tone
from llm4retail.llm.backends import BackendKind
from llm4retail.marketing.rfm import Segment
from llm4retail.text.language import Language

router = APIRouter(tags=["generate"], dependencies=[StaffAccess])
MAX_CUSTOMERS = 500


class CopyRequest(BaseModel):
    """How to write a product's copy."""

    language: Language | None = Field(None, description="zh or en; default: the product's own language")
    tone: Tone = Tone.NEUTRAL
    backend: BackendKind = Field(
        BackendKind.AUTO, description="auto: the configured endpoint, else the local model, else templates"
    )


class CampaignRequest(BaseModel):
    """The audience and channel of a campaign."""

    segments: list[Segment] | None = Field(None, description="RFM segments; default: every customer")
    channel: Channel = Channel.EMAIL
    min_purchase_probability: float | None = Field(None, ge=0, le=1)
    limit: int = Field(100, ge=1, le=MAX_CUSTOMERS, description="at most this many customers, highest CLV first")
    backend: BackendKind = BackendKind.AUTO


class CampaignResponse(BaseModel):
    """Two variants (A/B) per customer."""

    messages: list[CampaignMessage]


@router.post("/products/{product_id}/copy", summary="Grounded product copy")
def product_copy(
    product_id: str, services: ServicesDep, body: Annotated[CopyRequest, Body()] = CopyRequest()
) -> ProductCopy:
    """A title, a description and 3-5 bullets from the product's attributes, category and what its reviewers
    praise; every number, attribute value and claim is checked against the record (a model draft that fails is
    replaced by the template copy). 404 for an unknown product, 422 for an unknown language or tone."""
    return services.generate.copy(product_id, language=body.language, tone=body.tone, backend=body.backend)


@router.post("/campaigns/messages", summary="Campaign messages for an audience (A/B)")
def campaign_messages(body: Annotated[CampaignRequest, Body()], services: ServicesDep) -> CampaignResponse:
    """Per customer of the audience (segment × purchase probability), two checked variants of an email or a short
    push/SMS text naming products recommended for them with their catalog prices, in the customer's language.
    503 before `llm4retail segments train` or `recommend train`."""
    messages = services.generate.campaign(body.segments, channel=body.channel, limit=body.limit, backend=body.backend,
                                          min_purchase_probability=body.min_purchase_probability)  # fmt: skip
    return CampaignResponse(messages=list(messages))
