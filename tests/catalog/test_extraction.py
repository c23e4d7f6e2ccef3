"""Attribute extraction: values, dictionary baseline, rules, tagger and the chained extractor."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.catalog.base import score_extractions
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.rules import DictionaryExtractor, RuleExtractor, unit_mentions
from llm4retail.catalog.tagger import TaggerExtractor, distant_labels
from llm4retail.catalog.values import choose_attributes, same_value, tokens
from llm4retail.errors import DataValidationError, NotFittedError
from tests.catalog.conftest import BRANDS, SPECS, catalog

pytestmark = pytest.mark.unit


def test_values_tokens_and_comparison() -> None:
    assert [t for t, _, _ in tokens("HP RJ-45 43.2 cm (17\")")] == ["HP", "RJ-45", "43.2", "cm", "(", "17", '"', ")"]
    assert same_value("Black ", "black", numeric=False) and not same_value("", "", numeric=False)
    assert same_value(1.9, "1.8", numeric=True) is False and same_value(1.801, 1.8, numeric=True)
    assert unit_mentions('2GB 17" 1,8 m') == [(2.0, "gb"), (17.0, '"'), (1.8, "m")]


def test_choose_attributes_keeps_stated_frequent_attributes() -> None:
    texts, truth = catalog(60, seed=0)
    truth["weight"] = 123.0  # never written in the text
    chosen = choose_attributes(texts, truth, top=10, min_count=10)
    assert {spec.key for spec in chosen} == {"brand", "colour", "connector", "cable_length"}
    assert next(spec for spec in chosen if spec.key == "cable_length").numeric


def test_distant_labels_mark_the_value_span() -> None:
    words = ["Acme", "RJ-45", "cable", "black"]
    assert distant_labels(words, "RJ-45").tolist() == [0, 1, 0, 0]
    assert distant_labels(words, "Black").tolist() == [0, 0, 0, 1]
    assert distant_labels(words, "white") is None


def test_rules_learn_the_metre_pattern_and_colour_lexicon() -> None:
    texts, truth = catalog(80, seed=1)
    rules = RuleExtractor().fit(texts, truth, SPECS)
    assert rules.patterns_["cable_length"][0] == ("m", 1.0) and rules.lexicons_ == {"colour": "colour"}
    found = rules.extract(["Foo HDMI cable 2.5 m Red connector"])[0]
    assert found == {"colour": "Red", "cable_length": 2.5}


def test_tagger_generalises_to_unseen_brands_where_the_dictionary_cannot() -> None:
    texts, truth = catalog(200, seed=2)
    new_texts, new_truth = catalog(40, seed=3, brands=["Zorg", "Tyrell", "Cyberdyne"])
    tagger = TaggerExtractor().fit(texts, truth, SPECS)
    dictionary = DictionaryExtractor().fit(texts, truth, SPECS)
    assert score_extractions(tagger.extract(new_texts), new_truth, SPECS)["brand_f1"] > 0.9
    assert score_extractions(dictionary.extract(new_texts), new_truth, SPECS)["brand_f1"] == 0.0


def test_extractor_chains_beat_the_dictionary_and_round_trip(tmp_path: Path) -> None:
    texts, truth = catalog(300, seed=4)
    test_texts, test_truth = catalog(60, seed=5, brands=BRANDS + ["Zorg"])
    extractor = CatalogExtractor().fit(texts, truth, SPECS)
    baseline = DictionaryExtractor().fit(texts, truth, SPECS)
    ours = extractor.evaluate(test_texts, test_truth)
    assert ours["macro_f1"] >= baseline.evaluate(test_texts, test_truth)["macro_f1"]
    assert ours["cable_length_f1"] == 1.0
    loaded = CatalogExtractor.load(extractor.save(tmp_path / "extractor"))
    assert loaded.extract(test_texts[:5]) == extractor.extract(test_texts[:5])


def test_unfitted_and_misaligned_inputs_are_refused() -> None:
    with pytest.raises(NotFittedError):
        TaggerExtractor().extract(["x"])
    with pytest.raises(DataValidationError, match="aligned"):
        DictionaryExtractor().fit(["a"], pd.DataFrame({"brand": ["a", "b"]}), SPECS[:1])
