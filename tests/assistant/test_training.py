"""The seed set, its augmentation and the training-set builder."""

from __future__ import annotations

import pandas as pd
import pytest

from llm4retail.assistant.intents import Intent
from llm4retail.assistant.training import SlotFillers, augment, build_training_set, cap_per_intent, load_seeds

pytestmark = pytest.mark.unit


def test_seed_set_covers_every_intent_in_both_languages() -> None:
    seeds = load_seeds()
    counts = seeds.groupby(["intent", "language"]).size()
    for intent in Intent:
        assert counts[(intent.value, "zh")] >= 8, intent
        assert counts[(intent.value, "en")] >= 4, intent


def test_augmentation_fills_every_placeholder_and_groups_variants() -> None:
    seeds = pd.DataFrame({"text": ["where is {order_id}", "{product}多少钱"], "intent": ["order_status", "product_question"], "language": ["en", "zh"]})
    fillers = SlotFillers(order_ids=["o000042"], products={"en": ["sofa"], "zh": ["沙发"]})
    frame = augment(seeds, fillers=fillers, copies=5)
    assert not frame["text"].str.contains(r"\{").any()
    assert frame.loc[frame["language"] == "en", "text"].str.contains("o000042").all()
    assert frame.loc[frame["language"] == "zh", "text"].str.contains("沙发").all()
    assert set(frame["group"]) == {"seed:0", "seed:1"}
    assert frame["text"].is_unique


def test_fillers_from_catalog_take_chinese_names_and_english_type_words() -> None:
    products = pd.DataFrame({"title": ["Pinecrest Home 经典黄色纯棉收纳筐 大号", "Crescent Vintage White Denim Jeans 36"], "brand": ["Pinecrest Home", "Crescent"]})
    fillers = SlotFillers.from_catalog(products, pd.DataFrame({"order_id": ["o000001"]}))
    assert fillers.products["zh"] == ["经典黄色纯棉收纳筐"]
    assert fillers.products["en"] == ["white denim jeans"]
    assert fillers.order_ids == ["o000001"]


def test_training_set_maps_labelled_rows_and_caps_large_intents() -> None:
    labelled = pd.DataFrame({"text": [f"track my order number {i}" for i in range(50)] + ["delete my account"], "intent": ["track_order"] * 50 + ["delete_account"]})
    assert len(cap_per_intent(labelled, cap=10)) == 11
    frame = build_training_set(labelled, cap=10)
    from_labels = frame[frame["group"].str.startswith("row:")]
    assert sorted(from_labels["intent"].unique()) == ["account", "order_status"] and len(from_labels) == 11
    assert set(frame["language"]) == {"en", "zh"}
