"""Transcripts made into queries: simplified Chinese, numbers as digits, sound-alike catalog words."""

from __future__ import annotations

import pytest

from llm4retail.voice.normalise import english_numbers, normalise_transcript
from llm4retail.voice.phonetic import CatalogVocabulary
from llm4retail.voice.speech import chinese_for_speech, chinese_numeral, pinyin_for_speech


@pytest.mark.parametrize(
    ("heard", "language", "expected"),
    [
        ("紅色跑鞋，五百塊以內。", "zh", "红色跑鞋 五百块以内"),  # traditional -> simplified, punctuation gone
        ("Red running shoes under fifty dollars.", "en", "Red running shoes under 50 dollars"),
        ("A sofa between two hundred and fifty and four hundred dollars", "en", "A sofa between 250 and 400 dollars"),
        ("Add the third one to my cart.", "en", "Add the third one to my cart"),  # ordinals point at a list
        ("under 19.99 dollars.", "en", "under 19.99 dollars"),
    ],
)
def test_normalise_transcript(heard: str, language: str, expected: str) -> None:
    assert normalise_transcript(heard, language) == expected


def test_one_and_second_stay_words() -> None:
    assert english_numbers("the second order I made, one more") == "the second order I made, one more"


@pytest.fixture(scope="module")
def vocabulary() -> CatalogVocabulary:
    titles = ["红色跑鞋 男款", "轻便跑鞋 女款", "复古衬衫 纯棉", "纯棉衬衫 复古", "铸铁哑铃 5kg", "铸铁哑铃 10kg",
              "Running shoes red", "Trail running shoes", "Leather handbag", "Canvas handbag"]  # fmt: skip
    return CatalogVocabulary.build(titles)


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("我想买一款红色包鞋", "我想买一款红色跑鞋"),  # bao/pao: aspiration
        ("复古神残", "复古衬衫"),  # shen can / chen shan: retroflex and sibilant confusions
        ("主帝亚丽", "铸铁哑铃"),  # a near match of a compound of two catalog words
        ("复古衬衫", "复古衬衫"),  # catalog words pass unchanged
        ("我想查一下订单", "我想查一下订单"),  # request words are never replaced
    ],
)
def test_chinese_sound_alikes_become_catalog_words(vocabulary: CatalogVocabulary, heard: str, expected: str) -> None:
    assert vocabulary.correct(heard, "zh") == expected


def test_english_sound_alikes(vocabulary: CatalogVocabulary) -> None:
    assert vocabulary.correct("red running shoes", "en") == "red running shoes"
    assert vocabulary.correct("leather handbeg", "en") == "leather handbag"  # same Metaphone, close spelling
    assert vocabulary.correct("find me a handbag under 50", "en") == "find me a handbag under 50"


def test_words_in_one_product_only_are_no_targets() -> None:
    vocabulary = CatalogVocabulary.build(["红色跑鞋"])  # every word occurs once: nothing to correct towards
    assert vocabulary.correct("红色包鞋", "zh") == "红色包鞋"


@pytest.mark.parametrize(
    ("digits", "spoken"),
    [("750", "七百五十"), ("10", "十"), ("15", "十五"), ("105", "一百零五"), ("1005", "一千零五"),
     ("15000", "一万五千"), ("100005", "十万零五"), ("1.5", "一点五"), ("0", "零")],
)  # fmt: skip
def test_chinese_numerals(digits: str, spoken: str) -> None:
    assert chinese_numeral(digits) == spoken


def test_chinese_speech_text() -> None:
    assert chinese_for_speech("咖啡豆 1kg") == "咖啡豆 一公斤"
    assert pinyin_for_speech("跑鞋 500元") == "pao3 xie2 wu3 bai3 yuan2"
