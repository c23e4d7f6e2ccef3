"""Review analytics: shares by aspect, category and month from scored reviews, and over a store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llm4retail.reviews.analytics import UNCATEGORISED, review_analytics
from llm4retail.reviews.aspects import analyze_aspects

pytestmark = pytest.mark.unit


def test_shares_by_aspect_category_and_month() -> None:
    texts = [
        "Great quality, fast shipping",  # Home, Jan, positive
        "Poor quality and the delivery was slow",  # Home, Jan, negative
        "Lovely colour, good quality",  # Toys, Feb, positive
        "Nice",  # no category, no date
    ]
    reviews = pd.DataFrame({
        "product_id": ["a", "a", "b", "z"],
        "text": texts,
        "created_at": ["2025-01-03", "2025-01-20T10:00:00", "2025-02-01", None],
    })  # fmt: skip
    mentions = analyze_aspects(texts)
    report = review_analytics(reviews, categories={"a": "Home > Sofas", "b": "Toys"},
                              positive=np.array([0.9, 0.1, 0.8, 0.7]), mentions=mentions)  # fmt: skip
    assert report["reviews"] == 4 and report["positive_share"] == 0.75
    categories = {row["category"]: row for row in report["categories"]}
    assert set(categories) == {"Home", "Toys", UNCATEGORISED}
    assert categories["Home"]["reviews"] == 2 and categories["Home"]["positive_share"] == 0.5
    assert report["categories"][0]["category"] == "Home"  # most reviewed first
    quality = {row["aspect"]: row for row in report["aspects"]}["quality"]
    assert quality["mentions"] == 3
    assert quality["positive_share"] == pytest.approx(2 / 3)
    assert quality["positive_example"] and quality["negative_example"] == "Poor quality and the delivery was slow"
    months = {row["month"]: row for row in report["months"]}
    assert set(months) == {"2025-01", "2025-02"}  # the undated review is left out of the months
    assert months["2025-01"] == {"month": "2025-01", "reviews": 2, "positive_share": 0.5}
    with pytest.raises(ValueError, match="align"):
        review_analytics(reviews, categories={}, positive=np.array([0.5]), mentions=mentions)


def test_empty_reviews_give_an_empty_report() -> None:
    report = review_analytics(pd.DataFrame({"product_id": [], "text": []}), categories={}, positive=np.zeros(0),
                              mentions=[])  # fmt: skip
    assert report == {"reviews": 0, "positive_share": None, "aspects": [], "categories": [], "months": []}
