"""Tiny labelled review sets with a known answer, in Chinese and English."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

POSITIVE = ["质量很好，很满意", "物流很快，好评", "非常喜欢，推荐购买", "great quality, love it", "fast delivery, very happy",
            "excellent value, recommend", "东西不错，值得购买", "works great, perfect"]
NEGATIVE = ["质量太差，很失望", "物流太慢，差评", "非常后悔，不推荐", "terrible quality, broke quickly", "slow delivery, very disappointed",
            "waste of money, awful", "东西很差，退货了", "stopped working, bad"]


def tiny_texts(repeats: int = 4, *, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Positive and negative phrases, repeated with a varying suffix, shuffled."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for copy in range(repeats):
        suffix = ["", "！", "。", " ok"][copy % 4]
        texts += [t + suffix for t in POSITIVE] + [t + suffix for t in NEGATIVE]
        labels += [1] * len(POSITIVE) + [0] * len(NEGATIVE)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(labels)[order]


@pytest.fixture
def tiny_reviews() -> pd.DataFrame:
    """A reviews frame: ids, texts, ratings (positive 5 or 4, negative 1 or 2) and languages."""
    texts, labels = tiny_texts(repeats=8)
    ratings = np.where(labels == 1, 5 - np.arange(len(labels)) % 2, 1 + np.arange(len(labels)) % 2)
    return pd.DataFrame({"review_id": [f"r{i}" for i in range(len(texts))], "text": texts, "rating": ratings,
                         "language": ["zh" if any("\u4e00" <= c <= "\u9fff" for c in t) else "en" for t in texts]})
