"""Saved recommenders: load any model by its `meta.json`, refit a chosen configuration, and keep versions.

Versions live in `<data_dir>/models/recommend/v<NNNN>/`: the model (`model/`), the
item vocabulary (`product_ids.json`) and the training report (`report.json`);
`LATEST` names the version the service loads. Older versions beyond `keep` are pruned.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.recommend.base import Recommender, read_meta
from llm4retail.recommend.data import Interactions


def model_classes() -> dict[str, type[Recommender]]:
    """Every saveable model class by its `name`."""
    from llm4retail.recommend.als import ALS
    from llm4retail.recommend.content import ContentKNN
    from llm4retail.recommend.graph import KnowledgeGraph
    from llm4retail.recommend.hybrid import Hybrid
    from llm4retail.recommend.neighbours import EASE, ItemKNN, Popularity, UserKNN
    from llm4retail.recommend.sasrec import SASRec

    return {cls.name: cls for cls in (Popularity, ItemKNN, UserKNN, EASE, ALS, KnowledgeGraph, ContentKNN, SASRec, Hybrid)}


def load_model(directory: Path) -> Recommender:
    """The model saved in `directory`, whatever its kind.

    Raises:
        NotFittedError: nothing is saved there.
        DataValidationError: an unknown model name.
    """
    name = read_meta(directory)["model"]
    classes = model_classes()
    if name not in classes:
        raise DataValidationError(f"{directory} holds an unknown model '{name}'; known: {sorted(classes)}")
    return classes[name].load(directory)


def refit(model: Recommender, interactions: Interactions, *, products: pd.DataFrame | None = None) -> Recommender:
    """A new model with `model`'s configuration (validation choices included) fitted on `interactions`."""
    from llm4retail.recommend.hybrid import Hybrid

    if isinstance(model, Hybrid):
        components = [refit(component, interactions, products=products) for component in model.components]
        return Hybrid(components, weights=model.weights_ or model.weights, prefitted=True).fit(interactions)
    params: dict[str, Any] = model.get_params()
    if "products" in inspect.signature(type(model)).parameters:
        params["products"] = products
    return type(model)(**params).fit(interactions)


@dataclass
class SavedModel:
    """A loaded version: the model, its vocabulary and its training report."""

    version: str
    model: Recommender
    product_ids: np.ndarray
    report: dict[str, Any]


class ModelVersions:
    """The versioned recommenders of one data directory.

    Args:
        data_dir: the store's data directory.
        keep: versions kept on disk (the newest).
    """

    def __init__(self, data_dir: Path, *, keep: int = 3) -> None:
        if keep < 1:
            raise DataValidationError(f"keep must be at least 1, got {keep}")
        self.root = Path(data_dir) / "models" / "recommend"
        self.keep = keep

    def latest(self) -> str | None:
        """The version the service should load, or None."""
        pointer = self.root / "LATEST"
        return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None

    def save(self, model: Recommender, product_ids: np.ndarray, report: dict[str, Any]) -> str:
        """Write a new version and point LATEST at it (atomically); returns its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[1:]) for p in self.root.glob("v[0-9]*") if p.name[1:].isdigit()]
        version = f"v{max(numbers, default=0) + 1:04d}"
        directory = self.root / version
        model.save(directory / "model")
        (directory / "product_ids.json").write_text(json.dumps([str(p) for p in product_ids]), encoding="utf-8")
        (directory / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
        temporary = self.root / "LATEST.tmp"
        temporary.write_text(version, encoding="utf-8")
        os.replace(temporary, self.root / "LATEST")
        self._prune()
        return version

    def load(self, version: str | None = None) -> SavedModel:
        """Load `version` (default: LATEST).

        Raises:
            NotFittedError: no version is saved, or `version` does not exist.
        """
        version = version or self.latest()
        if version is None or not (self.root / version).is_dir():
            raise NotFittedError(f"no saved recommender {version or ''} in {self.root}: run `llm4retail recommend train`")
        directory = self.root / version
        ids = np.array(json.loads((directory / "product_ids.json").read_text(encoding="utf-8")), dtype=object)
        report = json.loads((directory / "report.json").read_text(encoding="utf-8"))
        return SavedModel(version, load_model(directory / "model"), ids, report)

    def _prune(self) -> None:
        versions = sorted((p for p in self.root.glob("v[0-9]*") if p.is_dir()), key=lambda p: int(p.name[1:]))
        for old in versions[: -self.keep]:
            shutil.rmtree(old)
