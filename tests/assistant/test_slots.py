"""Slot extraction in English and Chinese."""

from __future__ import annotations

import pytest

from llm4retail.assistant.slots import OrderIdFormat, SlotExtractor

pytestmark = pytest.mark.unit
TITLES = ["Aster Grey Fabric Sofa", "Crescent Vintage White Denim Jeans 36", "Pinecrest Home 经典黄色纯棉收纳筐 大号", "Velocita 专业针织跑步鞋 39 黄色"]


@pytest.fixture(scope="module")
def extractor() -> SlotExtractor:
    return SlotExtractor(order_ids=["o000123", "o004567"], titles=TITLES, brands=["Aster", "Crescent", "Velocita"])


@pytest.mark.parametrize(("text", "expected"), [
    ("where is my order o000123?", {"order_id": "o000123"}),
    ("where is my order 10234?", {"order_id": "10234"}),
    ("订单号：A10234 到哪了", {"order_id": "A10234"}),
    ("我的订单o004567到哪了", {"order_id": "o004567"}),
    ("track 1Z2CP1Y4RF38A74X8X please", {"tracking_code": "1Z2CP1Y4RF38A74X8X"}),
    ("物流单号SF1234567890", {"tracking_code": "SF1234567890"}),
    ("推荐一个200元以内送爸爸的礼物", {"price_limit": 200.0}),
    ("show me a sofa under $500", {"product": "sofa", "price_limit": 500.0}),
    ("is the grey fabric sofa available in red and how much?", {"product": "grey fabric sofa", "colour": "red"}),
    ("white denim jeans in size 34?", {"product": "white denim jeans", "size": "34"}),
    ("我想把黄色纯棉收纳筐换成蓝色的", {"product": "黄色纯棉收纳筐", "colour": "blue"}),
    ("专业针织跑步鞋有42码吗", {"product": "专业针织跑步鞋", "size": "42"}),
    ("能退货吗？我上周买的鞋子太小了", {}),
])
def test_slots(extractor: SlotExtractor, text: str, expected: dict) -> None:
    assert extractor.extract(text).as_dict() == expected


def test_order_format_is_learnt_from_the_store() -> None:
    pattern = OrderIdFormat.from_ids(["o000001", "o000002", "x12"]).pattern
    assert pattern.search("is o000042 here") and not pattern.search("o00004") and not pattern.search("po0000421")
    assert not OrderIdFormat.from_ids(["10001", "10002"]).pattern.search("10001")  # bare numbers need an order word


def test_product_positions_point_at_the_titles(extractor: SlotExtractor) -> None:
    assert extractor.product_positions("white denim jeans") == {1}
    assert extractor.product_positions("纯棉收纳筐") == {2}
