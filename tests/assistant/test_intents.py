"""Intent mapping and language detection."""

from __future__ import annotations

import pandas as pd
import pytest

from llm4retail.assistant.intents import BITEXT_TO_INTENT, Intent, to_assistant_intents
from llm4retail.text.language import Language, detect_language

pytestmark = pytest.mark.unit


def test_bitext_labels_map_onto_assistant_intents_and_unknown_labels_are_dropped() -> None:
    frame = pd.DataFrame({
        "text": ["where is my parcel", "I want to speak to a person", "退款要多久", "what's the weather"],
        "intent": ["track_order", "contact_human_agent", "refund", "weather_forecast"],
    })
    mapped = to_assistant_intents(frame)
    assert mapped["intent"].tolist() == ["order_status", "human_request", "refund"]
    assert mapped["language"].tolist() == ["en", "en", "zh"]


def test_every_bitext_intent_of_both_files_is_mapped() -> None:
    assert len(BITEXT_TO_INTENT) == 28  # 27 intents, check_invoice spelt two ways
    assert set(BITEXT_TO_INTENT.values()) <= set(Intent)


@pytest.mark.parametrize(("text", "language"), [("能退货吗", Language.CHINESE), ("order o000123 退货", Language.CHINESE), ("hello", Language.ENGLISH), ("", Language.ENGLISH)])
def test_language_is_chinese_when_any_cjk_character_appears(text: str, language: Language) -> None:
    assert detect_language(text) is language
