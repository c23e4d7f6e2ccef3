"""Wording of facts in both languages: product nouns learned from a store's Chinese titles, English nouns."""

from __future__ import annotations

import pytest

from llm4retail.generate.glossary import english_noun, learn_chinese_nouns, value_in
from llm4retail.text.language import Language

pytestmark = pytest.mark.unit


def test_chinese_nouns_come_from_the_stores_titles() -> None:
    titles = {
        "Home > Storage > Storage Baskets": [
            "Nordhaus 黄色纯棉收纳筐 大号",
            "Casa 经典藤编收纳筐 小号",
            "Hearthly 白色黄麻收纳筐",
        ],
        "Fashion > Men > Jeans": [
            "Crescent 白色牛仔牛仔裤 36",
            "Linea 黑色弹力牛仔牛仔裤 30",
            "Maple 蓝色牛仔牛仔裤 28",
        ],
        "Kitchen > Tableware > Mugs": ["Bambu 白色陶瓷马克杯 350ml", "Bambu 红色玻璃马克杯"],
    }

    nouns = learn_chinese_nouns(titles)

    assert nouns == {"Home > Storage > Storage Baskets": "收纳筐", "Fashion > Men > Jeans": "牛仔裤",
                     "Kitchen > Tableware > Mugs": "马克杯"}  # fmt: skip


@pytest.mark.parametrize(("category", "noun"), [("Home > Storage > Bookshelves", "bookshelf"), ("Fashion > Men > Jeans", "jeans"),
                                                ("Electronics > Mice", "mouse"), ("Fashion > Women > Dresses", "dress")])  # fmt: skip
def test_english_nouns_are_singular(category: str, noun: str) -> None:
    assert english_noun(category) == noun


def test_values_are_translated_or_kept() -> None:
    assert value_in("navy", Language.CHINESE) == "藏青色"
    assert value_in("500ml", Language.CHINESE) == "500ml"
    assert value_in("navy", Language.ENGLISH) == "navy"
