"""The batch jobs: what each computes for one chunk of keys, with the served models of a `Services`.

A job's `compute` is a pure function of the served models, the store's rows and the chunk's keys, so
it gives the same rows in this process or on a Ray worker (which builds its own `Services` from the same
settings). Rows go to the job's output table (`llm4retail.batch.tables`), keyed so that writing a chunk
again replaces its rows rather than adding to them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from llm4retail.batch.tables import FORECASTS, PAYMENT_SCORES, PRODUCT_EMBEDDINGS, RECOMMENDATIONS, REVIEW_ANALYSES
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError

NO_CUSTOMER = ""  # the chunk key of payments without a customer


@dataclass(frozen=True)
class BatchJob:
    """One kind of batch work.

    Attributes:
        name: the name the CLI and the ledger use.
        description: one line for `llm4retail batch list`.
        keys: every key of the job, sorted: the store's rows the job covers.
        compute: the output rows of one chunk of keys.
        model: the served model the rows come from (a new model starts a new run).
        output: the job's output table.
        output_key: the output column holding the chunk key (a chunk's old rows are replaced by key).
        defaults: the job's parameters and their defaults.
        chunk_size: keys per chunk by default (about a second or two of work on one core).
        written: called in the driver with (services, model, rows) after a chunk's rows are committed, e.g. to
            fill a cache in front of the output table (None: nothing).
        deleted: called with (services, model, keys) after the rows of keys no longer in the store are deleted.
    """

    name: str
    description: str
    keys: Callable[[Services], list[str]]
    compute: Callable[[Services, Mapping[str, Any], Sequence[str]], list[dict[str, Any]]]
    model: Callable[[Services], str]
    output: sa.Table
    output_key: str
    defaults: Mapping[str, Any]
    chunk_size: int
    written: Callable[[Services, str, list[dict[str, Any]]], None] | None = None
    deleted: Callable[[Services, str, list[str]], None] | None = None


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else 0.0


# -- "for you" for every customer ------------------------------------------------------------------------
def _customer_keys(services: Services) -> list[str]:
    return [str(key) for key in services.store.distinct_values(Table.CUSTOMERS, "customer_id")]


def _recommend(services: Services, params: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    top_k = int(params["top_k"])
    rows = []
    for customer_id in keys:
        for rank, item in enumerate(services.recommend.for_customer(customer_id, top_k=top_k, use_precomputed=False), start=1):
            rows.append({"customer_id": customer_id, "rank": rank, "product_id": item.product_id,
                         "score": _finite(item.score), "reason": item.reason})  # fmt: skip
    return rows


def _cache_lists(services: Services, model: str, rows: list[dict[str, Any]]) -> None:
    """Server mode: the chunk's lists go to the Redis cache at once (write-through)."""
    from llm4retail.recommend.precomputed import lists_of

    services.recommend.precomputed.put(model, lists_of(rows))


def _forget_lists(services: Services, model: str, keys: list[str]) -> None:
    services.recommend.precomputed.forget(model, keys)


# -- sentiment and aspects of every review ---------------------------------------------------------------
def _review_keys(services: Services) -> list[str]:
    return [str(key) for key in services.store.distinct_values(Table.REVIEWS, "review_id")]


def _reviews(services: Services, params: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    frame = services.store.read_where(Table.REVIEWS, "review_id", keys, columns=["review_id", "product_id", "text"])
    if frame.empty:
        return []
    results = services.reviews.analyze([str(text) for text in frame["text"]])["results"]
    return [
        {"review_id": str(review_id), "product_id": None if product_id is None else str(product_id),
         "language": result["language"], "sentiment": result["sentiment"],
         "positive_probability": float(result["positive_probability"]), "aspects": result["aspects"]}
        for review_id, product_id, result in zip(frame["review_id"], frame["product_id"], results, strict=True)
    ]  # fmt: skip


# -- risk scores of a payments backlog ---------------------------------------------------------------------
def _payment_keys(services: Services) -> list[str]:
    """Customers with payments (a customer's velocity features need all of its payments in one chunk), and
    `NO_CUSTOMER` when some payments have none."""
    customers = [str(key) for key in services.store.distinct_values(Table.PAYMENTS, "customer_id")]
    payments = services.store.tables[Table.PAYMENTS]
    with services.store.transaction() as connection:
        anonymous = connection.execute(
            sa.select(sa.func.count()).select_from(payments).where(payments.c.customer_id.is_(None))
        ).scalar_one()
    return ([NO_CUSTOMER] if anonymous else []) + customers


def _payments(services: Services, params: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    from llm4retail.risk.batch import score_payments

    store = services.store
    named = [key for key in keys if key != NO_CUSTOMER]
    frames = [store.read_where(Table.PAYMENTS, "customer_id", named)] if named else []
    if NO_CUSTOMER in keys:
        payments = store.tables[Table.PAYMENTS]
        with store.transaction() as connection:
            query = sa.select(payments).where(payments.c.customer_id.is_(None)).order_by(payments.c.payment_id)
            frames.append(pd.read_sql(query, connection))
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return []
    frame = pd.concat(frames, ignore_index=True)
    scored = score_payments(services.risk.model(), frame)
    customer_keys = frame["customer_id"].astype(object).where(frame["customer_id"].notna(), NO_CUSTOMER).astype(str)
    return [
        {"payment_id": str(payment_id), "customer_key": key, "score": _finite(score), "decision": str(decision)}
        for payment_id, key, score, decision in zip(
            scored["payment_id"], customer_keys, scored["score"], scored["decision"], strict=True
        )
    ]


# -- forecasts with intervals and inventory advice of every sales series --------------------------------------
def _series_key(product_id: object, store_id: object) -> str:
    return f"{product_id}@{store_id}"


def _forecast_keys(services: Services) -> list[str]:
    history = services.forecast.forecaster().history_
    assert history is not None
    return sorted(_series_key(p, s) for p, s in zip(history.keys["product_id"], history.keys["store_id"], strict=True))


_FORECASTS: dict[str, tuple[dict[str, int], Any, list[Any]]] = {}  # per process: model -> (index, forecast, advice)


def _forecast_all(services: Services) -> tuple[dict[str, int], Any, list[Any]]:
    """The served forecaster's forecast and advice of every series, computed once per process and model (the
    global model forecasts all series in one pass; chunks then take their series)."""
    from llm4retail.inventory.advice import advise
    from llm4retail.inventory.base import InventorySettings

    model = _forecast_model(services)
    if model not in _FORECASTS:
        auto = services.forecast.forecaster()
        history = auto.history_
        assert history is not None
        index = {_series_key(p, s): i for i, (p, s) in enumerate(zip(history.keys["product_id"], history.keys["store_id"], strict=True))}
        advice = advise(auto, InventorySettings(), on_hand=services.inventory.stock_by_series())
        _FORECASTS.clear()
        _FORECASTS[model] = (index, auto.forecast(), advice)
    return _FORECASTS[model]


def _forecasts(services: Services, params: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    from dataclasses import asdict

    index, result, advice = _forecast_all(services)
    rows = []
    for key in keys:
        if key not in index:
            continue
        series = result.series(index[key])
        rows.append({"series": key, "product_id": series["product_id"], "store_id": series["store_id"],
                     "forecast": series["forecast"], "advice": _json_ready(asdict(advice[index[key]]))})  # fmt: skip
    return rows


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    """Advice fields as JSON values (dates as ISO text, numpy numbers as floats, non-finite as null)."""
    ready: dict[str, Any] = {}
    for name, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, (float, int)) and not isinstance(value, bool) or hasattr(value, "item"):
            value = float(value)
            value = value if math.isfinite(value) else None
        ready[name] = value
    return ready


def _forecast_model(services: Services) -> str:
    services.forecast.forecaster()  # raises NotTrainedError before any work
    return f"forecast/{services.forecast.models.latest()}"


def _risk_model(services: Services) -> str:
    services.risk.model()  # raises NotTrainedError before any work
    return f"risk/{services.risk.models.latest()}"


# -- embeddings of the whole catalog for the search index -------------------------------------------------
def _product_keys(services: Services) -> list[str]:
    return [str(key) for key in services.store.distinct_values(Table.PRODUCTS, "product_id")]


def _embeddings(services: Services, params: Mapping[str, Any], keys: Sequence[str]) -> list[dict[str, Any]]:
    from llm4retail.search.catalog import documents_from_frame
    from llm4retail.search.stored import encode_documents, text_hash

    documents = documents_from_frame(services.store.read_where(Table.PRODUCTS, "product_id", keys))
    # a Ray task gets OMP_NUM_THREADS = its CPUs; in this process the encoder's default
    threads = int(os.environ.get("OMP_NUM_THREADS") or 0) or None
    vectors = encode_documents(documents, threads=threads)
    return [{"product_id": document.product_id, "text_hash": text_hash(document.semantic_text),
             "vector": vector.astype(np.float32).tobytes()}
            for document, vector in zip(documents, vectors, strict=True)]  # fmt: skip


def _encoder(services: Services) -> str:
    from llm4retail.search.stored import encoder_id

    return encoder_id()


JOBS: dict[str, BatchJob] = {
    job.name: job
    for job in (
        BatchJob(
            name="recommend",
            description="'for you' top-K of every customer into batch_recommendations",
            keys=_customer_keys, compute=_recommend, model=lambda services: services.recommend.model_name,
            output=RECOMMENDATIONS, output_key="customer_id", defaults={"top_k": 20}, chunk_size=200,
            written=_cache_lists, deleted=_forget_lists,
        ),
        BatchJob(
            name="reviews",
            description="sentiment and aspects of every review into batch_review_analyses",
            keys=_review_keys, compute=_reviews, model=lambda services: services.reviews.model_name(),
            output=REVIEW_ANALYSES, output_key="review_id", defaults={}, chunk_size=500,
        ),
        BatchJob(
            name="risk",
            description="risk score and decision of every payment into batch_payment_scores (chunked by customer)",
            keys=_payment_keys, compute=_payments, model=_risk_model,
            output=PAYMENT_SCORES, output_key="customer_key", defaults={}, chunk_size=200,
        ),
        BatchJob(
            name="forecast",
            description="forecast with intervals and inventory advice of every sales series into batch_forecasts",
            keys=_forecast_keys, compute=_forecasts, model=_forecast_model,
            output=FORECASTS, output_key="series", defaults={}, chunk_size=100,
        ),
        BatchJob(
            name="embed",
            description="embeddings of every product into batch_product_embeddings (search train reuses them)",
            keys=_product_keys, compute=_embeddings, model=_encoder,
            output=PRODUCT_EMBEDDINGS, output_key="product_id", defaults={}, chunk_size=1000,
        ),
    )
}  # fmt: skip


def get_job(name: str) -> BatchJob:
    """The job called `name`.

    Raises:
        DataValidationError: no job has this name (the message lists them).
    """
    if name not in JOBS:
        raise DataValidationError(f"no batch job '{name}'; the jobs are: {', '.join(JOBS)}")
    return JOBS[name]


def job_params(job: BatchJob, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The job's parameters: its defaults, overridden by `given` (unknown names refused).

    Raises:
        DataValidationError: a parameter the job does not take.
    """
    given = dict(given or {})
    unknown = sorted(set(given) - set(job.defaults))
    if unknown:
        takes = ", ".join(job.defaults) or "no parameters"
        raise DataValidationError(f"batch job '{job.name}' takes {takes}; not {', '.join(unknown)}")
    return {**job.defaults, **{key: type(job.defaults[key])(value) for key, value in given.items()}}
