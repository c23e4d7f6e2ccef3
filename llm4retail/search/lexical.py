"""BM25 over several weighted fields, with incremental updates.

Documents live in append-only slots: an update writes a new slot and tombstones
the old one, a delete only tombstones, so the index follows catalog changes
without re-analysing anything. Term statistics (document frequency, average
length) always count live documents only. Postings are kept per slot and packed
into a column-compressed matrix on the first query after a change; a query
touches only the postings of its own terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from llm4retail.errors import DataValidationError


class SparseBM25:
    """Okapi BM25 (Lucene idf) over one field.

    Args:
        k1: term-frequency saturation.
        b: length normalisation.
    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise DataValidationError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.k1 = k1
        self.b = b
        self.vocabulary: dict[str, int] = {}
        self._terms: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._lengths: list[float] = []
        self._alive: list[bool] = []
        self._document_frequency = np.zeros(0, dtype=np.int64)
        # postings, live mask, length norms and live count, packed together after a change: one reference,
        # so a reader never pairs the postings of one state with the norms of another
        self._packed_state: tuple[sp.csc_matrix, np.ndarray, np.ndarray, int] | None = None

    def copy(self) -> SparseBM25:
        """An independent copy to change while readers keep this one (copy-on-write of the search index):
        the containers that change in place are copied, the arrays they hold (never changed) are shared."""
        clone = SparseBM25(k1=self.k1, b=self.b)
        clone.vocabulary = dict(self.vocabulary)
        clone._terms, clone._counts = list(self._terms), list(self._counts)
        clone._lengths, clone._alive = list(self._lengths), list(self._alive)
        clone._document_frequency = self._document_frequency.copy()
        clone._packed_state = self._packed_state
        return clone

    def pack(self) -> None:
        """Packs the postings now (a writer does, before publishing), so that no query pays for it."""
        self._packed()

    @property
    def n_slots(self) -> int:
        """Slots ever written (live and dead)."""
        return len(self._terms)

    def add(self, documents: Sequence[Sequence[str]]) -> None:
        """Append documents (token lists) to new slots.

        Vectorised over the batch: one dictionary lookup per token, then the (document, term) counts of all
        documents as one sparse matrix, sliced into per-slot arrays.
        """
        if not documents:
            return
        lengths = np.fromiter((len(tokens) for tokens in documents), dtype=np.int64, count=len(documents))
        vocabulary = self.vocabulary
        new_id = vocabulary.setdefault  # a term not seen yet gets the next id
        ids = np.fromiter(
            (new_id(term, len(vocabulary)) for tokens in documents for term in tokens),
            dtype=np.int64, count=int(lengths.sum()),
        )  # fmt: skip
        self._grow_frequencies()
        owners = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
        shape = (len(documents), max(len(self.vocabulary), 1))
        matrix = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), (owners, ids)), shape=shape)
        matrix.sum_duplicates()  # (document, term) counts, terms sorted within each document
        bounds = matrix.indptr.tolist()
        terms, counts = matrix.indices.astype(np.int64), matrix.data
        self._terms.extend([terms[start:end] for start, end in zip(bounds, bounds[1:])])
        self._counts.extend([counts[start:end] for start, end in zip(bounds, bounds[1:])])
        self._lengths.extend(lengths.astype(float).tolist())
        self._alive.extend([True] * len(documents))
        self._document_frequency[: len(self.vocabulary)] += np.bincount(terms, minlength=len(self.vocabulary))
        self._packed_state = None

    def remove(self, slot: int) -> None:
        """Tombstone a slot (idempotent)."""
        if self._alive[slot]:
            self._alive[slot] = False
            np.subtract.at(self._document_frequency, self._terms[slot], 1)
            self._packed_state = None

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every slot for the query tokens (dead slots score 0)."""
        result = np.zeros(self.n_slots, dtype=np.float32)
        query = Counter(term for term in tokens if term in self.vocabulary)
        if not query or self.n_slots == 0:
            return result
        matrix, alive, norm, n_live = self._packed()
        for term, weight in query.items():
            column = self.vocabulary[term]
            start, end = matrix.indptr[column], matrix.indptr[column + 1]
            rows, tf = matrix.indices[start:end], matrix.data[start:end]
            frequency = self._document_frequency[column]
            idf = np.log1p((n_live - frequency + 0.5) / (frequency + 0.5))
            result[rows] += weight * idf * tf * (self.k1 + 1) / (tf + norm[rows])
        if n_live < self.n_slots:
            result[~alive] = 0.0
        return result

    def _grow_frequencies(self) -> None:
        """Room in the document-frequency array for every term of the vocabulary (doubling)."""
        if len(self.vocabulary) > len(self._document_frequency):
            grown = np.zeros(max(1024, 2 * len(self.vocabulary)), dtype=np.int64)
            grown[: len(self._document_frequency)] = self._document_frequency
            self._document_frequency = grown

    def _packed(self) -> tuple[sp.csc_matrix, np.ndarray, np.ndarray, int]:
        """Postings, live mask, per-slot length normalisation and live count, rebuilt after a change."""
        state = self._packed_state
        if state is None:
            sizes = [len(ids) for ids in self._terms]
            rows = np.repeat(np.arange(self.n_slots), sizes)
            columns = np.concatenate(self._terms) if self._terms else np.zeros(0, dtype=np.int64)
            data = np.concatenate(self._counts) if self._counts else np.zeros(0, dtype=np.float32)
            shape = (self.n_slots, max(len(self.vocabulary), 1))
            matrix = sp.csc_matrix((data, (rows, columns)), shape=shape)
            alive = np.asarray(self._alive, dtype=bool)
            lengths = np.asarray(self._lengths, dtype=np.float32)
            average = max(float(lengths[alive].mean()) if alive.any() else 1.0, 1e-6)
            norm = (self.k1 * (1 - self.b + self.b * lengths / average)).astype(np.float32)
            state = self._packed_state = (matrix, alive, norm, max(int(alive.sum()), 1))
        return state


class FieldedBM25:
    """A weighted sum of per-field BM25 scores (title, brand, category, attributes, description).

    Args:
        weights: field name -> weight.
    """

    def __init__(self, weights: Mapping[str, float]) -> None:
        if not weights or any(weight < 0 for weight in weights.values()):
            raise DataValidationError(f"field weights must be non-empty and >= 0, got {dict(weights)}")
        self.weights = dict(weights)
        self.fields = {name: SparseBM25() for name in self.weights}

    def add(self, documents: Mapping[str, Sequence[Sequence[str]]]) -> None:
        """Append documents given as field -> list of token lists (same length for every field)."""
        sizes = {len(documents.get(name, ())) for name in self.fields}
        if len(sizes) != 1:
            raise DataValidationError(f"every field needs one token list per document, got sizes {sizes}")
        for name, index in self.fields.items():
            index.add(documents[name])

    def copy(self) -> FieldedBM25:
        """An independent copy to change while readers keep this one (see `SparseBM25.copy`)."""
        clone = FieldedBM25(self.weights)
        clone.fields = {name: index.copy() for name, index in self.fields.items()}
        return clone

    def pack(self) -> None:
        """Packs every field's postings (see `SparseBM25.pack`)."""
        for index in self.fields.values():
            index.pack()

    def remove(self, slot: int) -> None:
        """Tombstone a slot in every field."""
        for index in self.fields.values():
            index.remove(slot)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Weighted BM25 over the fields."""
        return self.scores_and_field(tokens, None)[0]

    def scores_and_field(self, tokens: Sequence[str], name: str | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Weighted BM25 over the fields and, computed once for both, the unweighted BM25 of field `name`."""
        total: np.ndarray | None = None
        field: np.ndarray | None = None
        for field_name, index in self.fields.items():
            if self.weights[field_name] == 0 and field_name != name:
                continue
            raw = index.scores(tokens)
            if field_name == name:
                field = raw
            if self.weights[field_name] != 0:
                part = self.weights[field_name] * raw
                total = part if total is None else total + part
        return (total if total is not None else np.zeros(0, dtype=np.float32)), field
