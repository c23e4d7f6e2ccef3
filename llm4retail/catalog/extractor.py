"""The catalog attribute extractor: rules + learned tagger (+ dictionary fallback), chained per attribute.

For each attribute the order in which the methods are asked (the first answer
wins) is chosen by F1 on a validation part of the training products, e.g.
`rules > tagger` for a cable length, `tagger > dictionary` for a connector.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.catalog.base import AttributeExtractor, Extraction, check_inputs, score_extractions
from llm4retail.catalog.rules import DictionaryExtractor, RuleExtractor
from llm4retail.catalog.tagger import TaggerExtractor
from llm4retail.catalog.values import AttributeSpec
from llm4retail.data.splits import hash_buckets

CHAINS: tuple[tuple[str, ...], ...] = (
    ("rules",), ("tagger",), ("rules", "tagger"), ("tagger", "rules"),
    ("rules", "dictionary"), ("tagger", "dictionary"), ("rules", "tagger", "dictionary"), ("tagger", "rules", "dictionary"),
)
VALIDATION_PERCENT = 15


def _members() -> dict[str, AttributeExtractor]:
    return {"dictionary": DictionaryExtractor(), "rules": RuleExtractor(), "tagger": TaggerExtractor()}


@register_model("extractor")
class CatalogExtractor(AttributeExtractor):
    """Rules, tagger and dictionary chained per attribute, the chain chosen on validation.

    The members are saved as parts of the composite (`parts/rules`, `parts/tagger`, `parts/dictionary`).

    Example:
        >>> extractor = CatalogExtractor().fit(texts, truth, specs)
        >>> extractor.extract(["HP 305 ink cartridge Original Black 2 ml"])
        [{'brand': 'HP', 'product_colour': 'Black', ...}]
    """

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

    def _state(self) -> ModelState:
        facts = {"specs": self.spec_facts(), "chains": {k: list(v) for k, v in self.chains_.items()},
                 "validation_f1": self.validation_f1_, "members": list(self.members_)}
        return ModelState(facts=facts, parts=dict(self.members_))

    def _restore(self, state: ModelState) -> None:
        facts = state.facts
        self.specs_ = self.specs_from_facts(facts)
        self.chains_ = {k: tuple(v) for k, v in facts["chains"].items()}
        self.validation_f1_ = dict(facts["validation_f1"])
        self.members_ = {name: state.parts[name] for name in facts["members"]}  # type: ignore[misc]


def _first(rows: tuple[Extraction, ...], chain: tuple[str, ...], key: str) -> Any:
    for row in rows:
        if row.get(key) is not None:
            return row[key]
    return None
