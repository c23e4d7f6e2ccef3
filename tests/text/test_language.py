import pytest

from llm4retail.text.language import MIXED_TEXT_SHARE, Language, detect_language, has_cjk
from llm4retail.text.tokenize import words

pytestmark = pytest.mark.unit


def test_any_cjk_character_makes_a_message_chinese() -> None:
    assert detect_language("order o000123 退货") is Language.CHINESE
    assert detect_language("") is Language.ENGLISH and not has_cjk("")


def test_reviews_need_a_tenth_of_the_letters_to_be_chinese() -> None:
    long_english = "the sofa arrived quickly and the fabric feels great 好"
    assert detect_language(long_english) is Language.CHINESE
    assert detect_language(long_english, min_cjk_share=MIXED_TEXT_SHARE) is Language.ENGLISH
    assert detect_language("质量很好 ok", min_cjk_share=MIXED_TEXT_SHARE) is Language.CHINESE


def test_words_segment_chinese_and_split_latin_runs() -> None:
    assert words("物流很快 Great value!") == ["物流", "很快", "great", "value"]
