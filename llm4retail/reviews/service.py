"""Review analytics over the store: analyse texts, summarise a product's reviews, extract attributes.

The service loads the LATEST trained sentiment model (`<data_dir>/models/sentiment`)
and catalog extractor (`<data_dir>/models/catalog`). Without a trained sentiment
model it scores with the opinion lexicon and says so (`model: "lexicon"`);
without a trained extractor it uses the rules that need no training (colour and
material lexicons, common units).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from llm4retail.catalog.extractor import CatalogExtractor
from llm4retail.catalog.rules import COLOURS, MATERIALS, lexicon_value, unit_mentions
from llm4retail.config import LLMSettings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.models.registry import ModelRegistry
from llm4retail.reviews.aspects import analyze_aspects, lexicon_scores
from llm4retail.reviews.base import SentimentModel
from llm4retail.reviews.blend import load_sentiment_model
from llm4retail.reviews.summary import ProductSummary, summarize_reviews
from llm4retail.reviews.text import language

logger = logging.getLogger(__name__)
MAX_REVIEWS_PER_SUMMARY = 2000
UNTRAINED_UNITS = {"gb": "capacity", "tb": "capacity", "mb": "capacity", "ml": "volume", "l": "volume",
                   "mah": "battery", "kg": "weight", "g": "weight", "cm": "size", "mm": "size", '"': "size", "w": "power"}


class ReviewService:
    """Sentiment, aspects, summaries and attribute extraction for the API and CLI.

    Args:
        store: the data store (reviews and products).
        data_dir: where trained models are versioned; None = untrained fallbacks only.
        llm: LLM settings for summaries; None = extractive summaries.
    """

    def __init__(self, store: Store, *, data_dir: Path | None = None, llm: LLMSettings | None = None) -> None:
        self.store = store
        self.data_dir = data_dir
        self.llm = llm
        self._sentiment: tuple[str, SentimentModel | None] | None = None
        self._extractor: CatalogExtractor | None | bool = None

    def sentiment_model(self) -> tuple[str, SentimentModel | None]:
        """(name, model) of the LATEST trained sentiment model, or ("lexicon", None)."""
        if self._sentiment is None:
            self._sentiment = ("lexicon", None)
            if self.data_dir is not None:
                try:
                    directory = ModelRegistry(self.data_dir, "sentiment").resolve()
                    self._sentiment = (f"sentiment/{directory.name}", load_sentiment_model(directory))
                except NotFittedError:
                    logger.info("no trained sentiment model in %s; scoring with the opinion lexicon", self.data_dir)
        return self._sentiment

    def positive_probability(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) per text from the binary model (or the lexicon)."""
        _, model = self.sentiment_model()
        if model is None or len(texts) == 0:
            return lexicon_scores(texts)
        classes = model._fitted_classes()
        probabilities = model.predict_proba(list(texts))
        if set(classes.tolist()) == {0, 1}:
            return probabilities[:, list(classes).index(1)]
        return probabilities @ ((classes - classes.min()) / max(1, classes.max() - classes.min()))  # stars -> [0, 1]

    def analyze(self, texts: Sequence[str]) -> dict[str, Any]:
        """Sentiment and aspect mentions of each text.

        Raises:
            DataValidationError: no text given.
        """
        if not texts:
            raise DataValidationError("give at least one review text")
        name, _ = self.sentiment_model()
        positive = self.positive_probability(texts)
        mentions = analyze_aspects(texts, scorer=self.positive_probability)
        results = [
            {
                "text": text, "language": language(text), "positive_probability": float(p),
                "sentiment": "positive" if p >= 0.5 else "negative",
                "aspects": [mention.as_dict() for mention in found],
            }
            for text, p, found in zip(texts, positive, mentions, strict=True)
        ]
        return {"model": name, "results": results}

    def generator(self) -> Any:
        """The configured LLM endpoint as a text generator, or None (extractive synthesis)."""
        if self.llm is None or not self.llm.base_url:
            return None
        from llm4retail.llm.backends import EndpointBackend

        return EndpointBackend(self.llm)

    def summary(self, product_id: str, *, generator: Any = None) -> ProductSummary:
        """The review summary of a product; the synthesis uses `generator`, else the configured endpoint.

        Raises:
            NotFoundError: the product does not exist.
        """
        self.store.get(Table.PRODUCTS, (product_id,))
        rows, _ = self.store.page(Table.REVIEWS, limit=MAX_REVIEWS_PER_SUMMARY, equals={"product_id": product_id})
        texts = [str(row["text"]) for row in rows if row.get("text")]
        positive = self.positive_probability(texts) if texts else np.zeros(0)
        mentions = analyze_aspects(texts, scorer=self.positive_probability) if texts else []
        ratings = [row.get("rating") for row in rows if row.get("text")]
        generator = generator if generator is not None else self.generator()
        summary = summarize_reviews(product_id, texts, positive, mentions, ratings=ratings, generator=generator)
        summary.extra["model"] = self.sentiment_model()[0]
        return summary

    def extractor(self) -> CatalogExtractor | None:
        """The LATEST trained catalog extractor, or None."""
        if self._extractor is None:
            self._extractor = False
            if self.data_dir is not None:
                try:
                    self._extractor = CatalogExtractor.load(ModelRegistry(self.data_dir, "catalog").resolve())
                except NotFittedError:
                    logger.info("no trained attribute extractor in %s; using untrained rules", self.data_dir)
        return self._extractor or None

    def extract_attributes(self, items: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
        """Attributes of (title, description) pairs.

        Raises:
            DataValidationError: no item given.
        """
        from llm4retail.catalog.values import product_text

        if not items:
            raise DataValidationError("give at least one product title")
        texts = [product_text(title, description) for title, description in items]
        extractor = self.extractor()
        if extractor is not None:
            labels = {spec.key: spec.label for spec in extractor._fitted_specs()}
            found = [{labels[k]: v for k, v in row.items()} for row in extractor.extract(texts)]
            return {"model": "catalog", "results": found}
        return {"model": "rules", "results": [untrained_attributes(text) for text in texts]}


def untrained_attributes(text: str) -> dict[str, Any]:
    """Colour, material and unit-bearing values (capacity, size, weight...) found without a trained model."""
    found: dict[str, Any] = {}
    for name, lexicon in (("colour", COLOURS), ("material", MATERIALS)):
        value = lexicon_value(text, lexicon)
        if value is not None:
            found[name] = value
    for number, unit in unit_mentions(text):
        attribute = UNTRAINED_UNITS.get(unit)
        if attribute is not None and attribute not in found:
            found[attribute] = f"{number:g} {unit}".replace(' "', '"')
    return found
