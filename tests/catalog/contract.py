"""Model-contract cases of the attribute extractors: each fitted on a hundred synthetic cable titles."""

from __future__ import annotations

from functools import cache

import pandas as pd

from llm4retail.catalog.base import AttributeExtractor
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.rules import DictionaryExtractor, RuleExtractor
from llm4retail.catalog.tagger import TaggerExtractor
from tests.catalog.conftest import BRANDS, SPECS, catalog
from tests.contract import ContractCase


@cache
def _data() -> tuple[list[str], pd.DataFrame, list[str]]:
    texts, truth = catalog(120, seed=6)
    probe, _ = catalog(20, seed=7, brands=BRANDS + ["Zorg"])
    return texts, truth, probe


def _fit(extractor: AttributeExtractor) -> AttributeExtractor:
    texts, truth, _ = _data()
    return extractor.fit(texts, truth, SPECS)


def _predict(extractor: AttributeExtractor) -> dict[str, object]:
    rows = extractor.extract(_data()[2])
    return {"found": [sorted(map(str, row.items())) for row in rows],
            "specs": [spec.key for spec in extractor._fitted_specs()]}


CASES = [
    ContractCase("catalog.dictionary", lambda: _fit(DictionaryExtractor()), _predict),  # type: ignore[arg-type]
    ContractCase("catalog.rules", lambda: _fit(RuleExtractor()), _predict),  # type: ignore[arg-type]
    ContractCase("catalog.tagger", lambda: _fit(TaggerExtractor(epochs=5)), _predict),  # type: ignore[arg-type]
    ContractCase("catalog.extractor", lambda: _fit(CatalogExtractor()), _predict),  # type: ignore[arg-type]
]
