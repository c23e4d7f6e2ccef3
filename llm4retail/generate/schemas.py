"""What generation returns: product copy and campaign messages (Pydantic, as they cross the API and CLI)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from llm4retail.text.language import Language


class Tone(StrEnum):
    """How product copy sounds."""

    NEUTRAL = "neutral"
    FRIENDLY = "friendly"
    PREMIUM = "premium"


class Channel(StrEnum):
    """Where a campaign message goes: an email (subject and body) or a short push notification or SMS."""

    EMAIL = "email"
    PUSH = "push"
    SMS = "sms"


class ProductCopy(BaseModel):
    """A product's title, description and bullet points, every fact in them checked against its record."""

    product_id: str
    language: Language
    tone: Tone
    title: str
    description: str
    bullets: list[str] = Field(min_length=3, max_length=5)
    backend: str = Field(description="what wrote it: template, local or endpoint")
    attempts: int = Field(description="model drafts tried (0 for the template)")
    rejected: list[str] = Field(
        default_factory=list, description="why earlier drafts were refused (unsupported claims)"
    )
    seconds: float = 0.0

    def text(self) -> str:
        """Everything the copy says, for the checks."""
        return "\n".join([self.title, self.description, *self.bullets])


class CampaignMessage(BaseModel):
    """One variant of a customer's campaign message."""

    customer_id: str
    segment: str | None = None
    purchase_probability: float | None = None
    channel: Channel
    variant: str = Field(description="A or B")
    language: Language
    subject: str = Field("", description="email subject (empty for push and SMS)")
    body: str
    product_ids: list[str]
    prices: list[str] = Field(description="the named products' prices as stated, e.g. 'USD 117.99'")
    backend: str
    seconds: float = 0.0

    def text(self) -> str:
        """Everything the message says, for the checks."""
        return f"{self.subject}\n{self.body}".strip()
