"""Labels and splits, aspect-level sentiment with evidence, product summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.errors import DataValidationError, LLMUnavailableError
from llm4retail.reviews.aspects import Aspect, Polarity, analyze_aspects, lexicon_scores
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.summary import aspect_breakdown, summarize_reviews
from llm4retail.reviews.text import clauses, language
from llm4retail.text.tokenize import words

pytestmark = pytest.mark.unit


def test_binary_labels_map_ratings_and_drop_three_stars() -> None:
    frame = pd.DataFrame({"review_id": list("abcdef"), "text": ["t1", "t2", "t3", "t4", "t5", " "],
                          "rating": [1, 2, 3, 4, 5, 5], "label": [None, None, None, None, 0, None]})
    data = sentiment_labels(frame, SentimentTask.BINARY)
    assert data.review_ids.tolist() == ["a", "b", "d", "e"]
    assert data.labels.tolist() == [0, 0, 1, 0]  # an explicit label wins over the rating
    assert sentiment_labels(frame, SentimentTask.STARS).labels.tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(DataValidationError, match="rating"):
        sentiment_labels(frame.drop(columns="rating"), SentimentTask.STARS)


def test_hash_splits_are_fixed_and_disjoint(tiny_reviews: pd.DataFrame) -> None:
    data = sentiment_labels(tiny_reviews, SentimentTask.BINARY)
    rest, test = hash_split(data)
    again_rest, again_test = hash_split(data)
    assert test.review_ids.tolist() == again_test.review_ids.tolist()
    assert not set(rest.review_ids) & set(test.review_ids) and len(rest) + len(test) == len(data)
    fit, validation = validation_split(rest)
    assert 0 < len(validation) < len(fit)


def test_text_helpers() -> None:
    assert words("物流很快 Great value!")[-2:] == ["great", "value"]
    assert language("质量很好") == "zh" and language("great value") == "en"
    text = "质量很好，但是物流太慢。Great price, but the size is too small"
    assert [text[s:e] for s, e in clauses(text)] == ["质量很好", "但是物流太慢", "Great price", "the size is too small"]


def test_aspects_with_polarity_and_evidence_in_both_languages() -> None:
    texts = ["质量很好，但是物流太慢。", "The price is great but the size is too small.", "客服态度不好"]
    found = analyze_aspects(texts)
    first = {(m.aspect, m.polarity) for m in found[0]}
    assert first == {(Aspect.QUALITY, Polarity.POSITIVE), (Aspect.SHIPPING, Polarity.NEGATIVE)}
    shipping = next(m for m in found[0] if m.aspect is Aspect.SHIPPING)
    assert texts[0][shipping.start : shipping.end] == shipping.evidence == "但是物流太慢"
    second = {(m.aspect, m.polarity) for m in found[1]}
    assert (Aspect.VALUE, Polarity.POSITIVE) in second and (Aspect.SIZE, Polarity.NEGATIVE) in second
    assert [(m.aspect, m.polarity) for m in found[2]] == [(Aspect.SERVICE, Polarity.NEGATIVE)]  # negation flips 好


@pytest.mark.parametrize(("text", "aspect"), [
    ("太卡了，玩游戏还是不要买了", Aspect.FUNCTION), ("书的纸质还好，印刷清晰", Aspect.QUALITY),
    ("苹果脆脆的，很好吃", Aspect.FUNCTION), ("房间很小", Aspect.SIZE), ("比图片差远了", Aspect.APPEARANCE),
    ("Cute, but runs small", Aspect.SIZE), ("Shipped wrong tire.", Aspect.SERVICE), ("It stopped working in a week", Aspect.QUALITY),
    ("Great for the money", Aspect.VALUE), ("took weeks to arrive", Aspect.SHIPPING),
])
def test_everyday_ways_of_naming_an_aspect(text: str, aspect: Aspect) -> None:
    assert aspect in {mention.aspect for mention in analyze_aspects([text])[0]}


def test_a_failed_action_is_a_judgement_of_function_unless_it_is_buying_or_wanting() -> None:
    for text in ("This does not stay inflated", "it kept falling over", "红外线不能接收视频", "按了半天不出水"):
        assert [m.aspect for m in analyze_aspects([text])[0]] == [Aspect.FUNCTION], text
    for text in ("I don't want to bother returning it", "I could not put it down", "didn't arrive on time"):
        assert Aspect.FUNCTION not in {m.aspect for m in analyze_aspects([text])[0]}, text


def test_a_card_or_a_trusted_brand_names_no_aspect() -> None:
    assert not analyze_aspects(["用银行卡付的款"])[0]
    assert Aspect.VALUE not in {mention.aspect for mention in analyze_aspects(["值得信赖的牌子"])[0]}


def test_a_model_scorer_overrides_the_lexicon_when_confident() -> None:
    found = analyze_aspects(["物流一般般"], scorer=lambda texts: np.full(len(texts), 0.05))
    assert found[0][0].polarity is Polarity.NEGATIVE
    assert lexicon_scores(["不错", "不好"]).tolist()[0] > 0.5 > lexicon_scores(["不好"])[0]


class _Echo:
    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        self.prompts.append(messages[-1]["content"])
        if not self.reply:
            raise LLMUnavailableError("down")
        return self.reply


def test_summary_breakdown_quotes_and_synthesis_sources() -> None:
    texts = ["质量很好，物流很快", "质量不错，很满意", "物流太慢了，差评", "质量好，价格实惠"]
    positive = np.array([0.9, 0.95, 0.1, 0.8])
    mentions = analyze_aspects(texts)
    breakdown = {row["aspect"]: row for row in aspect_breakdown(mentions)}
    assert breakdown["quality"]["positive"] == 3 and breakdown["shipping"]["negative"] == 1
    summary = summarize_reviews("p1", texts, positive, mentions, ratings=[5, 5, 1, 4])
    assert summary.synthesis_source == "extractive" and "75%" in summary.synthesis and "质量" in summary.synthesis
    assert summary.negative_quotes == ["物流太慢了，差评"] and summary.average_rating == 3.75
    llm = _Echo("买家普遍认可质量。")
    assert summarize_reviews("p1", texts, positive, mentions, generator=llm).synthesis_source == "llm"
    assert "质量" in llm.prompts[0]
    assert summarize_reviews("p1", texts, positive, mentions, generator=_Echo("")).synthesis_source == "extractive"
