"""The bundled demo store: generate the synthetic store and load it into a `Store`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from llm4retail.data.schemas import SPECS
from llm4retail.data.store import Store
from llm4retail.data.synthetic import generate_demo_store
from llm4retail.errors import storage_faults

logger = logging.getLogger(__name__)
TRUTH_FILE = Path("demo") / "truth.json"
CHUNK_ROWS = 50_000


def init_demo_store(store: Store, *, data_dir: Path, seed: int = 42, reset: bool = False) -> dict[str, int]:
    """Generate the deterministic demo store and upsert it.

    Running it twice gives the same rows (keys are deterministic). The generator's
    ground truth (price elasticities, policy numbers, fraud rate) is written to
    `<data_dir>/demo/truth.json` for evaluations.

    Args:
        store: target store.
        data_dir: where the ground truth file goes.
        seed: random seed; the same seed gives the same store.
        reset: drop every table first.

    Returns:
        Rows written per table.

    Raises:
        StorageFullError: the disk filled up (tables written before stay; run it again once there is room).
        StorageReadOnlyError: the data directory or the database refuses writes.
    """
    if reset:
        store.drop_all()
    store.create_schema()
    demo = generate_demo_store(seed=seed)
    written: dict[str, int] = {}
    for table, frame in demo.tables.items():
        frame = frame[[name for name in SPECS[table].names if name in frame.columns]]
        with store.transaction() as connection:
            for start in range(0, len(frame), CHUNK_ROWS):
                store.upsert(table, frame.iloc[start : start + CHUNK_ROWS], connection=connection)
        written[table.value] = len(frame)
        logger.info("demo store: %s rows of %s", len(frame), table.value)
    truth_path = data_dir / TRUTH_FILE
    with storage_faults(truth_path):
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        truth_path.write_text(json.dumps({"seed": seed, **demo.truth}, ensure_ascii=False, indent=1), encoding="utf-8")
    return written
