"""The grounding check."""

from __future__ import annotations

import pytest

from llm4retail.llm.grounding import ValueLexicon, check_grounding, check_values, missing_essentials, read_claims

pytestmark = pytest.mark.unit
FACTS = [
    "Order o000123 was placed on 2026-10-05; status: shipped (shipping: in transit); total 1,299.00 USD; tracking code 1Z2CP1Y4RF38A74X8X.",
    "You can return most items within 30 days of delivery for a full refund.",
]


def test_the_same_values_in_other_spellings_are_grounded() -> None:
    answer = "Your order o000123 from 2026年10月5日 has shipped and is in transit; it cost $1299 and can be returned within 30 days [1][2]."
    assert check_grounding(answer, FACTS).grounded


@pytest.mark.parametrize(("answer", "unsupported"), [
    ("It will arrive in 3 days.", ("number 3",)),
    ("Your order o000123 was delivered.", ("status delivered",)),
    ("订单o000999已发货。", ("id o000999",)),
    ("It was ordered on 2026-10-06.", ("date 2026-10-06",)),
])
def test_invented_values_are_caught(answer: str, unsupported: tuple[str, ...]) -> None:
    result = check_grounding(answer, FACTS)
    assert not result.grounded and result.unsupported == unsupported


def test_claims_in_chinese_text() -> None:
    claims = read_claims("订单o002186于2026-10-02下单，状态：已签收，金额2338.00 CNY，至少可到2026-11-01。")
    assert claims.identifiers == {"o002186"} and claims.statuses == {"delivered"}
    assert claims.dates == {(2026, 10, 2), (2026, 11, 1)} and claims.numbers == {2338.0}


def test_attribute_values_must_be_the_records() -> None:
    lexicon = ValueLexicon({"red": "red", "红色": "red", "white": "white", "白色": "white", "steel": "steel",
                            "stainless steel": "stainless steel"})  # fmt: skip

    assert check_values("A white mug in stainless steel.", lexicon=lexicon, allowed={"white", "stainless steel"}).grounded
    result = check_values("红色不锈钢杯，也有 red 款", lexicon=lexicon, allowed={"white"})
    assert result.unsupported == ("value red",)
    assert check_values("a shredded steel-free text", lexicon=lexicon, allowed=set()).unsupported == ("value steel",)
    assert check_values("shredded wheat", lexicon=lexicon, allowed=set()).grounded  # whole words only


ORDER_FACTS = ["Order o000123 was placed on 2026-10-05; status: shipped; total 59.90 USD; tracking SF1234567890."]


@pytest.mark.parametrize(("question", "answer", "missing"), [
    ("how much was it?", "It cost 59.90 USD.", ()),  # the amount asked for is all it needs
    ("那一单花了多少钱", "这单总价59.90美元。", ()),
    ("when did I order it?", "You placed it on 2026-10-05.", ()),
    ("when did I order it?", "It is on its way.", ("a date of the facts",)),
    ("where is my order?", "Order o000123 has shipped, tracking SF1234567890.", ()),
    ("where is my order?", "It cost 59.90 USD.", ("status shipped", "id o000123", "id sf1234567890")),
    ("hi, order o000123 please", "It has shipped.", ("id o000123", "id sf1234567890", "price 59.9")),  # nothing asked: all
    ("when will it arrive and how much was it?", "It has shipped.", ("id o000123", "id sf1234567890", "price 59.9")),
])
def test_what_an_answer_must_carry_follows_what_was_asked(question: str, answer: str, missing: tuple[str, ...]) -> None:
    assert missing_essentials(answer, ORDER_FACTS, question=question) == missing
    assert set(missing_essentials(answer, ORDER_FACTS)) >= set(missing) - {"a date of the facts"}  # no question: everything
