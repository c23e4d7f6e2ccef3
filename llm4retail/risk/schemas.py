"""The payment a caller asks to score (API body and library input), validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from llm4retail.data.bounds import MAX_ID_LENGTH, Instant, Number, safe_text
from llm4retail.errors import DataValidationError
from llm4retail.risk.currencies import check_currency

Id = safe_text(min_length=1, max_length=MAX_ID_LENGTH)


def _currency(value: str) -> str:
    try:
        return check_currency(value)
    except DataValidationError as error:
        raise ValueError(str(error)) from None


class PaymentRequest(BaseModel):
    """One payment to score.

    `amount` and `currency` are required; a timestamp defaults to now (UTC). `device_id`
    and `country` feed the new-device and new-country features; `features` carries any
    other numeric signals the model was trained with.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    payment_id: Id | None = None
    amount: Annotated[Number, Field(ge=0)] = Field(description="payment amount, not negative")
    currency: Annotated[str, Field(max_length=3), AfterValidator(_currency)] = Field(description="ISO 4217 code, e.g. EUR")
    timestamp: Instant | None = None
    customer_id: Id | None = None
    order_id: Id | None = None
    device_id: Id | None = None
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2")
    features: dict[Annotated[str, Field(max_length=200)], Number] = Field(default_factory=dict, max_length=500)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    def seconds(self) -> float:
        """Unix seconds of the payment (now when no timestamp was given)."""
        stamp = self.timestamp or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return (stamp - dt.datetime(1970, 1, 1)).total_seconds()


def parse_payment(data: PaymentRequest | dict[str, Any]) -> PaymentRequest:
    """A validated payment from a model or a plain mapping.

    Raises:
        DataValidationError: naming each bad field (unknown currency, negative amount, missing field ...).
    """
    if isinstance(data, PaymentRequest):
        return data
    try:
        return PaymentRequest.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'payment'}: {item['msg']}"
            for item in error.errors(include_input=False)
        )
        raise DataValidationError(f"invalid payment: {problems}") from None
