"""`llm4retail catalog train`: fit the extractor on a whole catalog and version it in the data directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.catalog.evaluate import catalog_inputs
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.values import choose_attributes
from llm4retail.errors import DataValidationError
from llm4retail.models.registry import ModelRegistry


def train_extractor(products: pd.DataFrame, *, data_dir: Path, top: int = 20) -> dict[str, Any]:
    """Fits the extractor on every product and saves it as the LATEST `models/catalog` version.

    Raises:
        DataValidationError: no attribute is stated in the texts often enough.
    """
    texts, table, ids = catalog_inputs(products)
    specs = choose_attributes(texts, table, top=top)
    if not specs:
        raise DataValidationError("no attribute of these products is stated in their titles or descriptions often enough")
    extractor = CatalogExtractor().fit(texts, table, specs, keys=ids)
    registry = ModelRegistry(data_dir, "catalog")
    directory = registry.new_version()
    extractor.save(directory)
    report = {
        "attributes": [spec.label for spec in specs],
        "chains": {spec.label: "+".join(extractor.chains_[spec.key]) for spec in specs},
        "validation_f1": {spec.label: extractor.validation_f1_.get(spec.key) for spec in specs},
        "products": len(texts),
    }
    report["version"] = registry.publish(directory, report=report)
    return report
