"""`llm4retail catalog eval`: extraction from titles and descriptions against the catalog's own attributes.

Protocol: products are split 80/20 by product-id hash. On the training part the
attributes to evaluate are chosen (the `top` most frequent ones that the text
states for at least 30% of the products that have them; `brand` counts when
the file has a brand column), the dictionary baseline, the rules and the tagger
are fitted, and the extractor's per-attribute chain is chosen on a validation
slice. The test products are scored once: per attribute precision, recall and
F1 over the products whose value is known.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from llm4retail.catalog.base import score_extractions
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.rules import DictionaryExtractor, RuleExtractor
from llm4retail.catalog.tagger import TaggerExtractor
from llm4retail.catalog.values import AttributeSpec, attribute_table, choose_attributes, product_text
from llm4retail.data.splits import hash_buckets
from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport

logger = logging.getLogger(__name__)
TEST_PERCENT = 20


def catalog_inputs(products: pd.DataFrame) -> tuple[list[str], pd.DataFrame, list[str]]:
    """Product texts, the attribute table and the product ids.

    Raises:
        DataValidationError: no title column.
    """
    if "title" not in products.columns:
        raise DataValidationError(f"products need a title column; found {sorted(products.columns)}")
    products = products.reset_index(drop=True)
    descriptions = products["description"] if "description" in products.columns else pd.Series([None] * len(products))
    texts = [product_text(title, description) for title, description in zip(products["title"], descriptions, strict=True)]
    ids = products["product_id"].astype(str).tolist() if "product_id" in products.columns else [str(i) for i in range(len(products))]
    return texts, attribute_table(products), ids


def evaluate_attributes(products: pd.DataFrame, *, dataset: str, top: int = 10) -> EvalReport:
    """Scores the extractor and its parts against the dictionary baseline.

    Args:
        products: catalog with `title`, optional `description`, `brand` and `attributes`.
        dataset: name shown in the report.
        top: how many attributes to evaluate.

    Returns:
        Metrics: the extractor's and the baseline's macro F1 and each attribute's
        F1 of both; `models` holds every method's per-attribute precision, recall, F1.

    Raises:
        DataValidationError: no attribute of the catalog can be evaluated.
    """
    started = time.perf_counter()
    texts, table, ids = catalog_inputs(products)
    test = hash_buckets(ids) < TEST_PERCENT
    train_rows, test_rows = np.flatnonzero(~test), np.flatnonzero(test)
    if not len(train_rows) or not len(test_rows):
        raise DataValidationError(f"{len(ids)} products are too few for an 80/20 split")
    train_texts, test_texts = [texts[i] for i in train_rows], [texts[i] for i in test_rows]
    train_table, test_table = table.iloc[train_rows], table.iloc[test_rows]
    specs = choose_attributes(train_texts, train_table, top=top)
    if not specs:
        raise DataValidationError("no attribute of these products is stated in their titles or descriptions often enough")
    methods = {
        "dictionary": DictionaryExtractor(),
        "rules": RuleExtractor(),
        "tagger": TaggerExtractor(),
        "extractor": CatalogExtractor(),
    }
    models: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}
    for name, method in methods.items():
        begun = time.perf_counter()
        if isinstance(method, CatalogExtractor):
            method.fit(train_texts, train_table, specs, keys=[ids[i] for i in train_rows])
        else:
            method.fit(train_texts, train_table, specs)
        models[name] = score_extractions(method.extract(test_texts), test_table, specs)
        seconds[name] = time.perf_counter() - begun
        logger.info("%s: macro F1 %.3f (%.0fs)", name, models[name]["macro_f1"], seconds[name])
    metrics = {"macro_f1": models["extractor"]["macro_f1"], "baseline_macro_f1": models["dictionary"]["macro_f1"]}
    for spec in specs:
        metrics[f"{spec.label}_f1"] = models["extractor"][f"{spec.label}_f1"]
        metrics[f"{spec.label}_baseline_f1"] = models["dictionary"][f"{spec.label}_f1"]
    extractor = methods["extractor"]
    assert isinstance(extractor, CatalogExtractor)
    return EvalReport(
        capability="attributes",
        dataset=dataset,
        n=len(test_rows),
        seconds=time.perf_counter() - started,
        metrics=metrics,
        models=models,
        best="extractor",
        extra={
            "attributes": [_describe(spec, test_table) for spec in specs],
            "chains": {spec.label: "+".join(extractor.chains_[spec.key]) for spec in specs},
            "fit_seconds": seconds,
            "n_train": len(train_rows),
        },
    )


def _describe(spec: AttributeSpec, test_table: pd.DataFrame) -> dict[str, object]:
    return {"attribute": spec.label, "key": spec.key, "numeric": spec.numeric, "products": spec.count,
            "test_known": int(test_table[spec.key].notna().sum())}
