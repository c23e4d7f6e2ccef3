"""The shape of a model-contract case; each capability lists its cases in `tests/<capability>/contract.py`.

A case fits one registered model class on tiny data (seconds at most) and returns what its
predictions are compared by. `tests/test_model_contract.py` runs every case through save → load
and checks that every registered model class has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llm4retail.artifacts import Artifact


@dataclass(frozen=True)
class ContractCase:
    """One model class under the contract.

    Attributes:
        model_type: the registered type, e.g. `recommend.ease`.
        fit: returns the model fitted on tiny data.
        predict: what is compared before and after the round trip (arrays, lists, dicts of them).
    """

    model_type: str
    fit: Callable[[], Artifact]
    predict: Callable[[Artifact], Any]
