"""Saving and loading a search index: `meta.json`, `documents.jsonl`, `vectors.npy`, `reranker.txt`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from llm4retail import __version__
from llm4retail.errors import NotFittedError
from llm4retail.search.catalog import ProductDocument
from llm4retail.search.rerank import Reranker

if TYPE_CHECKING:
    from llm4retail.search.engine import SearchEngine

FORMAT = 1


def save_engine(engine: SearchEngine, directory: Path) -> None:
    """Write the live slots of `engine` (compacted: tombstones are not written)."""
    directory.mkdir(parents=True, exist_ok=True)
    live = sorted(engine.slots_.slot_of.values())
    with open(directory / "documents.jsonl", "w", encoding="utf-8") as handle:
        for slot in live:
            handle.write(json.dumps(dataclasses.asdict(engine.slots_.documents[slot]), ensure_ascii=False, default=str))
            handle.write("\n")
    if engine.semantic:
        np.save(directory / "vectors.npy", engine.dense_.vectors[live], allow_pickle=False)
    reranker_file = directory / "reranker.txt"
    if engine.reranker is not None:
        engine.reranker.save(reranker_file)
    elif reranker_file.exists():
        reranker_file.unlink()
    meta: dict[str, Any] = {
        "format": FORMAT,
        "version": __version__,
        "products": len(live),
        "params": {
            "field_weights": engine.field_weights,
            "synonyms": {key: list(value) for key, value in engine.synonyms.items()},
            "semantic": engine.semantic,
            "bm25_depth": engine.bm25_depth,
            "dense_depth": engine.dense_depth,
            "dense_min_similarity": engine.dense_min_similarity,
        },
        "popularity": engine.popularity_,
    }
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def load_engine(cls: type[SearchEngine], directory: Path) -> SearchEngine:
    """Rebuild an engine from `save_engine`'s files."""
    meta_file = directory / "meta.json"
    if not meta_file.is_file():
        raise NotFittedError(f"no search index in {directory}: build one with `llm4retail search --rebuild`")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    engine = cls(**meta["params"])
    with open(directory / "documents.jsonl", encoding="utf-8") as handle:
        documents = [ProductDocument(**json.loads(line)) for line in handle if line.strip()]
    vectors = np.load(directory / "vectors.npy", allow_pickle=False) if engine.semantic else None
    engine.fit_documents(documents, vectors=vectors)
    engine.popularity_ = {str(key): float(value) for key, value in meta.get("popularity", {}).items()}
    engine.slots_.set_popularity(engine.popularity_)
    if (directory / "reranker.txt").is_file():
        engine.reranker = Reranker.load(directory / "reranker.txt")
    return engine
