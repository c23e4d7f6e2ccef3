"""Every registered model class: fit on tiny data → save → load → identical predictions; old formats refused."""

from __future__ import annotations

import importlib
import importlib.util
import json
import pkgutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import llm4retail
from llm4retail.artifacts import Artifact, read_meta, registered_models
from llm4retail.errors import ArtifactFormatError
from tests.contract import ContractCase

pytestmark = pytest.mark.unit
TESTS = Path(__file__).parent


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(llm4retail.__path__, prefix="llm4retail."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)


def _cases() -> dict[str, ContractCase]:
    cases: dict[str, ContractCase] = {}
    for path in sorted(TESTS.glob("*/contract.py")):
        spec = importlib.util.spec_from_file_location(f"contract_{path.parent.name}", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
        for case in module.CASES:
            assert case.model_type not in cases, f"two contract cases for {case.model_type}"
            cases[case.model_type] = case
    return cases


CASES = _cases()


def test_every_registered_model_class_has_a_contract_case() -> None:
    _import_every_module()
    registered = {name for name, cls in registered_models().items() if cls.__module__.startswith("llm4retail.")}
    missing = sorted(registered - set(CASES))
    assert not missing, f"registered model classes without a case in tests/<capability>/contract.py: {missing}"
    assert not sorted(set(CASES) - registered), "contract cases for types that are not registered"


def _assert_same(before: Any, after: Any) -> None:
    if isinstance(before, dict):
        assert before.keys() == after.keys()
        for key in before:
            _assert_same(before[key], after[key])
    elif isinstance(before, list | tuple) and before and not np.isscalar(before[0]):
        assert len(before) == len(after)
        for left, right in zip(before, after, strict=True):
            _assert_same(left, right)
    else:
        np.testing.assert_array_equal(np.asarray(before), np.asarray(after))


@pytest.mark.parametrize("model_type", sorted(CASES))
def test_round_trip_and_format_check(model_type: str, tmp_path: Path) -> None:
    case = CASES[model_type]
    model = case.fit()
    assert model.model_type == model_type
    before = case.predict(model)
    model.save(tmp_path / "model", data_hash="abc", metrics={"score": 1.0})
    loaded = Artifact.load(tmp_path / "model")
    assert type(loaded) is type(model)
    _assert_same(before, case.predict(loaded))
    assert read_meta(tmp_path / "model").data_hash == "abc"

    meta_path = tmp_path / "model" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = model.format_version + 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactFormatError, match=r"retrain with `llm4retail [a-z]"):
        type(model).load(tmp_path / "model")
