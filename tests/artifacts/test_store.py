"""The model store: versions, LATEST, staging, pruning, listing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llm4retail.artifacts import ModelStore, list_models
from llm4retail.errors import NotTrainedError
from tests.artifacts.test_model import FEATURES, ToyBase, ToyLinear

pytestmark = pytest.mark.unit


def test_versions_latest_and_pruning(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, "toy", train_command="llm4retail toy train", keep=2)
    with pytest.raises(NotTrainedError, match="no toy model is trained yet; run `llm4retail toy train`"):
        store.load()
    for scale in (1.0, 2.0, 3.0):
        store.save(ToyLinear(scale=scale).fit(FEATURES), report={"scale": scale})
    assert store.latest() == "v0003"
    assert [info.version for info in store.versions()] == ["v0002", "v0003"]
    assert store.load(expected=ToyBase).scale == 3.0
    assert store.load("v0002").scale == 2.0
    assert store.report()["scale"] == 3.0
    with pytest.raises(NotTrainedError, match="version 'v0001'.*saved: v0002, v0003"):
        store.load("v0001")
    rows = list_models(tmp_path)
    assert [(row.capability, row.version, row.latest, row.model_type) for row in rows] == [
        ("toy", "v0002", False, "toy.linear"), ("toy", "v0003", True, "toy.linear")]


def test_failed_staging_leaves_latest_untouched(tmp_path: Path) -> None:
    store = ModelStore(tmp_path, "toy", train_command="llm4retail toy train")
    store.save(ToyLinear().fit(FEATURES), report={})
    with pytest.raises(RuntimeError):
        with store.stage(report={}) as staging:
            ToyLinear(scale=5.0).fit(FEATURES).save(staging / "model")
            raise RuntimeError("crash mid-training")
    assert store.latest() == "v0001" and not list(tmp_path.glob("toy/.staging-*"))
    np.testing.assert_array_equal(store.load().predict(FEATURES), ToyLinear().fit(FEATURES).predict(FEATURES))
