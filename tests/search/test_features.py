"""Query-side features: the one-text tf-idf row equals scikit-learn's transform."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from llm4retail.search.features import tfidf_row

pytestmark = pytest.mark.unit

TITLES = ["red velvet sofa", "blue cotton shirt", "cordless drill 18v", "红色真皮沙发", "drill bits drill set"]


@pytest.mark.parametrize("sublinear", [True, False])
@pytest.mark.parametrize("text", ["red sofa", "drill drill drill", "红色 沙发 sofa", "zzz qqq", ""])
def test_tfidf_row_equals_transform(text: str, sublinear: bool) -> None:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=sublinear, dtype=np.float32)
    vectorizer.fit(TITLES)
    expected = vectorizer.transform([text])
    row = tfidf_row(vectorizer, text)
    assert row.shape == expected.shape and row.dtype == expected.dtype
    assert np.allclose(row.toarray(), expected.toarray(), atol=1e-6)
    assert (row.nnz == 0) == (expected.nnz == 0)
