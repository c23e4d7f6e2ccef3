"""Batch jobs: in-process and Ray give the same rows, a killed run resumes to exactly one complete result,
and every chunk is written once (real Ray on 2 CPUs, the real PostgreSQL, the embedded SQLite)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import redis
import sqlalchemy as sa

from llm4retail.batch import JOBS, batch_runs, run_batch
from llm4retail.batch.runner import _commit
from llm4retail.batch.tables import CHUNKS, RUNS
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import DataValidationError, NotTrainedError
from tests.conftest import postgres_engine_url

SIZES = {"n_products": 300, "n_customers": 120, "n_days_sales": 60, "n_sales_products": 4}


def _fill_and_train(services: Services) -> Services:
    demo = generate_demo_store(seed=7, **SIZES)
    for table, frame in demo.tables.items():
        services.store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    services.recommend.train(models=["ease"])
    services.reviews.train_on_start()
    services.risk.train()
    services.forecast.train()
    return services


@pytest.fixture(scope="module")
def sqlite_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """A small demo store in the embedded database with recommend, reviews and risk trained."""
    data_dir = tmp_path_factory.mktemp("batch-sqlite")
    return _fill_and_train(Services(get_settings(data_dir=data_dir)))


@pytest.fixture(scope="module")
def postgres_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The same store in a PostgreSQL schema of its own (dropped afterwards)."""
    engine = sa.create_engine(postgres_engine_url())
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{postgres_engine_url()}?options=-csearch_path%3D{schema}"
    services = Services(get_settings(data_dir=tmp_path_factory.mktemp("batch-pg"), database_url=url))
    try:
        yield _fill_and_train(services)
    finally:
        services.store.close()
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def _output(services: Services, job: str) -> pd.DataFrame:
    table = JOBS[job].output
    with services.store.transaction() as connection:
        frame = pd.read_sql(sa.select(table).order_by(*table.primary_key.columns), connection)
    return frame


@pytest.mark.parametrize("job", sorted(JOBS))
def test_ray_and_in_process_give_the_same_rows(postgres_services: Services, local_ray: None, job: str) -> None:
    size = 2 if job == "forecast" else 37  # 4 sales series, 60 to 277 other keys: several chunks each
    in_process = run_batch(postgres_services, job, chunk_size=size, restart=True)
    expected = _output(postgres_services, job)
    on_ray = run_batch(postgres_services, job, chunk_size=size, ray="auto", restart=True)
    got = _output(postgres_services, job)

    assert (in_process.mode, on_ray.mode) == ("in-process", "ray")
    assert in_process.state == on_ray.state == "done" and on_ray.computed == on_ray.chunks > 1
    assert len(expected) == in_process.rows == on_ray.rows > 0
    assert set(got["run_id"]) == {on_ray.run_id}  # every row rewritten by the Ray run
    pd.testing.assert_frame_equal(expected.drop(columns="run_id"), got.drop(columns="run_id"))


def test_every_key_is_covered_once(sqlite_services: Services) -> None:
    report = run_batch(sqlite_services, "recommend", params={"top_k": 7}, restart=True)
    rows = _output(sqlite_services, "recommend")
    customers = sqlite_services.store.read_frame(Table.CUSTOMERS, columns=["customer_id"])["customer_id"]
    assert report.keys == len(customers) and set(rows["customer_id"]) == set(customers)
    assert rows.groupby("customer_id")["rank"].apply(list).map(lambda ranks: ranks == list(range(1, 8))).all()
    payments = run_batch(sqlite_services, "risk", restart=True)
    scores = _output(sqlite_services, "risk")
    assert payments.rows == len(scores) == sqlite_services.store.count(Table.PAYMENTS)
    assert set(scores["decision"]) <= {"approve", "review", "decline"}
    forecasts = run_batch(sqlite_services, "forecast", chunk_size=2, restart=True)
    rows = _output(sqlite_services, "forecast")
    assert forecasts.chunks == 2 and len(rows) == rows["series"].nunique() == SIZES["n_sales_products"]
    first = rows.iloc[0]
    assert first["series"] == f"{first['product_id']}@{first['store_id']}"
    assert len(first["forecast"]) == sqlite_services.forecast.horizon
    assert all(point["lower_90"] <= point["mean"] <= point["upper_90"] for point in first["forecast"])
    assert first["advice"]["reorder_point"] >= first["advice"]["lead_time_demand"] >= 0


def test_stopped_run_resumes_with_only_its_missing_chunks(sqlite_services: Services) -> None:
    first = run_batch(sqlite_services, "reviews", chunk_size=50, restart=True, max_chunks=2)
    assert first.state == "running" and first.computed == 2 and not first.resumed
    second = run_batch(sqlite_services, "reviews", chunk_size=999)  # a resumed run keeps its own plan
    assert second.resumed and second.run_id == first.run_id
    assert second.already_done == 2 and second.computed == first.chunks - 2 and second.state == "done"
    rows = _output(sqlite_services, "reviews")
    assert len(rows) == sqlite_services.store.count(Table.REVIEWS) == first.rows + second.rows
    assert set(rows["run_id"]) == {first.run_id}


def test_other_parameters_abandon_the_unfinished_run_and_leave_no_stale_rows(sqlite_services: Services) -> None:
    old = run_batch(sqlite_services, "recommend", params={"top_k": 9}, chunk_size=10, restart=True, max_chunks=1)
    new = run_batch(sqlite_services, "recommend", params={"top_k": 3}, chunk_size=10)
    assert not new.resumed and new.run_id != old.run_id and new.state == "done"
    states = {run["run_id"]: run["state"] for run in batch_runs(sqlite_services.store, job="recommend")}
    assert states[old.run_id] == "abandoned" and states[new.run_id] == "done"
    rows = _output(sqlite_services, "recommend")
    assert rows.groupby("customer_id").size().eq(3).all() and set(rows["run_id"]) == {new.run_id}


def test_rows_of_keys_that_are_gone_are_deleted_when_a_run_ends(sqlite_services: Services) -> None:
    run_batch(sqlite_services, "reviews", restart=True)
    gone = str(_output(sqlite_services, "reviews")["review_id"].iloc[0])
    sqlite_services.store.delete(Table.REVIEWS, (gone,))
    run_batch(sqlite_services, "reviews")
    assert gone not in set(_output(sqlite_services, "reviews")["review_id"])


def test_a_chunk_is_written_once(sqlite_services: Services) -> None:
    report = run_batch(sqlite_services, "risk", restart=True, max_chunks=1)
    job = JOBS["risk"]
    with sqlite_services.store.transaction() as connection:
        chunk, keys = connection.execute(
            sa.select(CHUNKS.c.chunk, CHUNKS.c.key_list).where(CHUNKS.c.run_id == report.run_id, CHUNKS.c.state == "done")
        ).one()
    rows = job.compute(sqlite_services, {}, keys)
    before = len(_output(sqlite_services, "risk"))
    assert not _commit(sqlite_services.store, job, report.run_id, report.model, chunk, keys, rows, 0.1)
    assert len(_output(sqlite_services, "risk")) == before


def test_bad_requests_are_refused_clearly(sqlite_services: Services, tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="the jobs are: recommend, reviews, risk, forecast"):
        run_batch(sqlite_services, "everything")
    with pytest.raises(DataValidationError, match="takes top_k; not depth"):
        run_batch(sqlite_services, "recommend", params={"depth": 3})
    with pytest.raises(DataValidationError, match="chunk size"):
        run_batch(sqlite_services, "recommend", chunk_size=0)
    untrained = Services(get_settings(data_dir=tmp_path / "empty"))
    with pytest.raises(NotTrainedError, match="llm4retail risk train"):
        run_batch(untrained, "risk")


def _cli(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "llm4retail.cli", "--data-dir", str(data_dir), *args]


def test_a_killed_job_rerun_ends_with_exactly_one_complete_result(sqlite_services: Services) -> None:
    data_dir = sqlite_services.settings.data_dir
    expected = run_batch(sqlite_services, "recommend", params={"top_k": 5}, chunk_size=1, restart=True)
    reference = _output(sqlite_services, "recommend").drop(columns="run_id")

    process = subprocess.Popen(  # noqa: S603 - our own CLI
        _cli(data_dir, "-q", "batch", "run", "recommend", "--param", "top_k=5", "--chunk-size", "1", "--restart"),
        env={**os.environ, "LLM4RETAIL_DATA_DIR": str(data_dir)},
    )
    deadline = time.monotonic() + 120
    done = 0
    while done < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
        with sqlite_services.store.transaction() as connection:
            done = connection.execute(
                sa.select(sa.func.count()).select_from(CHUNKS.join(RUNS))
                .where(RUNS.c.state == "running", CHUNKS.c.state == "done")
            ).scalar_one()  # fmt: skip
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert done >= 3, "the job ended before it could be killed mid-way"
    killed = [run for run in batch_runs(sqlite_services.store, job="recommend") if run["state"] == "running"]
    assert len(killed) == 1 and killed[0]["chunks_done"] < killed[0]["chunks"]

    resumed = run_batch(sqlite_services, "recommend", params={"top_k": 5}, chunk_size=1)
    assert resumed.resumed and resumed.run_id == killed[0]["run_id"]
    assert resumed.already_done == killed[0]["chunks_done"] and resumed.already_done + resumed.computed == expected.chunks
    result = _output(sqlite_services, "recommend")
    assert set(result["run_id"]) == {resumed.run_id}
    pd.testing.assert_frame_equal(result.drop(columns="run_id"), reference)


def test_cli_runs_lists_and_reports(sqlite_services: Services) -> None:
    data_dir = sqlite_services.settings.data_dir
    listed = subprocess.run(_cli(data_dir, "batch", "list"), capture_output=True, text=True, check=True)  # noqa: S603
    assert "recommend" in listed.stdout and "top_k=20" in listed.stdout
    bad = subprocess.run(_cli(data_dir, "batch", "run", "risk", "--param", "x"), capture_output=True, text=True)  # noqa: S603
    assert bad.returncode == 2 and "NAME=VALUE" in bad.stderr
    ran = subprocess.run(_cli(data_dir, "-q", "batch", "run", "risk", "--ray", "off", "--json"),  # noqa: S603
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert '"state": "done"' in ran.stdout and '"mode": "in-process"' in ran.stdout
    status = subprocess.run(_cli(data_dir, "batch", "status", "--job", "risk"), capture_output=True, text=True, check=True)  # noqa: S603
    assert "done" in status.stdout and "risk-" in status.stdout


def test_recommender_selection_on_ray_fits_the_same_candidates(sqlite_services: Services, local_ray: None) -> None:
    from llm4retail.recommend.evaluate import select_model

    events = sqlite_services.store.read_frame(Table.EVENTS)
    products = sqlite_services.store.read_frame(Table.PRODUCTS)
    names = ["popularity", "itemknn", "ease", "graph", "hybrid"]
    here, model_here, _ = select_model(events, dataset="small", models=names, products=products)
    there, model_there, _ = select_model(events, dataset="small", models=names, products=products, ray="auto")
    assert here.best == there.best and type(model_here) is type(model_there)
    for name in names:
        for metric, value in here.models[name].items():
            if metric != "train_seconds":
                assert there.models[name][metric] == pytest.approx(value, abs=1e-9), (name, metric)


def test_forecaster_choice_on_ray_is_the_same(sqlite_services: Services, local_ray: None) -> None:
    import numpy as np

    from llm4retail.forecast.auto import AutoForecaster
    from llm4retail.forecast.base import ForecastModel
    from llm4retail.forecast.panel import panel_from_sales

    panel = panel_from_sales(sqlite_services.store.read_frame(Table.SALES))
    models = [ForecastModel.SEASONAL_NAIVE, ForecastModel.ETS, ForecastModel.LIGHTGBM]
    here = AutoForecaster(7, models=models).fit(panel)
    there = AutoForecaster(7, models=models).fit(panel, ray="auto")
    assert here.chosen_ == there.chosen_ and here.validation_ == pytest.approx(there.validation_, rel=1e-9)
    np.testing.assert_allclose(here.forecast().point, there.forecast().point, rtol=1e-9)


def test_precomputed_lists_are_served_and_reranked_with_what_happened_since(sqlite_services: Services) -> None:
    recommend = sqlite_services.recommend
    run_batch(sqlite_services, "recommend", params={"top_k": 20}, restart=True)
    rows = _output(sqlite_services, "recommend")
    customer = str(rows["customer_id"].iloc[0])
    listed = list(rows[rows["customer_id"] == customer].sort_values("rank")["product_id"])
    served = [item.product_id for item in recommend.for_customer(customer, top_k=10)]
    assert len(served) == 10 and set(served) <= set(listed)

    bought = served[0]
    event = {"event_id": "e-after-batch", "customer_id": customer, "product_id": bought, "event_type": "purchase", "seq": 10**9}
    sqlite_services.store.upsert_records(Table.EVENTS, [event])
    sqlite_services.events_recorded([event])
    again = [item.product_id for item in recommend.for_customer(customer, top_k=10)]
    assert bought not in again and set(again) <= set(listed)  # live: what was bought since is left out

    with sqlite_services.store.transaction() as connection:  # a list from another model is never served
        connection.execute(JOBS["recommend"].output.update().values(model="an older model"))
    fresh = recommend.for_customer(customer, top_k=10, use_precomputed=False)
    assert [item.product_id for item in recommend.for_customer(customer, top_k=10)] == [item.product_id for item in fresh]


REDIS_URL = os.environ.get("LLM4RETAIL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_workers(postgres_services: Services) -> Iterator[tuple[Services, Services, redis.Redis]]:
    """Two server-mode containers over the PostgreSQL store and the real Redis (a fresh key prefix): the one
    that runs the batch job and an API worker; the prefix's keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is required by the server-mode tests but is not reachable at {REDIS_URL} ({error})", pytrace=False)
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    base = postgres_services.settings
    workers = [Services(base.model_copy(update={"redis_url": REDIS_URL, "redis_prefix": prefix})) for _ in range(2)]
    try:
        yield workers[0], workers[1], client
    finally:
        for worker in workers:
            worker.recommend.precomputed.close()
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def _cached(client: redis.Redis, services: Services, customer: str) -> list[list[Any]] | None:
    precomputed = services.recommend.precomputed
    value = client.get(precomputed.key(customer, services.recommend.model_name))
    return None if value is None else json.loads(value)


def test_server_mode_caches_the_precomputed_lists_in_redis(redis_workers) -> None:  # noqa: ANN001
    batch, api, client = redis_workers
    run_batch(batch, "recommend", params={"top_k": 20}, restart=True)
    rows = _output(batch, "recommend")
    customers = sorted(set(rows["customer_id"]))
    # write-through: every customer's list is in Redis as the store has it, best first
    for customer in customers[:25]:
        stored = rows[rows["customer_id"] == customer].sort_values("rank")
        cached = _cached(client, batch, customer)
        assert cached is not None and [item[0] for item in cached] == list(stored["product_id"])
    assert 0 < client.ttl(batch.recommend.precomputed.key(customers[0], batch.recommend.model_name)) <= 7 * 24 * 3600

    # another worker serves from Redis: with the store's rows of a customer gone, its list is still served
    customer = customers[0]
    listed = list(rows[rows["customer_id"] == customer].sort_values("rank")["product_id"])
    with batch.store.transaction() as connection:
        connection.execute(JOBS["recommend"].output.delete().where(JOBS["recommend"].output.c.customer_id == customer))
    served = [item.product_id for item in api.recommend.for_customer(customer, top_k=10)]
    assert api.recommend.precomputed.cache_hits >= 1 and set(served) <= set(listed) and len(served) == 10

    # a miss is read from the store once and cached (an empty list too: the store has none for it now)
    client.delete(api.recommend.precomputed.key(customer, api.recommend.model_name))
    api.recommend.for_customer(customer, top_k=10)
    assert _cached(client, api, customer) == []
    other = customers[1]
    client.delete(api.recommend.precomputed.key(other, api.recommend.model_name))
    hits = api.recommend.precomputed.cache_hits
    api.recommend.for_customer(other, top_k=10)
    assert api.recommend.precomputed.cache_hits == hits and _cached(client, api, other) == _cached(client, batch, other)
    assert [item[0] for item in _cached(client, api, other) or []] == list(
        rows[rows["customer_id"] == other].sort_values("rank")["product_id"])

    # the next run rewrites the lists and drops the keys of customers that are gone from the store
    gone = customers[2]
    batch.store.delete(Table.CUSTOMERS, (gone,))
    run_batch(batch, "recommend", params={"top_k": 20})
    assert _cached(client, batch, gone) is None
    assert [item[0] for item in _cached(client, batch, customer) or []] == listed  # written through again


def test_a_redis_that_does_not_answer_falls_back_to_the_store(sqlite_services: Services,
                                                              caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    from llm4retail.recommend.precomputed import PrecomputedLists

    run_batch(sqlite_services, "recommend", params={"top_k": 20}, restart=True)
    rows = _output(sqlite_services, "recommend")
    customer = str(rows["customer_id"].iloc[0])
    model = sqlite_services.recommend.model_name
    lists = PrecomputedLists(sqlite_services.store, redis_url="redis://127.0.0.1:1/0")
    with caplog.at_level("WARNING"):
        got = lists.get(customer, model=model)
    assert [product for product, _, _ in got] == list(rows[rows["customer_id"] == customer].sort_values("rank")["product_id"])
    assert "cannot read Redis" in caplog.text


def test_search_train_reuses_the_embeddings_of_the_embed_job(sqlite_services: Services) -> None:
    from llm4retail.search.catalog import documents_from_frame
    from llm4retail.search.request import SearchRequest
    from llm4retail.search.stored import encode_documents

    report = run_batch(sqlite_services, "embed", chunk_size=100, restart=True)
    products = sqlite_services.store.read_frame(Table.PRODUCTS)
    assert report.state == "done" and report.rows == len(products) and report.chunks == 3
    trained = sqlite_services.search.train(reranker=False)
    assert trained["embeddings"] == {"stored": len(products), "encoded": 0}
    engine = sqlite_services.search.engine()
    fresh = encode_documents(documents_from_frame(products))
    assert np.allclose(engine.dense_.vectors[: len(products)], fresh, atol=1e-5)  # the index one build would make

    # a product whose text changed since the job is encoded again; the others are reused
    changed = products.iloc[[0]].assign(title="Completely different waterproof hiking boots")
    sqlite_services.store.upsert(Table.PRODUCTS, changed[[name for name in SPECS[Table.PRODUCTS].names if name in changed]])
    assert sqlite_services.search.train(reranker=False)["embeddings"] == {"stored": len(products) - 1, "encoded": 1}
    hits = sqlite_services.search.search(SearchRequest(query="waterproof hiking boots", top_k=3))
    assert hits.hits and hits.hits[0].product_id == str(changed["product_id"].iloc[0])
