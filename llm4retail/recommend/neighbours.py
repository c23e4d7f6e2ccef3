"""Non-learned baselines and item-to-item collaborative filtering.

- `Popularity`: interaction counts decayed by age: with timestamps, halved every `half_life_days`
  before the newest event; without (logs ordered by `seq` only), by position in each history.
- `ItemKNN`: cosine similarity between item columns, the `neighbours` strongest kept per item;
  a history scores items by the similarity to its items, recent items weighted more.
- `UserKNN`: cosine similarity between customers' item sets; the `neighbours` most similar
  customers vote for their items.
- `EASE`: the closed-form shallow autoencoder of Steck (2019), B = I - P / diag(P) with
  P = (XᵀX + λI)⁻¹; dense item × item, so meant for catalogs up to a few tens of thousands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions

BLOCK_CELLS = 1 << 24  # dense cells per block of similarity or neighbour rows (64 MiB of float32)


def history_weights(histories: Sequence[np.ndarray], *, n_items: int, decay: float) -> sp.csr_matrix:
    """Rows of item weights per history: the newest item 1, the one before `decay`, and so on."""
    indptr = np.concatenate([[0], np.cumsum([len(h) for h in histories])])
    indices = np.concatenate(histories) if len(histories) else np.zeros(0, dtype=np.int64)
    data = np.concatenate([decay ** np.arange(len(h) - 1, -1, -1) for h in histories]) if len(histories) else np.zeros(0)
    matrix = sp.csr_matrix((data.astype(np.float32), indices, indptr), shape=(len(histories), n_items))
    matrix.sum_duplicates()
    return matrix


@register_model("popularity")
class Popularity(Recommender):
    """Most popular items, recent interactions counting more."""

    name = "popularity"

    def __init__(self, *, decay: float = 0.98, half_life_days: float = 14.0) -> None:
        if not 0 < decay <= 1 or half_life_days <= 0:
            raise DataValidationError(f"need 0 < decay <= 1 and half_life_days > 0, got {decay}, {half_life_days}")
        self.decay = decay
        self.half_life_days = half_life_days
        self.counts_: np.ndarray | None = None

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        if interactions.times is not None and len(interactions.times) == len(interactions.histories):
            items = np.concatenate(interactions.histories)
            seconds = np.concatenate(interactions.times)[: len(items)]
            ages_days = (seconds.max() - seconds) / 86_400.0
            weights = 0.5 ** (ages_days / self.half_life_days)
            self.counts_ = np.bincount(items, weights=weights, minlength=interactions.n_items).astype(np.float32)
            return self
        weights = history_weights(interactions.histories, n_items=interactions.n_items, decay=self.decay)
        self.counts_ = np.asarray(weights.sum(axis=0)).ravel().astype(np.float32)
        return self

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.counts_)
        return np.tile(self.counts_, (len(histories), 1))

    def get_params(self) -> dict[str, Any]:
        return {"decay": self.decay, "half_life_days": self.half_life_days}

    def _state(self) -> ModelState:
        self._require_fitted(self.counts_)
        return ModelState(arrays={"counts": self.counts_})

    def _restore(self, state: ModelState) -> None:
        self.counts_ = np.asarray(state.arrays["counts"], dtype=np.float32)


class ItemToItem(Recommender):
    """Base of the models that learn an item × item matrix `similarity_` (neighbours, walks, content):
    a history scores item j by Σ decay^age · similarity[i, j] over its items i."""

    decay: float = 0.8
    similarity_: sp.csr_matrix | None = None

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.similarity_)
        weights = history_weights(histories, n_items=self.similarity_.shape[0], decay=self.decay)
        return np.asarray((weights @ self.similarity_).todense(), dtype=np.float32)

    def _state(self) -> ModelState:
        self._require_fitted(self.similarity_)
        return ModelState(arrays={"similarity": self.similarity_})

    def _restore(self, state: ModelState) -> None:
        self.similarity_ = sp.csr_matrix(state.arrays["similarity"], dtype=np.float32)


@register_model("itemknn")
class ItemKNN(ItemToItem):
    """Item-to-item cosine neighbours."""

    name = "itemknn"

    def __init__(self, *, neighbours: int = 100, decay: float = 0.8, shrink: float = 10.0) -> None:
        if neighbours <= 0 or not 0 < decay <= 1 or shrink < 0:
            raise DataValidationError(f"need neighbours > 0, 0 < decay <= 1, shrink >= 0; got {neighbours}, {decay}, {shrink}")
        self.neighbours = neighbours
        self.decay = decay
        self.shrink = shrink
        self.similarity_: sp.csr_matrix | None = None

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        matrix = interactions.matrix()
        matrix.data[:] = 1.0
        columns = matrix.T.tocsr()
        co = (columns @ columns.T).tocsr().astype(np.float32)
        norms = np.sqrt(np.asarray(columns.sum(axis=1)).ravel())
        co = co.tocoo()
        values = co.data / (norms[co.row] * norms[co.col] + self.shrink)
        values[co.row == co.col] = 0.0
        similarity = sp.csr_matrix((values, (co.row, co.col)), shape=co.shape)
        self.similarity_ = _keep_top(similarity, self.neighbours)
        return self

    def get_params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "decay": self.decay, "shrink": self.shrink}


@register_model("userknn")
class UserKNN(Recommender):
    """User-to-user neighbours: a history is scored by the items of the most similar fitted customers.

    Similarity is the cosine between binary item sets, computed at scoring time against
    every fitted customer (so a history need not belong to one of them); the
    `neighbours` most similar customers vote for their items, weighted by similarity.
    """

    name = "userknn"

    def __init__(self, *, neighbours: int = 100, shrink: float = 10.0) -> None:
        if neighbours <= 0 or shrink < 0:
            raise DataValidationError(f"UserKNN needs neighbours > 0 and shrink >= 0; got {neighbours}, {shrink}")
        self.neighbours = neighbours
        self.shrink = shrink
        self.users_: sp.csr_matrix | None = None

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        matrix = interactions.matrix()
        matrix.data[:] = 1.0
        self.users_ = matrix.astype(np.float32)
        return self

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.users_)
        rows = max(1, BLOCK_CELLS // max(self.users_.shape[0], 1))  # bound the dense history × customer block
        parts = [self._score_block(histories[start : start + rows]) for start in range(0, len(histories), rows)]
        return np.vstack(parts) if parts else np.zeros((0, self.users_.shape[1]), dtype=np.float32)

    def _score_block(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        users = self.users_
        query = history_weights(histories, n_items=users.shape[1], decay=1.0)
        query.data[:] = 1.0
        overlap = np.asarray((query @ users.T).todense(), dtype=np.float32)
        query_sizes = np.asarray(query.sum(axis=1)).ravel()
        user_sizes = np.asarray(users.sum(axis=1)).ravel()
        similarity = overlap / (np.sqrt(query_sizes)[:, None] * np.sqrt(user_sizes)[None, :] + self.shrink)
        keep = min(self.neighbours, similarity.shape[1])
        if keep < similarity.shape[1]:
            cut = np.argpartition(-similarity, keep - 1, axis=1)[:, keep:]
            np.put_along_axis(similarity, cut, 0.0, axis=1)
        return (sp.csr_matrix(similarity) @ users).toarray().astype(np.float32)

    def get_params(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "shrink": self.shrink}

    def _state(self) -> ModelState:
        self._require_fitted(self.users_)
        return ModelState(arrays={"users": self.users_})

    def _restore(self, state: ModelState) -> None:
        self.users_ = sp.csr_matrix(state.arrays["users"], dtype=np.float32)


@register_model("ease")
class EASE(Recommender):
    """Embarrassingly shallow autoencoder (closed form)."""

    name = "ease"

    def __init__(self, *, regularisation: float = 500.0, decay: float = 1.0, max_items: int = 40_000) -> None:
        if regularisation <= 0:
            raise DataValidationError(f"regularisation must be > 0, got {regularisation}")
        self.regularisation = regularisation
        self.decay = decay
        self.max_items = max_items
        self.weights_: np.ndarray | None = None

    def fit(self, interactions: Interactions, *, valid_histories=None, valid_targets=None) -> Self:  # noqa: ANN001
        if interactions.n_items > self.max_items:
            raise DataValidationError(
                f"EASE needs a dense {interactions.n_items}² matrix; above max_items={self.max_items} use itemknn or als"
            )
        matrix = interactions.matrix().astype(np.float32)
        matrix.data[:] = 1.0
        self.weights_ = ease_weights((matrix.T @ matrix).toarray(), self.regularisation)
        return self

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        self._require_fitted(self.weights_)
        weights = history_weights(histories, n_items=self.weights_.shape[0], decay=self.decay)
        return np.asarray(weights @ self.weights_, dtype=np.float32)

    def get_params(self) -> dict[str, Any]:
        return {"regularisation": self.regularisation, "decay": self.decay, "max_items": self.max_items}

    def _state(self) -> ModelState:
        self._require_fitted(self.weights_)
        return ModelState(arrays={"weights": self.weights_})

    def _restore(self, state: ModelState) -> None:
        self.weights_ = np.asarray(state.arrays["weights"], dtype=np.float32)


def ease_weights(gram: np.ndarray, regularisation: float) -> np.ndarray:
    """EASE's item-item weights B = -P / diag(P), diag(B) = 0, P = (G + λI)⁻¹, computed in place in float32.

    G + λI is symmetric positive definite, so P comes from a Cholesky factorisation (LAPACK `spotrf`, then
    `spotri`) in the one n × n buffer, its other triangle filled in by row blocks: peak memory is that buffer
    (1.3 GB for Sports' 18,357 items) where `np.linalg.inv` in float64 needed about five (the dense float64
    Gram matrix, its inverse, LAPACK's copies and the scaled weights).

    Raises:
        DataValidationError: the matrix is not positive definite (a regularisation <= 0).
    """
    from scipy.linalg import lapack

    buffer = np.asarray(gram, dtype=np.float32, order="C")
    n = buffer.shape[0]
    buffer[np.diag_indices(n)] += regularisation
    # The C-ordered buffer is the Fortran-ordered transpose; the matrix is symmetric, so LAPACK sees the same matrix.
    factor, info = lapack.spotrf(buffer.T, lower=0, clean=0, overwrite_a=1)
    if info == 0:
        factor, info = lapack.spotri(factor, lower=0, overwrite_c=1)
    if info != 0:
        raise DataValidationError(f"EASE: the regularised Gram matrix is not positive definite (LAPACK info {info})")
    inverse = factor.T  # the same buffer: the inverse's lower triangle (C order) holds the values
    block = max(1, BLOCK_CELLS // max(n, 1))
    for start in range(0, n, block):  # mirror the lower triangle into the upper one, a block of rows at a time
        stop = min(n, start + block)
        inverse[start:stop, stop:] = inverse[stop:, start:stop].T
        rows, upper = inverse[start:stop, start:stop], np.triu_indices(stop - start, 1)
        rows[upper] = rows.T[upper]
    diagonal = np.diag(inverse).copy()
    inverse /= -diagonal[None, :]
    inverse[np.diag_indices(n)] = 0.0
    return inverse


def _keep_top(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of each row."""
    rows, columns, values = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end == start:
            continue
        data = matrix.data[start:end]
        keep = np.argpartition(-data, min(k, len(data)) - 1)[:k] if len(data) > k else np.arange(len(data))
        rows.append(np.full(len(keep), row))
        columns.append(matrix.indices[start:end][keep])
        values.append(data[keep])
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=matrix.shape)



def blockwise_top_neighbours(dense_rows: Callable[[int, int], np.ndarray], *, n_items: int, neighbours: int) -> sp.csr_matrix:
    """Item × item matrix from dense row blocks, keeping the `neighbours` largest positive entries per row.

    `dense_rows(start, stop)` returns rows start..stop-1 over all items; the diagonal is
    dropped. Blocks bound the memory to BLOCK_CELLS floats whatever the catalogue size.
    """
    block = max(64, BLOCK_CELLS // max(n_items, 1))
    keep = min(neighbours, n_items - 1)
    rows, columns, values = [], [], []
    for start in range(0, n_items if keep > 0 else 0, block):
        stop = min(start + block, n_items)
        dense = np.array(dense_rows(start, stop), dtype=np.float32)
        dense[np.arange(stop - start), np.arange(start, stop)] = 0.0
        top = np.argpartition(-dense, keep - 1, axis=1)[:, :keep]
        picked = np.take_along_axis(dense, top, axis=1)
        mask = picked > 0
        rows.append(np.repeat(np.arange(start, stop), keep)[mask.ravel()])
        columns.append(top[mask])
        values.append(picked[mask])
    if not rows:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    return sp.csr_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(n_items, n_items))
