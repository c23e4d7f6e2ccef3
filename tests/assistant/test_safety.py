"""Personal data masking and the sentiment/abuse lexicon."""

from __future__ import annotations

import pytest

from llm4retail.assistant.safety import mask_pii, read_sentiment

pytestmark = pytest.mark.unit


def test_masks_phones_emails_cards_and_ids_but_not_orders_or_public_contacts() -> None:
    text = ("call 13912345678 or +1 415-555-0134, mail bob@example.com, card 4111 1111 1111 1111, "
            "id 11010519491231002X, order o000123, parcel SF1234567890, shop 400-820-8820")
    masked = mask_pii(text, keep=["400-820-8820"])
    assert masked == ("call [phone] or [phone], mail [email], card [card ****1111], id [id number], "
                      "order o000123, parcel SF1234567890, shop 400-820-8820")


def test_a_digit_run_failing_the_luhn_check_is_not_a_card() -> None:
    assert mask_pii("ref 1234 5678 9012 3456") == "ref 1234 5678 9012 3456"


@pytest.mark.parametrize(("text", "strong", "abusive"), [
    ("This is the worst service ever, I am furious!!!", True, False),
    ("你们太差劲了，气死我了", True, False),
    ("the item arrived damaged", False, False),
    ("我有点失望", False, False),
    ("you stupid bot", False, True),
    ("傻逼客服", False, True),
])
def test_sentiment(text: str, strong: bool, abusive: bool) -> None:
    sentiment = read_sentiment(text)
    assert sentiment.strongly_negative is strong
    assert sentiment.abusive is abusive
