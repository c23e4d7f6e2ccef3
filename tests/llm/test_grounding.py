"""The grounding check."""

from __future__ import annotations

import pytest

from llm4retail.llm.grounding import ValueLexicon, check_grounding, check_values, read_claims

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
