"""Query-side features: character n-gram tf-idf rows equal scikit-learn's, and sparse row products."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from llm4retail.errors import DataValidationError
from llm4retail.search.chargrams import CharNgrams
from llm4retail.search.features import row_dots

pytestmark = pytest.mark.unit

TITLES = ["red velvet sofa", "blue cotton shirt", "cordless drill 18v", "红色真皮沙发", "drill bits drill set"]


@pytest.mark.parametrize("texts", [TITLES, ["velvet sofa sofa", "drill", "", "   ", "zzz qqq xx"]])
def test_char_ngrams_equal_scikit_learn_char_wb(texts: list[str]) -> None:
    """Same rows as TfidfVectorizer(char_wb, 3-4, sublinear) up to the order of columns (compared through all
    pairwise products), on the fitted texts and on new ones (unknown n-grams ignored). Words of one letter are
    left out: scikit-learn also counts " a " as a 4-gram, a quirk not copied."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True, dtype=np.float32)
    expected = vectorizer.fit_transform(texts)
    ours = CharNgrams()
    got = ours.fit_transform(texts)
    assert got.shape == expected.shape and got.dtype == np.float32
    assert np.allclose((got @ got.T).toarray(), (expected @ expected.T).toarray(), atol=1e-5)
    new = ["red sofa", "drill drill drill", "红色 沙发 sofa", "qqq", ""]
    assert np.allclose(
        (ours.transform(new) @ got.T).toarray(), (vectorizer.transform(new) @ expected.T).toarray(), atol=1e-5
    )


def test_char_ngrams_rows_are_unit_or_empty() -> None:
    ours = CharNgrams()
    rows = ours.fit_transform(TITLES + ["", "ab"])
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel())
    assert np.allclose(norms[:-2], 1.0) and norms[-2] == 0 and norms[-1] > 0
    assert ours.transform(["nothing known here"]).nnz == 0 or ours.transform(["sofa"]).nnz > 0
    with pytest.raises(DataValidationError):
        CharNgrams(sizes=(1,))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_dots_equals_scipy_row_product(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(300, 500, density=0.05, format="csr", random_state=seed, dtype=np.float32)
    matrix.data[matrix.indptr[7] : matrix.indptr[8]] = 0  # an empty row
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
