"""The unlabelled text corpus for pre-training: review, catalog and knowledge-base text.

Reviews whose id falls in the 20% test bucket of `eval sentiment` are left out
by default, so that no test review is seen even without its label.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.data.splits import REVIEW_TEST_PERCENT, hash_buckets
from llm4retail.errors import DataValidationError

logger = logging.getLogger(__name__)
TEXT_COLUMNS = {Table.REVIEWS: ("text",), Table.PRODUCTS: ("title", "description"), Table.DOCUMENTS: ("title", "text")}


def _texts_of(frame: pd.DataFrame, table: Table, *, exclude_test: bool) -> list[str]:
    if table is Table.REVIEWS and exclude_test and "review_id" in frame.columns and len(frame):
        frame = frame[hash_buckets(frame["review_id"].astype(str).to_numpy()) >= REVIEW_TEST_PERCENT]
    texts: list[str] = []
    for column in TEXT_COLUMNS[table]:
        if column in frame.columns:
            texts.extend(str(value) for value in frame[column].dropna() if str(value).strip())
    return texts


def corpus_from_paths(paths: Sequence[Path], *, exclude_test: bool = True) -> list[str]:
    """Review, product and document texts of files or dataset folders (anything `read_table` reads).

    Raises:
        DataValidationError: no path holds any of those tables.
    """
    texts: list[str] = []
    for path in paths:
        found = False
        for table in TEXT_COLUMNS:
            try:
                frame, _ = read_table(Path(path), table)
            except DataValidationError as error:
                logger.debug("%s: no %s (%s)", path, table.value, error)
                continue
            found = True
            part = _texts_of(frame, table, exclude_test=exclude_test)
            logger.info("%s: %d %s texts", path, len(part), table.value)
            texts.extend(part)
        if not found:
            raise DataValidationError(f"{path} holds no reviews, products or documents to pre-train on")
    return texts


def corpus_from_frames(frames: dict[Table, pd.DataFrame], *, exclude_test: bool = True) -> list[str]:
    """The same texts from in-memory tables (e.g. the demo store)."""
    texts: list[str] = []
    for table, frame in frames.items():
        if table in TEXT_COLUMNS:
            texts.extend(_texts_of(frame, table, exclude_test=exclude_test))
    return texts
