"""What `llm4retail catalog train` fits: the extractor on a whole catalog, with its training report."""

from __future__ import annotations

from typing import Any

import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.catalog.evaluate import catalog_inputs
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.values import choose_attributes
from llm4retail.errors import DataValidationError


def fit_extractor(products: pd.DataFrame, *, top: int = 20) -> tuple[CatalogExtractor, dict[str, Any], str]:
    """Fits the extractor on every product; returns it, its report and the hash of the training texts.

    Raises:
        DataValidationError: no attribute is stated in the texts often enough.
    """
    texts, table, ids = catalog_inputs(products)
    specs = choose_attributes(texts, table, top=top)
    if not specs:
        raise DataValidationError("no attribute of these products is stated in their titles or descriptions often enough")
    extractor = CatalogExtractor().fit(texts, table, specs, keys=ids)
    report = {
        "attributes": [spec.label for spec in specs],
        "chains": {spec.label: "+".join(extractor.chains_[spec.key]) for spec in specs},
        "validation_f1": {spec.label: extractor.validation_f1_.get(spec.key) for spec in specs},
        "products": len(texts),
    }
    return extractor, report, data_fingerprint(ids, texts)
