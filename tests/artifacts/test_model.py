"""The artefact contract on a toy model: save/load round trip, parts, type and format checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from llm4retail.artifacts import Artifact, ModelState, data_fingerprint, load_model, read_meta, register_model
from llm4retail.errors import ArtifactFormatError, NotFittedError, NotTrainedError

pytestmark = pytest.mark.unit


class ToyBase(Artifact):
    capability = "toy"
    train_command = "llm4retail toy train"


@register_model("linear")
class ToyLinear(ToyBase):
    def __init__(self, *, scale: float = 1.0) -> None:
        self.scale = scale
        self.weights_: np.ndarray | None = None
        self.labels_: list[str] | None = None

    def fit(self, features: np.ndarray) -> ToyLinear:
        self.weights_ = features.mean(axis=0) * self.scale
        self.labels_ = ["a", "b"]
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        self._require_fitted(self.weights_)
        return features @ self.weights_

    def get_params(self) -> dict[str, Any]:
        return {"scale": self.scale}

    def _state(self) -> ModelState:
        self._require_fitted(self.weights_)
        return ModelState(arrays={"weights": self.weights_, "graph": sp.eye(3, format="csr")},
                          facts={"labels": self.labels_}, texts={"dump": "tree 1"})

    def _restore(self, state: ModelState) -> None:
        self.weights_ = state.arrays["weights"]
        self.labels_ = state.facts["labels"]
        assert state.arrays["graph"].nnz == 3 and state.texts["dump"] == "tree 1"


@register_model("pair")
class ToyPair(ToyBase):
    def __init__(self, first: ToyLinear, second: ToyLinear) -> None:
        self.first, self.second = first, second

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.first.predict(features) + self.second.predict(features)

    def _state(self) -> ModelState:
        return ModelState(parts={"first": self.first, "second": self.second})

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> ToyPair:
        return cls(state.parts["first"], state.parts["second"])  # type: ignore[arg-type]


class Unregistered(ToyBase):
    pass


FEATURES = np.arange(12, dtype=np.float64).reshape(4, 3)


def test_round_trip_gives_identical_predictions_and_meta(tmp_path: Path) -> None:
    model = ToyLinear(scale=2.0).fit(FEATURES)
    model.save(tmp_path, data_hash=data_fingerprint(FEATURES), metrics={"mae": 0.5})
    loaded = ToyBase.load(tmp_path)
    assert isinstance(loaded, ToyLinear) and loaded.scale == 2.0
    np.testing.assert_array_equal(loaded.predict(FEATURES), model.predict(FEATURES))
    meta = read_meta(tmp_path)
    assert meta.type == "toy.linear" and meta.format_version == 1 and meta.metrics == {"mae": 0.5}
    assert meta.data_hash == data_fingerprint(FEATURES) != data_fingerprint(FEATURES + 1)


def test_composite_saves_parts(tmp_path: Path) -> None:
    pair = ToyPair(ToyLinear().fit(FEATURES), ToyLinear(scale=3.0).fit(FEATURES))
    pair.save(tmp_path)
    loaded = load_model(tmp_path)
    assert isinstance(loaded, ToyPair) and loaded.second.scale == 3.0
    np.testing.assert_array_equal(loaded.predict(FEATURES), pair.predict(FEATURES))


def test_refuses_other_format_version_with_retrain_command(tmp_path: Path) -> None:
    ToyLinear().fit(FEATURES).save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactFormatError, match="format 99.*retrain with `llm4retail toy train`"):
        ToyLinear.load(tmp_path)


def test_refuses_a_legacy_meta_and_another_kind(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "meta.json").write_text(json.dumps({"model": "ease", "format": 1}))
    with pytest.raises(ArtifactFormatError, match="earlier llm4retail.*retrain with `llm4retail toy train`"):
        ToyLinear.load(tmp_path / "old")
    ToyPair(ToyLinear().fit(FEATURES), ToyLinear().fit(FEATURES)).save(tmp_path / "pair")
    with pytest.raises(ArtifactFormatError, match="'toy.pair' model, not a ToyLinear"):
        ToyLinear.load(tmp_path / "pair")


def test_missing_folder_and_unfitted_and_unregistered(tmp_path: Path) -> None:
    with pytest.raises(NotTrainedError, match="train one with `llm4retail toy train`"):
        ToyLinear.load(tmp_path / "nothing")
    with pytest.raises(NotFittedError):
        ToyLinear().save(tmp_path / "unfitted")
    with pytest.raises(NotImplementedError, match="register_model"):
        Unregistered().save(tmp_path / "unregistered")
