"""Query-side features: the one-text tf-idf row equals scikit-learn's transform."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from llm4retail.search.features import row_dots, tfidf_row

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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_dots_equals_scipy_row_product(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(300, 500, density=0.05, format="csr", random_state=seed, dtype=np.float32)
    matrix[7] = 0  # an empty row
    matrix.eliminate_zeros()
    vector = sp.random(1, 500, density=0.04, format="csr", random_state=seed + 10, dtype=np.float32)
    rows = rng.choice(300, size=60, replace=False)
    rows[0] = 7
    expected = (matrix[rows] @ vector.T).toarray().ravel()
    got = row_dots(matrix, rows, vector)
    assert got.dtype == np.float32 and got.shape == (60,)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    assert got[0] == 0.0
    assert not row_dots(matrix, rows, sp.csr_matrix((1, 500), dtype=np.float32)).any()
    assert len(row_dots(matrix, np.zeros(0, dtype=np.int64), vector)) == 0
