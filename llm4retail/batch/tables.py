"""The tables of batch jobs, beside the contract tables in the store's database: the ledger of runs and
chunks that makes a job resumable, and one output table per job.

A run plans its chunks once (the keys of each chunk are kept in the ledger), and each chunk's output
rows are written in the same transaction that marks the chunk done, so a crash leaves every chunk
either complete or not started, and a re-run computes only the chunks still pending.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from llm4retail.recommend.precomputed import RECOMMENDATIONS  # read back by the recommend service

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
METADATA = sa.MetaData()
__all__ = ["CHUNKS", "FORECASTS", "METADATA", "PAYMENT_SCORES", "PRODUCT_EMBEDDINGS", "RECOMMENDATIONS", "REVIEW_ANALYSES",
           "RUNS"]

RUNS = sa.Table(
    "batch_runs", METADATA,
    sa.Column("run_id", sa.Text, primary_key=True),
    sa.Column("job", sa.Text, nullable=False, index=True),
    sa.Column("params", _JSON, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # running, done, abandoned
    sa.Column("chunks", sa.Integer, nullable=False),
    sa.Column("key_count", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
)  # fmt: skip
CHUNKS = sa.Table(
    "batch_chunks", METADATA,
    sa.Column("run_id", sa.Text, sa.ForeignKey("batch_runs.run_id"), primary_key=True),
    sa.Column("chunk", sa.Integer, primary_key=True),
    sa.Column("key_list", _JSON, nullable=False),
    sa.Column("state", sa.Text, nullable=False),  # pending, done
    sa.Column("rows", sa.Integer),
    sa.Column("seconds", sa.Float),
    sa.Column("finished_at", sa.DateTime),
)  # fmt: skip

REVIEW_ANALYSES = sa.Table(
    "batch_review_analyses", METADATA,
    sa.Column("review_id", sa.Text, primary_key=True),
    sa.Column("product_id", sa.Text, index=True),
    sa.Column("language", sa.Text),
    sa.Column("sentiment", sa.Text, nullable=False),
    sa.Column("positive_probability", sa.Float, nullable=False),
    sa.Column("aspects", _JSON, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
)  # fmt: skip
PAYMENT_SCORES = sa.Table(
    "batch_payment_scores", METADATA,
    sa.Column("payment_id", sa.Text, primary_key=True),
    sa.Column("customer_key", sa.Text, nullable=False, index=True),  # the chunk key: customer id, "" for none
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
)  # fmt: skip
FORECASTS = sa.Table(
    "batch_forecasts", METADATA,
    sa.Column("series", sa.Text, primary_key=True),  # product_id@store_id
    sa.Column("product_id", sa.Text, nullable=False, index=True),
    sa.Column("store_id", sa.Text),
    sa.Column("forecast", _JSON, nullable=False),  # [{date, mean, lower_<level>, upper_<level>, open}, ...]
    sa.Column("advice", _JSON, nullable=False),  # the inventory advice of the series (llm4retail.inventory)
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
)  # fmt: skip
PRODUCT_EMBEDDINGS = sa.Table(
    "batch_product_embeddings", METADATA,
    sa.Column("product_id", sa.Text, primary_key=True),
    sa.Column("text_hash", sa.Text, nullable=False),  # sha256 of the text embedded: a changed product is re-embedded
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, L2-normalised, the encoder's dimension
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("run_id", sa.Text, nullable=False, index=True),
)  # fmt: skip
