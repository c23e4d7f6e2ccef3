"""The store's intent model: trained from the seed set and the store's labelled utterances,
saved in the data directory, loaded on later starts.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.training import SlotFillers, build_training_set, train_intent_model
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import NotFittedError

logger = logging.getLogger(__name__)
MODEL_DIRECTORY = Path("assistant") / "intent"


def model_directory(data_dir: Path) -> Path:
    """Where the store's intent model is saved."""
    return data_dir / MODEL_DIRECTORY


def train_store_model(
    store: Store, *, data_dir: Path, utterances: pd.DataFrame | None = None, features: FeatureSet = FeatureSet.COMBINED,
) -> dict[str, Any]:
    """Train the intent model on the seeds (filled with the store's catalog) plus labelled utterances, and save it.

    Args:
        store: the store (catalog and order ids for the seed placeholders; its `utterances` table
            when `utterances` is None).
        data_dir: the data directory.
        utterances: labelled utterances (`text`, `intent`) with Bitext or assistant labels.
        features: classifier features.

    Returns:
        Training summary: rows per language and intent, seconds, the saved directory.
    """
    started = time.perf_counter()
    if utterances is None:
        utterances = store.read_frame(Table.UTTERANCES, columns=["text", "intent"])
    products = store.read_frame(Table.PRODUCTS, columns=["title", "brand"])
    orders = store.read_frame(Table.ORDERS, columns=["order_id"])
    fillers = SlotFillers.from_catalog(products, orders) if len(products) else SlotFillers()
    frame = build_training_set(utterances, fillers=fillers)
    model = train_intent_model(frame, features=features)
    directory = model_directory(data_dir)
    model.save(directory)
    return {
        "rows": len(frame), "languages": frame["language"].value_counts().to_dict(),
        "intents": frame["intent"].value_counts().to_dict(), "temperature": round(model.temperature_, 4),
        "seconds": round(time.perf_counter() - started, 2), "directory": str(directory),
    }


def intent_model_for_store(store: Store, *, data_dir: Path) -> IntentClassifier:
    """The saved model of the store; trained and saved first if there is none."""
    directory = model_directory(data_dir)
    try:
        return IntentClassifier.load(directory)
    except NotFittedError:
        logger.info("no intent model in %s: training one from the seed set and the store's utterances", directory)
        train_store_model(store, data_dir=data_dir)
        return IntentClassifier.load(directory)
