"""The bundled demo store: generate the synthetic store and load it into a `Store`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from llm4retail.data.schemas import SPECS, Table
from llm4retail.data.store import Store
from llm4retail.data.synthetic import generate_demo_store, generate_scaled_blocks
from llm4retail.errors import storage_faults

logger = logging.getLogger(__name__)
TRUTH_FILE = Path("demo") / "truth.json"
CHUNK_ROWS = 50_000


def init_demo_store(store: Store, *, data_dir: Path, seed: int = 42, reset: bool = False, scale: int = 1) -> dict[str, int]:
    """Generate the deterministic demo store and upsert it.

    Running it twice gives the same rows (keys are deterministic). The generator's
    ground truth (price elasticities, policy numbers, fraud rate) is written to
    `<data_dir>/demo/truth.json` for evaluations.

    Args:
        store: target store.
        data_dir: where the ground truth file goes.
        seed: random seed; the same seed gives the same store.
        reset: drop every table first.
        scale: 1 for the demo store; N > 1 for a store N times its size, generated and written one block of
            the demo's size at a time, so memory stays that of one block (`generate_scaled_blocks`).

    Returns:
        Rows written per table.

    Raises:
        StorageFullError: the disk filled up (tables written before stay; run it again once there is room).
        StorageReadOnlyError: the data directory or the database refuses writes.
    """
    if reset:
        store.drop_all()
    store.create_schema()
    written: dict[str, int] = {}
    if scale == 1:
        demo = generate_demo_store(seed=seed)
        _write(store, demo.tables, written)
        truth = demo.truth
    else:
        for block, tables, block_truth in generate_scaled_blocks(seed=seed, scale=scale):
            if block == 0:
                truth = {**block_truth, "scale": scale}
            _write(store, tables, written)
            logger.info("demo store: block %d/%d written (%s rows so far)", block + 1, scale, f"{sum(written.values()):,}")
    truth_path = data_dir / TRUTH_FILE
    with storage_faults(truth_path):
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        truth_path.write_text(json.dumps({"seed": seed, **truth}, ensure_ascii=False, indent=1), encoding="utf-8")
    return written


def _write(store: Store, tables: dict[Table, pd.DataFrame], written: dict[str, int]) -> None:
    """Upserts each table's frame in chunks, one transaction per table; adds the row counts to `written`."""
    for table, frame in tables.items():
        frame = frame[[name for name in SPECS[table].names if name in frame.columns]]
        with store.transaction() as connection:
            for start in range(0, len(frame), CHUNK_ROWS):
                store.upsert(table, frame.iloc[start : start + CHUNK_ROWS], connection=connection)
        written[table.value] = written.get(table.value, 0) + len(frame)
        logger.info("demo store: %s rows of %s", len(frame), table.value)
