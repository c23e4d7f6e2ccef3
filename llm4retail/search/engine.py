"""The search engine: hybrid retrieval, query understanding, filters, facets, reranking.

Example:
    >>> engine = SearchEngine().fit(products)
    >>> response = engine.search("red velvet sofa under 500", top_k=10, explain=True)
    >>> [hit.product_id for hit in response.hits]

Pipeline per query: parse constraints (price, brand, colour, size, units) → correct
spelling against the catalog → expand synonyms → fielded BM25 (top `bm25_depth`) ∪
embedding neighbours (top `dense_depth`) within the filters → features → zero-shot
blend or learned reranker → optional personal boost and diversification → facets
over the result set → one page.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.data.currency import RateTable
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.search import dense as dense_module
from llm4retail.search.base import SearchModel
from llm4retail.search.catalog import CatalogSlots, ProductDocument, documents_from_frame
from llm4retail.search.chargrams import CharNgrams
from llm4retail.search.features import (
    FEATURES,
    CandidateData,
    QueryContext,
    candidate_features,
    zero_shot_score,
)
from llm4retail.search.lexical import FieldedBM25
from llm4retail.search.prices import resolve_price_filter
from llm4retail.search.query import QueryParser
from llm4retail.search.rerank import Reranker
from llm4retail.search.results import SearchFilters, SearchResponse, diversify
from llm4retail.search.spelling import SpellCorrector
from llm4retail.search.synonyms import mine_cross_lingual_synonyms
from llm4retail.search.text import normalise, stem, surface_tokens
from llm4retail.text.encoder import encode, encode_query

logger = logging.getLogger(__name__)

SYNONYM_WEIGHT = 0.5  # an expansion counts half as much as a word the shopper typed
DEFAULT_FIELD_WEIGHTS = {"title": 1.0, "brand": 0.5, "category": 0.4, "attributes": 0.3, "description": 0.2}
DEFAULT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "couch": ("sofa",), "settee": ("sofa",), "tv": ("television",), "television": ("tv",),
    "fridge": ("refrigerator",), "cellphone": ("phone",), "mobile": ("phone",), "sneakers": ("shoes",),
    "trainers": ("shoes",), "earbuds": ("earphones",), "notebook": ("laptop",), "laptop": ("notebook",),
    "hoodie": ("sweatshirt",), "tee": ("shirt",), "pants": ("trousers",), "trousers": ("pants",),
    "手机": ("电话",), "笔记本": ("电脑",), "耳机": ("耳麦",), "运动鞋": ("跑鞋",), "跑鞋": ("运动鞋",),
}  # fmt: skip


@register_model("engine")
class SearchEngine(SearchModel):
    """Hybrid product search over a catalog (saved through the model contract: `save`, `SearchEngine.load`).

    Args:
        field_weights: BM25 weight per field (title, brand, category, attributes, description).
        synonyms: word -> words added (at half weight) to a query containing it; a default retail
            list if None. Pairs mined from a bilingual catalog are added at fit time.
        semantic: use multilingual embeddings (the embedded USE model) as a second retrieval channel.
        bm25_depth: lexical candidates per query.
        dense_depth: embedding candidates per query.
        dense_min_similarity: embedding candidates need at least this cosine (USE puts unrelated
            product titles around 0.1-0.25 and paraphrases or translations above 0.5).
    """

    def __init__(
        self,
        *,
        field_weights: Mapping[str, float] | None = None,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        semantic: bool = True,
        bm25_depth: int = 150,
        dense_depth: int = 50,
        dense_min_similarity: float = 0.35,
    ) -> None:
        if bm25_depth <= 0 or dense_depth < 0:
            raise DataValidationError(f"bm25_depth must be > 0 and dense_depth >= 0, got {bm25_depth}, {dense_depth}")
        self.field_weights = dict(field_weights or DEFAULT_FIELD_WEIGHTS)
        self.synonym_source = {word: list(others) for word, others in synonyms.items()} if synonyms else None
        self.synonyms = _stemmed(synonyms or DEFAULT_SYNONYMS)
        self.semantic = semantic
        self.bm25_depth = bm25_depth
        self.dense_depth = dense_depth
        self.dense_min_similarity = dense_min_similarity
        self.reranker: Reranker | None = None
        self.rewriter: Callable[[str], str | None] | None = None  # e.g. QueryRewriter; used on zero results
        self.rates = RateTable()  # default currency and exchange rates: configuration, set by the service
        self.slots_: CatalogSlots | None = None

    # -- building and freshness --------------------------------------------------------------
    def fit(self, products: pd.DataFrame, *, events: pd.DataFrame | None = None) -> Self:
        """Index a catalog (contract `products` frame) and, optionally, popularity from events."""
        self.fit_documents(documents_from_frame(products))
        if events is not None:
            self.record_events(events)
        return self

    def fit_documents(self, documents: list[ProductDocument], *, vectors: np.ndarray | None = None) -> Self:
        """Index documents (with precomputed embeddings, e.g. when loading a saved index)."""
        for word, others in mine_cross_lingual_synonyms(documents).items():
            self.synonyms[word] = tuple(sorted(set(self.synonyms.get(word, ())) | set(others)))
        self.slots_ = CatalogSlots()
        self.lexical_ = FieldedBM25(self.field_weights)
        self.dense_ = dense_module.DenseIndex()
        self.speller_ = SpellCorrector(Counter())
        self.char_ = CharNgrams()
        self.char_matrix_: Any = None
        self.popularity_: dict[str, float] = {}
        self._add(documents, vectors=vectors, fit_char=True)
        return self

    def copy(self) -> SearchEngine:
        """An independent copy to change while readers keep searching this one (copy-on-write).

        Catalog writes change the copy (`upsert`, `delete`, `sync`), `pack()` it and then replace the served
        reference, so a search always runs over one consistent index. Costs a copy of the containers that
        change in place (lists of slots, vocabularies), not of the vectors or analysed texts; the spelling
        corrector is shared (it only learns words, under its own lock).
        """
        self._require_fitted()
        clone = copy.copy(self)
        clone.slots_ = self.slots_.copy()
        clone.lexical_ = self.lexical_.copy()
        clone.dense_ = self.dense_.copy()
        clone.popularity_ = dict(self.popularity_)
        clone.synonyms = dict(self.synonyms)
        return clone

    def pack(self) -> Self:
        """Prepares what queries would otherwise build lazily (the BM25 postings); call before publishing."""
        self._require_fitted()
        self.lexical_.pack()
        return self

    def upsert(self, products: pd.DataFrame) -> None:
        """Add new products or replace changed ones (including availability); no rebuild."""
        self._require_fitted()
        documents = documents_from_frame(products)
        for document in documents:
            self._tombstone(document.product_id)
        self._add(documents)

    def delete(self, product_ids: Iterable[str]) -> int:
        """Remove products from the index; returns how many were present."""
        self._require_fitted()
        return sum(self._tombstone(str(product_id)) for product_id in product_ids)

    def record_events(self, events: pd.DataFrame) -> None:
        """Update popularity from events (purchase 3, add_to_cart 2, other 1) — the live feedback loop.

        Safe on a served index: the counts and the popularity feature are replaced, never written into,
        so a search sees either the old or the new popularity, each whole.
        """
        self._require_fitted()
        if events.empty:
            return
        kinds = events.get("event_type", pd.Series("purchase", index=events.index)).fillna("purchase")
        weights = kinds.map({"purchase": 3.0, "add_to_cart": 2.0}).fillna(1.0)
        popularity = dict(self.popularity_)
        for product_id, weight in weights.groupby(events["product_id"].astype(str)).sum().items():
            popularity[product_id] = popularity.get(product_id, 0.0) + float(weight)
        self.popularity_ = popularity
        self.slots_.set_popularity(popularity)

    def _add(self, documents: list[ProductDocument], *, vectors: np.ndarray | None = None, fit_char: bool = False) -> None:
        if not documents:
            return
        slots = self.slots_
        titles = [normalise(document.title) for document in documents]
        surfaces = [surface_tokens(title, normalised=True) for title in titles]
        analysed: dict[str | None, list[str]] = {}  # brands and categories repeat: each distinct text once

        def terms_of(text: str | None) -> list[str]:
            found = analysed.get(text)
            if found is None:
                found = analysed[text] = _terms(text)
            return found

        fields = {name: [] for name in self.field_weights}
        for document, surface in zip(documents, surfaces):
            for name in fields:
                fields[name].append([stem(token) for token in surface] if name == "title" else terms_of(document.field(name)))
        self.lexical_.add(fields)
        counts: Counter[str] = Counter()
        for surface in surfaces:
            counts.update(surface)
        labels = Counter(" ".join(filter(None, [document.brand, document.category])) for document in documents)
        for label, times in labels.items():
            for token in surface_tokens(label):
                counts[token] += times
        self.speller_.add(counts)
        if self.semantic:
            if vectors is None:
                vectors = encode([document.semantic_text for document in documents])
            self.dense_.add(vectors)
        new_rows = self.char_.fit_transform(titles) if fit_char else self.char_.transform(titles)
        self.char_matrix_ = new_rows if self.char_matrix_ is None else _vstack(self.char_matrix_, new_rows)
        slots.append(documents, title_terms=fields["title"], title_text=titles)
        slots.set_popularity(self.popularity_)
        self.parser_ = QueryParser(brands=slots.brand_names())

    def _tombstone(self, product_id: str) -> bool:
        slot = self.slots_.slot_of.get(product_id)
        if slot is None:
            return False
        self.slots_.remove(slot)
        self.lexical_.remove(slot)
        if self.semantic:
            self.dense_.remove(slot)
        return True

    def _require_fitted(self) -> None:
        if self.slots_ is None:
            raise NotFittedError("the search index is empty: call fit(products) (or run `llm4retail search train`) first")

    # -- querying ------------------------------------------------------------------------------
    def semantic_text(self, query: str) -> str | None:
        """The text `understand` encodes for `query` (the query less its price phrase), or None."""
        if not self.semantic or getattr(self, "parser_", None) is None:
            return None
        text = self.parser_.parse(query).text
        return text if text.strip() else None

    def understand(self, query: str, *, vector: np.ndarray | None = None) -> QueryContext:
        """Parse, correct and expand a query once."""
        self._require_fitted()
        parsed = self.parser_.parse(query)
        corrected, corrections = self.speller_.correct(surface_tokens(parsed.text))
        terms = [stem(token) for token in corrected]
        context = QueryContext(
            parsed, terms, [f"{c.original} → {c.corrected}" for c in corrections], normalise(parsed.text).strip()
        )
        context.expansions = [word for term in terms for word in self.synonyms.get(term, ()) if word not in terms]
        context.char_vector = self.char_.transform([normalise(" ".join(corrected))]) if corrected else None
        if self.semantic and parsed.text.strip():
            context.vector = vector if vector is not None else encode_query(parsed.text)
        return context

    def candidates(
        self, context: QueryContext, *, filters: SearchFilters | None = None, recent_product_ids: Sequence[str] = (),
        also: Sequence[str] = (),
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate slots within the filters (with the products `also` names, when within them) and their
        feature matrix."""
        slots = self.slots_
        context.price_filter = resolve_price_filter(
            filters, context.parsed, column=slots.currency, alive=slots.alive, rates=self.rates
        )
        mask = slots.filter_mask(filters, price=context.price_filter, rates=self.rates)
        bm25_title: np.ndarray | None = None
        if context.terms:
            bm25, bm25_title = self.lexical_.scores_and_field(context.terms, "title")
        else:
            bm25 = np.zeros(slots.n, dtype=np.float32)
        if context.expansions:
            bm25 = bm25 + SYNONYM_WEIGHT * self.lexical_.scores(context.expansions)
        bm25 = np.where(mask, bm25, 0.0)
        lexical = _top(bm25, self.bm25_depth)
        semantic = np.zeros(0, dtype=np.int64)
        if context.vector is not None and self.dense_depth:
            semantic, similarity = self.dense_.search(context.vector, top_k=self.dense_depth, allowed=mask)
            semantic = semantic[similarity >= self.dense_min_similarity]
        chosen = np.union1d(lexical, semantic).astype(np.int64)
        if also:
            extra = np.fromiter((slots.slot_of[p] for p in also if p in slots.slot_of), dtype=np.int64)
            chosen = np.union1d(chosen, extra[mask[extra]]).astype(np.int64)
        if len(chosen) == 0:
            return chosen, np.zeros((0, len(FEATURES)), dtype=np.float32)
        dense = self.dense_.similarity(context.vector, chosen) if context.vector is not None else np.zeros(len(chosen))
        features = candidate_features(
            context,
            chosen,
            CandidateData(slots.title_terms, slots.title_text, slots.brands, slots.colours, slots.popularity, self.char_matrix_),
            bm25=bm25[chosen],
            bm25_title=bm25_title[chosen] if bm25_title is not None else np.zeros(len(chosen)),
            dense=dense.astype(np.float32),
            personal=slots.affinity(chosen, recent_product_ids),
        )
        return chosen, features

    def score(self, features: np.ndarray, *, use_reranker: bool = True) -> np.ndarray:
        """Ranking score of candidates: the learned reranker if fitted, else the zero-shot blend."""
        if use_reranker and self.reranker is not None and len(features):
            return self.reranker.predict(features)
        return zero_shot_score(features)

    def search(
        self,
        query: str,
        *,
        filters: SearchFilters | None = None,
        top_k: int = 10,
        offset: int = 0,
        recent_product_ids: Sequence[str] = (),
        explain: bool = False,
        diversify_results: bool = False,
        use_reranker: bool = True,
        fuse: Sequence[str] = (),
    ) -> SearchResponse:
        """One page of results for `query`; with `fuse`, another retriever's ranking (best first: voice search's
        phonetic match of a transcript) joins the candidates within the filters and the final order is the
        reciprocal-rank fusion of both rankings.

        Raises:
            DataValidationError: bad paging or a query over the length limit.
            NotFittedError: nothing indexed yet.
        """
        if top_k <= 0 or offset < 0:
            raise DataValidationError(f"top_k must be > 0 and offset >= 0, got top_k={top_k}, offset={offset}")
        context = self.understand(query)
        slots_, features = self.candidates(context, filters=filters, recent_product_ids=recent_product_ids, also=fuse)
        rewritten = None
        if len(slots_) == 0 and self.rewriter is not None and query.strip():
            rewritten = self.rewriter(query)
            if rewritten:
                context = self.understand(rewritten)
                slots_, features = self.candidates(context, filters=filters, recent_product_ids=recent_product_ids,
                                                   also=fuse)
        scores = self.score(features, use_reranker=use_reranker)
        if fuse:
            scores = _reciprocal_rank_fusion(scores, slots_, [self.slots_.slot_of.get(p, -1) for p in fuse])
        order = np.argsort(-scores, kind="stable")
        if diversify_results:
            order = diversify(order, scores, brands=self.slots_.brands[slots_], categories=self.slots_.categories[slots_])
        page = order[offset : offset + top_k]
        hits = [self.slots_.hit(int(slots_[i]), float(scores[i]), features[i] if explain else None, rates=self.rates)
                for i in page]
        return SearchResponse(
            query=query,
            total=len(slots_),
            hits=hits,
            facets=self.slots_.facets(slots_, rates=self.rates),
            understood={**self.slots_.understood(context, rates=self.rates), "rewritten": rewritten},
        )

    # -- the model contract ------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        return {
            "field_weights": self.field_weights,
            "synonyms": self.synonym_source,
            "semantic": self.semantic,
            "bm25_depth": self.bm25_depth,
            "dense_depth": self.dense_depth,
            "dense_min_similarity": self.dense_min_similarity,
        }

    def _state(self) -> ModelState:
        """The live products (compacted: tombstones are not saved), their embeddings, the synonym table
        (mined pairs included), popularity and the reranker (a part)."""
        self._require_fitted()
        live = sorted(self.slots_.slot_of.values())
        documents = "".join(
            json.dumps(dataclasses.asdict(self.slots_.documents[slot]), ensure_ascii=False, default=str) + "\n"
            for slot in live
        )
        return ModelState(
            arrays={"vectors": self.dense_.vectors[live]} if self.semantic else {},
            facts={"synonyms": {word: list(others) for word, others in self.synonyms.items()},
                   "popularity": self.popularity_},
            texts={"documents": documents},
            parts={"reranker": self.reranker} if self.reranker is not None else {},
        )  # fmt: skip

    def _restore(self, state: ModelState) -> None:
        """Re-indexes the saved products with their saved embeddings (text analysis is redone: it is
        deterministic, and the title terms, spelling counts and facets all come from it)."""
        documents = [ProductDocument(**json.loads(line)) for line in state.texts["documents"].splitlines() if line.strip()]
        vectors = np.asarray(state.arrays["vectors"], dtype=np.float32) if self.semantic else None
        self.fit_documents(documents, vectors=vectors)
        self.synonyms = {word: tuple(others) for word, others in state.facts["synonyms"].items()}
        self.popularity_ = {str(key): float(value) for key, value in state.facts["popularity"].items()}
        self.slots_.set_popularity(self.popularity_)
        reranker = state.parts.get("reranker")
        self.reranker = reranker if isinstance(reranker, Reranker) else None

    def sync(self, products: pd.DataFrame) -> dict[str, int]:
        """Bring the index in line with the catalog: add new, replace changed, drop missing products."""
        self._require_fitted()
        current = {d.product_id: d for d in documents_from_frame(products)}
        indexed = {pid: self.slots_.documents[slot] for pid, slot in self.slots_.slot_of.items()}
        changed = [d for pid, d in current.items() if indexed.get(pid) != d]
        removed = [pid for pid in indexed if pid not in current]
        self.delete(removed)
        for document in changed:
            self._tombstone(document.product_id)
        self._add(changed)
        return {"added_or_changed": len(changed), "removed": len(removed), "size": self.size}

    @property
    def size(self) -> int:
        """Live products in the index."""
        return 0 if self.slots_ is None else len(self.slots_.slot_of)


def _stemmed(synonyms: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Synonyms keyed and valued by analysed terms, as queries are."""
    table: dict[str, set[str]] = {}
    for word, others in synonyms.items():
        for key in _terms(word):
            table.setdefault(key, set()).update(term for other in others for term in _terms(other))
    return {key: tuple(sorted(values - {key})) for key, values in table.items()}


def _terms(text: str | None) -> list[str]:
    return [stem(token) for token in surface_tokens(text)] if text else []


def _top(scores: np.ndarray, depth: int) -> np.ndarray:
    positive = int((scores > 0).sum())
    if positive == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(depth, positive)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[scores[top] > 0]


def _vstack(top: Any, bottom: Any) -> Any:
    import scipy.sparse as sp

    return sp.vstack([top, bottom], format="csr")


RRF_K = 60  # the usual constant of reciprocal-rank fusion (Cormack et al., 2009)


def _reciprocal_rank_fusion(scores: np.ndarray, slots: np.ndarray, other: Sequence[int]) -> np.ndarray:
    """Scores whose order is the reciprocal-rank fusion of `scores`' ranking and `other` (slots, best first)."""
    rank = np.empty(len(scores), dtype=np.int64)
    rank[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    fused = 1.0 / (RRF_K + 1 + rank)
    position = {int(slot): index for index, slot in enumerate(slots)}
    for other_rank, slot in enumerate(other):
        index = position.get(int(slot))
        if index is not None:
            fused[index] += 1.0 / (RRF_K + 1 + other_rank)
    return fused
