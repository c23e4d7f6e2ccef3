"""`llm4retail search eval` (old name `eval search`) end to end on contract files written from the demo store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.search.evaluate import is_training_query

pytestmark = pytest.mark.integration


def test_eval_search_prints_four_blocks(tmp_path: Path) -> None:
    demo = generate_demo_store(seed=11, n_products=600, n_customers=60, n_days_sales=30, n_sales_products=2)
    demo.tables[Table.PRODUCTS].to_json(tmp_path / "products.jsonl", orient="records", lines=True, force_ascii=False)
    demo.tables[Table.QUERIES].to_csv(tmp_path / "queries.csv", index=False)
    demo.tables[Table.JUDGEMENTS].to_csv(tmp_path / "qrels.csv", index=False)
    result = CliRunner().invoke(
        app,
        ["eval", "search", "--products", str(tmp_path / "products.jsonl"), "--queries", str(tmp_path / "queries.csv"),
         "--qrels", str(tmp_path / "qrels.csv"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    blocks = report["models"]
    assert set(blocks) == {"bm25", "zero_shot", "learned", "zero_shot_heldout"}
    for block in blocks.values():
        assert {"ndcg@10", "recall@100", "mrr@10"} <= set(block)
        assert 0 <= block["ndcg@10"] <= 1
    # The demo's queries are built from product attributes, so every block should find them; its
    # judgements cover one language only, so cross-lingual hits count as misses here (see README).
    assert blocks["zero_shot"]["ndcg@10"] >= 0.85 and blocks["bm25"]["ndcg@10"] >= 0.85
    assert blocks["learned"]["ndcg@10"] >= blocks["zero_shot_heldout"]["ndcg@10"] - 0.05
    assert blocks["learned"]["queries"] == blocks["zero_shot_heldout"]["queries"] < blocks["zero_shot"]["queries"]
    assert report["latency_ms"]["p99"] > 0


def test_split_is_fixed_and_about_eighty_percent() -> None:
    ids = [f"q{i:05d}" for i in range(5000)]
    share = sum(map(is_training_query, ids)) / len(ids)
    assert 0.77 < share < 0.83
    assert [is_training_query(i) for i in ids[:50]] == [is_training_query(i) for i in ids[:50]]

