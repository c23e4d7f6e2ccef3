"""The server's heap after start-up: loaded models are frozen out of the collector's generations, garbage is not."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm4retail.config import get_settings
from llm4retail.container import FULL_COLLECTION_EVERY, Services, settle_heap


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # later tests collect as usual
    gc.set_threshold(*thresholds)


def test_settle_heap_collects_cycles_then_freezes_what_lives() -> None:
    garbage, kept = Node(), Node()
    garbage.other, kept.other = garbage, kept  # two reference cycles: only the collector frees them
    gone = weakref.ref(garbage)
    del garbage
    gc.unfreeze()
    settle_heap()
    assert gone() is None, "a cycle that was garbage before settling must be collected, not frozen"
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] == FULL_COLLECTION_EVERY  # full collections stay rare with nothing long-lived left
    assert not any(item is kept for item in gc.get_objects()), "a live object must be frozen (out of the generations)"
    settle_heap()  # again, e.g. after a model was replaced: still one frozen heap, nothing lost
    assert kept.other is kept


def test_start_up_loading_ends_with_a_frozen_heap(tmp_path: Path) -> None:
    services = Services(get_settings(data_dir=tmp_path / "store"))
    services.store.create_schema()
    try:
        gc.unfreeze()
        assert gc.get_freeze_count() == 0
        services.train_missing(background=False, train=False)  # what `serve` runs at start-up
        assert gc.get_freeze_count() > 0
    finally:
        services.close()
