"""The attribute-extraction capability: one abstract extractor that every method implements.

Every extractor is an `Artifact` of capability `catalog`: versions of the trained extractor
live in `<data-dir>/models/catalog/vNNNN` (`llm4retail catalog train`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import Artifact
from llm4retail.catalog.values import AttributeSpec, same_value
from llm4retail.errors import DataValidationError, NotFittedError

Extraction = dict[str, Any]


class AttributeExtractor(Artifact, ABC):
    """Extracts catalog attributes (brand, colour, capacity, ...) from product texts.

    Subclasses register with `@register_model`, implement `fit`, `extract` and the `Artifact`
    hooks; their `_state` saves the fitted specs as the fact `specs` (`spec_facts`), their
    `_restore` reads them back (`specs_from_facts`).
    """

    capability = "catalog"
    train_command = "llm4retail catalog train"
    specs_: list[AttributeSpec] | None = None

    @abstractmethod
    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> Self:
        """Learns from product texts and their known attributes (one column per spec key)."""

    @abstractmethod
    def extract(self, texts: list[str]) -> list[Extraction]:
        """For each text, attribute key -> extracted value (only the attributes found)."""

    def evaluate(self, texts: list[str], truth: pd.DataFrame) -> dict[str, float]:
        """Per-attribute `<label>_precision`, `_recall`, `_f1`, and their macro mean `macro_f1`."""
        return score_extractions(self.extract(texts), truth, self._fitted_specs())

    def spec_facts(self) -> list[dict[str, Any]]:
        """The fitted specs as JSON facts."""
        return [{"key": s.key, "numeric": s.numeric, "count": s.count} for s in self._fitted_specs()]

    @staticmethod
    def specs_from_facts(facts: dict[str, Any]) -> list[AttributeSpec]:
        """The specs saved by `spec_facts` under the fact `specs`."""
        return [AttributeSpec(**spec) for spec in facts["specs"]]

    def _fitted_specs(self) -> list[AttributeSpec]:
        if self.specs_ is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit(texts, truth, specs) first")
        return self.specs_


def check_inputs(texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> None:
    """Raises DataValidationError unless texts and truth align and every spec has a column."""
    if len(texts) != len(truth) or not texts:
        raise DataValidationError(f"texts and truth must be non-empty and aligned, got {len(texts)} and {len(truth)}")
    missing = [spec.key for spec in specs if spec.key not in truth.columns]
    if missing or not specs:
        raise DataValidationError(f"attributes missing from the truth table: {missing or 'no attribute given'}")


def score_extractions(extractions: list[Extraction], truth: pd.DataFrame, specs: list[AttributeSpec]) -> dict[str, float]:
    """Precision, recall and F1 per attribute over the products whose true value is known.

    Catalog attributes are incomplete (a product without a value may still have
    the property), so only products with a known value count: precision is
    correct / extracted among them, recall correct / known.
    """
    metrics: dict[str, float] = {}
    f1s = []
    for spec in specs:
        known = truth[spec.key].notna().to_numpy()
        extracted = correct = 0
        for row in np.flatnonzero(known):
            value = extractions[row].get(spec.key)
            if value is None:
                continue
            extracted += 1
            correct += same_value(value, truth[spec.key].iloc[row], numeric=spec.numeric)
        precision = correct / extracted if extracted else 0.0
        recall = correct / known.sum() if known.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        metrics.update({f"{spec.label}_precision": precision, f"{spec.label}_recall": recall, f"{spec.label}_f1": f1})
        f1s.append(f1)
    metrics["macro_f1"] = float(np.mean(f1s)) if f1s else 0.0
    return metrics
