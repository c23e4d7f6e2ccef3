"""Character n-gram TF-IDF of product titles, computed with array operations instead of a loop per n-gram.

The feature is scikit-learn's `TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)`
arithmetic (counts, `1 + log`, smooth idf, l2 norm) over word-bounded n-grams: each word padded with one space
on each side, n-grams that do not cross a word. A title becomes an array of code points and every n-gram a
64-bit hash of its code points, so the n-grams of 54,667 Home Depot titles are counted in about 0.3 s where the
vectorizer's Python loop took 4-5 s. The n-gram vocabulary is the distinct hashes of the fitted titles (two
different n-grams sharing a 64-bit hash is out of reach at catalog sizes); n-grams seen later only count
towards a title's length norm, as a fitted vectorizer ignores unknown n-grams.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from llm4retail.errors import DataValidationError

_SPACE = 0x20
_BOUNDARY = 0  # between titles: no n-gram may hold it
SMALL_BATCH = 10_000  # n-grams up to which counts are made with a sort instead of scipy's COO conversion
_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: spreads code points over the hash bits


def _codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts, each as " word word " (white space collapsed), joined by a boundary; and the
    index of the text each code point belongs to."""
    padded = [" " + " ".join(text.replace("\x00", " ").split()) + " " for text in texts]
    joined = "\x00".join(padded)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(text) + 1 for text in padded), dtype=np.int64, count=len(padded))
    owner = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)[: len(codes)]
    return codes, owner


def _grams(codes: np.ndarray, owner: np.ndarray, sizes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(hash, text index) of every word-bounded n-gram of the given sizes."""
    hashes: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for n in sizes:
        count = len(codes) - n + 1
        if count <= 0:
            continue
        value = np.full(count, n, dtype=np.uint64)
        valid = np.ones(count, dtype=bool)
        for offset in range(n):
            window = codes[offset : offset + count]
            value = value * _MULTIPLIER + window  # wraps modulo 2**64
            valid &= window != _BOUNDARY
            if 0 < offset < n - 1:
                valid &= window != _SPACE  # an inner space: the n-gram crosses words
        hashes.append(value[valid])
        owners.append(owner[:count][valid])
    if not hashes:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(hashes), np.concatenate(owners)


class CharNgrams:
    """Word-bounded character n-gram TF-IDF (sublinear tf, smooth idf, l2-normalised rows).

    Args:
        sizes: n-gram lengths.
    """

    def __init__(self, sizes: tuple[int, ...] = (3, 4)) -> None:
        if not sizes or any(n < 2 for n in sizes):
            raise DataValidationError(f"n-gram sizes must be >= 2, got {sizes}")
        self.sizes = tuple(sizes)
        self.vocabulary_ = np.zeros(0, dtype=np.uint64)  # sorted hashes
        self.idf_ = np.zeros(0, dtype=np.float32)

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        """Learn the vocabulary and idf from `texts` and return their rows."""
        hashes, owner = _grams(*_codes(texts), self.sizes)
        codes, distinct = pd.factorize(hashes)  # a hash table: numpy's unique sorts or hashes several times slower
        order = np.argsort(distinct)
        self.vocabulary_ = np.asarray(distinct)[order]
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        counts = self._counts(owner, rank[codes], len(texts))
        frequency = np.bincount(counts.indices, minlength=len(self.vocabulary_))
        self.idf_ = (np.log((1 + len(texts)) / (1 + frequency)) + 1).astype(np.float32)
        return self._weighted(counts)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        """Rows of `texts` over the fitted vocabulary."""
        hashes, owner = _grams(*_codes(texts), self.sizes)
        if len(self.vocabulary_) == 0:
            return sp.csr_matrix((len(texts), 0), dtype=np.float32)
        position = np.minimum(np.searchsorted(self.vocabulary_, hashes), len(self.vocabulary_) - 1)
        known = self.vocabulary_[position] == hashes
        return self._weighted(self._counts(owner[known], position[known], len(texts)))

    def _counts(self, owner: np.ndarray, columns: np.ndarray, n_texts: int) -> sp.csr_matrix:
        """n-gram counts per text (duplicates summed, columns sorted within a row)."""
        width = max(len(self.vocabulary_), 1)
        if len(columns) > SMALL_BATCH:
            ones = np.ones(len(columns), dtype=np.float32)
            matrix = sp.csr_matrix((ones, (owner, columns)), shape=(n_texts, len(self.vocabulary_)), dtype=np.float32)
            matrix.sum_duplicates()
            return matrix
        # a query or a few titles: scipy's COO conversion costs more than the arithmetic
        keys, counts = np.unique(owner * width + columns, return_counts=True)
        rows, indices = np.divmod(keys, width)
        indptr = np.searchsorted(rows, np.arange(n_texts + 1)).astype(np.int32)
        data = counts.astype(np.float32)
        return sp.csr_matrix((data, indices.astype(np.int32), indptr), shape=(n_texts, len(self.vocabulary_)))

    def _weighted(self, matrix: sp.csr_matrix) -> sp.csr_matrix:
        """Counts to sublinear tf times idf, rows l2-normalised (in place)."""
        data = matrix.data
        np.log(data, out=data)
        data += 1.0
        data *= self.idf_[matrix.indices]
        lengths = np.diff(matrix.indptr)
        rows = np.repeat(np.arange(matrix.shape[0]), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data.astype(np.float64) ** 2, minlength=matrix.shape[0]))
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths).astype(np.float32)
        return matrix
