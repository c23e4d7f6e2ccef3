"""The payment a caller asks to score (API body and library input), validated at the edge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from llm4retail.data.schemas import to_naive_utc
from llm4retail.errors import DataValidationError
from llm4retail.risk.currencies import check_currency

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


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

    payment_id: str | None = Field(None, min_length=1, max_length=200)
    amount: float = Field(ge=0, allow_inf_nan=False, description="payment amount, not negative")
    currency: Annotated[str, AfterValidator(_currency)] = Field(description="ISO 4217 code, e.g. EUR")
    timestamp: Annotated[dt.datetime, AfterValidator(to_naive_utc)] | None = None
    customer_id: str | None = Field(None, min_length=1, max_length=200)
    order_id: str | None = Field(None, min_length=1, max_length=200)
    device_id: str | None = Field(None, min_length=1, max_length=200)
    country: str | None = Field(None, pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2")
    features: dict[str, FiniteFloat] = Field(default_factory=dict, max_length=500)

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
