"""ISO 4217 currency codes in circulation (the list the payment validators accept): those of `llm4retail.data.currency`."""

from __future__ import annotations

from llm4retail.data.currency import ISO_4217, check_currency

__all__ = ["ISO_4217", "check_currency"]
