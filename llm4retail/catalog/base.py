"""The attribute-extraction capability: one abstract extractor that every method implements."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd

from llm4retail import __version__
from llm4retail.catalog.values import AttributeSpec, same_value
from llm4retail.errors import DataValidationError, NotFittedError

META_FILE = "meta.json"
ARRAYS_FILE = "arrays.npz"
Extraction = dict[str, Any]


class AttributeExtractor(ABC):
    """Extracts catalog attributes (brand, colour, capacity, ...) from product texts.

    Subclasses set `kind` and implement `fit`, `extract`, `_arrays`, `_params`, `_from_saved`.
    """

    kind: ClassVar[str]
    specs_: list[AttributeSpec] | None = None

    @abstractmethod
    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> Self:
        """Learns from product texts and their known attributes (one column per spec key)."""

    @abstractmethod
    def extract(self, texts: list[str]) -> list[Extraction]:
        """For each text, attribute key -> extracted value (only the attributes found)."""

    @abstractmethod
    def _arrays(self) -> dict[str, np.ndarray]:
        """Fitted state as arrays."""

    @abstractmethod
    def _params(self) -> dict[str, Any]:
        """JSON-able parameters and fitted facts."""

    @classmethod
    @abstractmethod
    def _from_saved(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> Self:
        """Rebuilds a fitted extractor."""

    def evaluate(self, texts: list[str], truth: pd.DataFrame) -> dict[str, float]:
        """Per-attribute `<label>_precision`, `_recall`, `_f1`, and their macro mean `macro_f1`."""
        return score_extractions(self.extract(texts), truth, self._fitted_specs())

    def save(self, directory: Path) -> Path:
        """Writes `arrays.npz` and `meta.json`."""
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / ARRAYS_FILE, **self._arrays())
        specs = [{"key": s.key, "numeric": s.numeric, "count": s.count} for s in self._fitted_specs()]
        meta = {"kind": self.kind, "version": __version__, "specs": specs, "params": self._params()}
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads an extractor written by `save`.

        Raises:
            DataValidationError: no extractor of this kind is saved there.
        """
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise DataValidationError(f"{directory} holds no saved extractor ({META_FILE} is missing)")
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("kind") != cls.kind:
            raise DataValidationError(f"{directory} holds a '{meta.get('kind')}' extractor, not '{cls.kind}'")
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
        extractor = cls._from_saved(meta["params"], arrays)
        extractor.specs_ = [AttributeSpec(**spec) for spec in meta["specs"]]
        return extractor

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
