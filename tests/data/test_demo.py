"""The bundled demo store: passes the contract's own validation and loads identically on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llm4retail.data.demo import init_demo_store
from llm4retail.data.readers import RawChunk
from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.store import Store
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.data.validate import validate_chunk

SMALL = {"n_products": 300, "n_customers": 120, "n_days_sales": 120, "n_sales_products": 5}


@pytest.mark.unit
def test_every_demo_row_passes_the_importer_validation() -> None:
    demo = generate_demo_store(seed=3, **SMALL)
    for table, frame in demo.tables.items():
        raw = frame.astype(object).where(frame.notna(), None)
        chunk = RawChunk(raw, np.arange(2, len(frame) + 2), [])
        result = validate_chunk(SPECS[table], chunk, source=table.value, key_prefix=table.value)
        assert result.rejections == [], (table, result.rejections[:3])
        assert len(result.frame) == len(frame)


@pytest.mark.integration
def test_demo_init_loads_and_is_idempotent(store: Store, tmp_path: Path) -> None:
    first = init_demo_store(store, data_dir=tmp_path, seed=5)
    counts = store.counts()
    assert counts == first and counts["products"] == 2000 and counts["events"] > 50_000
    assert init_demo_store(store, data_dir=tmp_path, seed=5) == first
    assert store.counts() == counts
    truth = json.loads((tmp_path / "demo" / "truth.json").read_text(encoding="utf-8"))
    assert truth["seed"] == 5 and truth["policies"]["return_days"] > 0
    orders = store.read_frame(Table.ORDERS)
    assert (orders["total"] > 0).all()
    assert pd.api.types.is_datetime64_any_dtype(orders["created_at"])
