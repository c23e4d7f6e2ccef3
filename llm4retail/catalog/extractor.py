"""The catalog attribute extractor: rules + learned tagger (+ dictionary fallback), chained per attribute.

For each attribute the order in which the methods are asked (the first answer
wins) is chosen by F1 on a validation part of the training products, e.g.
`rules > tagger` for a cable length, `tagger > dictionary` for a connector.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail import __version__
from llm4retail.catalog.base import META_FILE, AttributeExtractor, Extraction, check_inputs, score_extractions
from llm4retail.catalog.rules import DictionaryExtractor, RuleExtractor
from llm4retail.catalog.tagger import TaggerExtractor
from llm4retail.catalog.values import AttributeSpec
from llm4retail.data.splits import hash_buckets
from llm4retail.errors import DataValidationError

CHAINS: tuple[tuple[str, ...], ...] = (
    ("rules",), ("tagger",), ("rules", "tagger"), ("tagger", "rules"),
    ("rules", "dictionary"), ("tagger", "dictionary"), ("rules", "tagger", "dictionary"), ("tagger", "rules", "dictionary"),
)
VALIDATION_PERCENT = 15


def _members() -> dict[str, AttributeExtractor]:
    return {"dictionary": DictionaryExtractor(), "rules": RuleExtractor(), "tagger": TaggerExtractor()}


class CatalogExtractor(AttributeExtractor):
    """Rules, tagger and dictionary chained per attribute, the chain chosen on validation.

    Example:
        >>> extractor = CatalogExtractor().fit(texts, truth, specs)
        >>> extractor.extract(["HP 305 ink cartridge Original Black 2 ml"])
        [{'brand': 'HP', 'product_colour': 'Black', ...}]
    """

    kind = "catalog"

    def __init__(self) -> None:
        self.members_: dict[str, AttributeExtractor] = {}
        self.chains_: dict[str, tuple[str, ...]] = {}
        self.validation_f1_: dict[str, float] = {}

    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec], *, keys: list[str] | None = None) -> Self:
        """Chooses each attribute's chain on a validation part, then refits the members on all products.

        Args:
            texts: product texts.
            truth: known attributes, one column per spec key.
            specs: attributes to extract.
            keys: product ids (the validation part is chosen by their hash); default: row numbers.
        """
        check_inputs(texts, truth, specs)
        self.specs_ = list(specs)
        keys = keys if keys is not None else [str(i) for i in range(len(texts))]
        held = hash_buckets(keys, salt="catalog-validation:") < VALIDATION_PERCENT
        if held.any() and not held.all():
            fit_rows, val_rows = np.flatnonzero(~held), np.flatnonzero(held)
            fitted = self._fit_members([texts[i] for i in fit_rows], truth.iloc[fit_rows], specs)
            val_texts, val_truth = [texts[i] for i in val_rows], truth.iloc[val_rows]
            answers = {name: member.extract(val_texts) for name, member in fitted.items()}
            for spec in specs:
                scored = [(self._chain_f1(answers, chain, val_truth, spec), -len(chain), chain) for chain in CHAINS]
                best = max(scored)
                self.chains_[spec.key], self.validation_f1_[spec.key] = best[2], best[0]
        else:
            self.chains_ = {spec.key: ("rules", "tagger", "dictionary") for spec in specs}
        self.members_ = self._fit_members(texts, truth, specs)
        return self

    @staticmethod
    def _fit_members(texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> dict[str, AttributeExtractor]:
        return {name: member.fit(texts, truth, specs) for name, member in _members().items()}

    @staticmethod
    def _chain_f1(answers: dict[str, list[Extraction]], chain: tuple[str, ...], truth: pd.DataFrame, spec: AttributeSpec) -> float:
        merged = []
        for rows in zip(*(answers[name] for name in chain), strict=True):
            value = _first(rows, chain, spec.key)
            merged.append({} if value is None else {spec.key: value})
        return score_extractions(merged, truth, [spec])[f"{spec.label}_f1"]

    def extract(self, texts: list[str]) -> list[Extraction]:
        """Each attribute from the first member of its chain that finds one."""
        specs = self._fitted_specs()
        answers = {name: member.extract(texts) for name, member in self.members_.items()}
        out = []
        for row in range(len(texts)):
            found: Extraction = {}
            for spec in specs:
                chain = self.chains_.get(spec.key, ("rules", "tagger", "dictionary"))
                value = _first(tuple(answers[name][row] for name in chain), chain, spec.key)
                if value is not None:
                    found[spec.key] = value
            out.append(found)
        return out

    def save(self, directory: Path) -> Path:
        """Saves each member in a sub-folder and the chains in `meta.json`."""
        directory.mkdir(parents=True, exist_ok=True)
        for name, member in self.members_.items():
            member.save(directory / name)
        specs = [{"key": s.key, "numeric": s.numeric, "count": s.count} for s in self._fitted_specs()]
        meta = {
            "kind": self.kind, "version": __version__, "specs": specs,
            "params": {"chains": {k: list(v) for k, v in self.chains_.items()}, "validation_f1": self.validation_f1_},
        }
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Reads an extractor written by `save`.

        Raises:
            DataValidationError: the folder holds no catalog extractor.
        """
        meta_path = directory / META_FILE
        if not meta_path.is_file():
            raise DataValidationError(f"{directory} holds no saved extractor ({META_FILE} is missing)")
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("kind") != cls.kind:
            raise DataValidationError(f"{directory} holds a '{meta.get('kind')}' extractor, not '{cls.kind}'")
        extractor = cls()
        extractor.specs_ = [AttributeSpec(**spec) for spec in meta["specs"]]
        extractor.chains_ = {k: tuple(v) for k, v in meta["params"]["chains"].items()}
        extractor.validation_f1_ = meta["params"].get("validation_f1", {})
        classes = {"dictionary": DictionaryExtractor, "rules": RuleExtractor, "tagger": TaggerExtractor}
        extractor.members_ = {name: kind.load(directory / name) for name, kind in classes.items()}
        return extractor

    def _arrays(self) -> dict[str, np.ndarray]:
        return {}

    def _params(self) -> dict[str, Any]:
        return {"chains": {k: list(v) for k, v in self.chains_.items()}}

    @classmethod
    def _from_saved(cls, params: dict[str, Any], arrays: dict[str, np.ndarray]) -> Self:
        raise DataValidationError("CatalogExtractor.load reads its members itself")


def _first(rows: tuple[Extraction, ...], chain: tuple[str, ...], key: str) -> Any:
    for row in rows:
        if row.get(key) is not None:
            return row[key]
    return None
