"""The assistant's intents and the mapping of public label sets onto them."""

from __future__ import annotations

from enum import StrEnum

import pandas as pd

from llm4retail.text.language import detect_language


class Intent(StrEnum):
    """What a shopper wants from one message."""

    ORDER_STATUS = "order_status"
    RETURN_EXCHANGE = "return_exchange"
    REFUND = "refund"
    SHIPPING = "shipping"
    PAYMENT = "payment"
    ACCOUNT = "account"
    PRODUCT_QUESTION = "product_question"
    PRODUCT_SEARCH = "product_search"
    COMPLAINT = "complaint"
    HUMAN_REQUEST = "human_request"
    CHIT_CHAT = "chit_chat"
    OTHER = "other"


BITEXT_TO_INTENT: dict[str, Intent] = {
    "track_order": Intent.ORDER_STATUS,
    "cancel_order": Intent.ORDER_STATUS,
    "change_order": Intent.ORDER_STATUS,
    "check_cancellation_fee": Intent.ORDER_STATUS,
    "place_order": Intent.PRODUCT_SEARCH,
    "get_refund": Intent.REFUND,
    "track_refund": Intent.REFUND,
    "check_refund_policy": Intent.REFUND,
    "change_shipping_address": Intent.SHIPPING,
    "set_up_shipping_address": Intent.SHIPPING,
    "delivery_options": Intent.SHIPPING,
    "delivery_period": Intent.SHIPPING,
    "payment_issue": Intent.PAYMENT,
    "check_payment_methods": Intent.PAYMENT,
    "check_invoice": Intent.PAYMENT,
    "check_invoices": Intent.PAYMENT,
    "get_invoice": Intent.PAYMENT,
    "create_account": Intent.ACCOUNT,
    "delete_account": Intent.ACCOUNT,
    "edit_account": Intent.ACCOUNT,
    "recover_password": Intent.ACCOUNT,
    "registration_problems": Intent.ACCOUNT,
    "switch_account": Intent.ACCOUNT,
    "newsletter_subscription": Intent.ACCOUNT,
    "complaint": Intent.COMPLAINT,
    "review": Intent.OTHER,
    "contact_customer_service": Intent.HUMAN_REQUEST,
    "contact_human_agent": Intent.HUMAN_REQUEST,
}
"""Bitext customer-support intents (both sample files) -> assistant intents.

Asking for customer service or a human is a hand-off request; cancelling or changing an
order is handled with the order (its status decides what is possible); placing an order
starts a product search; a review is feedback the assistant only acknowledges.
"""


def to_assistant_intents(frame: pd.DataFrame) -> pd.DataFrame:
    """Utterances whose labels are assistant intents or Bitext intents, relabelled as assistant intents.

    Rows with any other label are dropped (they belong to another label set).

    Args:
        frame: an utterances frame (`text`, `intent`, optionally `language`).

    Returns:
        `text`, `intent` (an `Intent` value) and `language` ("en"/"zh", detected when absent).
    """
    known = {intent.value: intent.value for intent in Intent} | {k: v.value for k, v in BITEXT_TO_INTENT.items()}
    labels = frame["intent"].astype(str).str.strip().str.lower().map(known)
    kept = frame.loc[labels.notna(), ["text"]].copy()
    kept["intent"] = labels[labels.notna()].to_numpy()
    kept["language"] = [detect_language(str(text)).value for text in kept["text"]]
    return kept.reset_index(drop=True)
