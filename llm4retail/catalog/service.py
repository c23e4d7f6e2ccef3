"""Catalog attribute extraction over a store: train the extractor into the model store, then extract.

Training is explicit (`llm4retail catalog train`, or `serve` at start-up when no version is
saved); extraction loads the `LATEST` version of `<data-dir>/models/catalog` once and never
trains: without a saved extractor it raises `NotTrainedError` naming the train command.

Example:
    >>> service = Services(get_settings(data_dir="store")).catalog
    >>> service.train()["attributes"]
    ['brand', 'colour', ...]
    >>> service.extract([("Kingston 64GB USB flash drive, black", None)])["results"]
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from llm4retail.artifacts.model import META_FILE
from llm4retail.artifacts.store import MODEL_FOLDER
from llm4retail.capability import CapabilityService
from llm4retail.catalog.evaluate import evaluate_attributes
from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.training import fit_extractor
from llm4retail.catalog.values import product_text
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ArtifactFormatError, DataValidationError
from llm4retail.eval import EvalReport

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)


class CatalogService(CapabilityService):
    """Trains, versions and serves the attribute extractor of one store.

    Args:
        settings: the one `Settings`.
        store: the store whose `products` (titles, descriptions, brands, attributes) train the extractor.
        services: the container (unused; the shared constructor).
    """

    capability = "catalog"
    train_command = "llm4retail catalog train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._extractor: CatalogExtractor | None = None
        self._version: str | None = None

    def store_products(self) -> pd.DataFrame:
        """The store's products table."""
        return self.store.read_frame(Table.PRODUCTS)

    def publish(
        self, extractor: CatalogExtractor, report: dict[str, Any], *, data_hash: str | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> str:  # fmt: skip
        """Saves `extractor` with its report as a new version and serves it from now on; returns the version."""
        version = self.models.save(extractor, report=report, data_hash=data_hash, metrics=metrics)
        with self.lock:
            self._extractor, self._version = None, None  # the next request loads the new LATEST
        return version

    def train(self, products: pd.DataFrame | None = None, *, top: int = 20) -> dict[str, Any]:
        """Fits the extractor on every product (default: the store's), publishes it; returns the report.

        Args:
            products: catalog with `title`, optional `description`, `brand` and `attributes`.
            top: how many attributes to learn.

        Raises:
            DataValidationError: no products, or no attribute stated in their texts often enough.
        """
        frame = self.store_products() if products is None else products
        if frame.empty:
            raise DataValidationError(
                "no products to train the attribute extractor on: import a products file (llm4retail data import) "
                "or pass --products"
            )
        extractor, report, data_hash = fit_extractor(frame, top=top)
        metrics = {f"{label}_validation_f1": f1 for label, f1 in report["validation_f1"].items() if f1 is not None}
        report["version"] = self.publish(extractor, dict(report), data_hash=data_hash, metrics=metrics)
        logger.info("catalog extractor %s trained on %d products", report["version"], report["products"])
        return report

    def evaluate(self, products: pd.DataFrame | None = None, *, dataset: str = "store", top: int = 10) -> EvalReport:
        """`llm4retail catalog eval` on `products` (default: the store's); saves nothing."""
        frame = self.store_products() if products is None else products
        return evaluate_attributes(frame, dataset=dataset, top=top)

    def warm_up(self) -> None:
        """Loads the LATEST model now rather than on the first request (never trains)."""
        self.model()

    def model(self) -> CatalogExtractor:
        """The served extractor: the `LATEST` version, loaded once.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail catalog train`).
            ArtifactFormatError: the version was saved by an earlier llm4retail (retrain).
        """
        with self.lock:
            if self._extractor is None:
                version = self.models.latest()
                folder = self.models.path(version)
                if not (folder / MODEL_FOLDER).is_dir() and (folder / META_FILE).is_file():
                    raise ArtifactFormatError(
                        f"{folder} holds an extractor saved by an earlier llm4retail, before the shared model "
                        f"format; retrain with `{self.train_command}`"
                    )
                self._extractor = self.models.load(version, expected=CatalogExtractor)
                self._version = version
            return self._extractor

    def extract(self, items: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
        """Attributes of (title, description) pairs, by their readable labels.

        Raises:
            DataValidationError: no item given.
            NotTrainedError: no version is saved (run `llm4retail catalog train`).
        """
        if not items:
            raise DataValidationError("give at least one product title")
        extractor = self.model()
        texts = [product_text(title, description) for title, description in items]
        labels = {spec.key: spec.label for spec in extractor._fitted_specs()}
        found = [{labels[key]: value for key, value in row.items()} for row in extractor.extract(texts)]
        return {"model": f"{self.capability}/{self._version}", "results": found}
