"""Sentiment labels from the `reviews` table, and fixed splits by review-id hash."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data.splits import REVIEW_TEST_PERCENT, hash_buckets
from llm4retail.errors import DataValidationError
from llm4retail.reviews.base import SentimentTask

TEST_PERCENT = REVIEW_TEST_PERCENT
VALIDATION_PERCENT = 10


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with sentiment labels, their review ids and languages (aligned arrays)."""

    review_ids: np.ndarray
    texts: list[str]
    labels: np.ndarray
    languages: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, mask: np.ndarray) -> LabelledTexts:
        """The rows where `mask` is true (a boolean array or integer positions)."""
        index = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)
        return LabelledTexts(
            self.review_ids[index], [self.texts[i] for i in index], self.labels[index], self.languages[index]
        )


def sentiment_labels(frame: pd.DataFrame, task: SentimentTask) -> LabelledTexts:
    """Labelled texts for `task` from a reviews frame.

    `binary` uses the `label` column where it is set; other rows map their rating
    1-2 to negative (0) and 4-5 to positive (1); 3-star rows without a label are
    dropped. `stars` uses the rating. Rows with empty text are dropped.

    Raises:
        DataValidationError: no `text` column, or nothing to learn from for the task.
    """
    if "text" not in frame.columns:
        raise DataValidationError(f"reviews need a text column; found {sorted(frame.columns)}")
    texts = frame["text"].fillna("").astype(str)
    ratings = pd.to_numeric(frame["rating"], errors="coerce") if "rating" in frame.columns else None
    if task is SentimentTask.STARS:
        if ratings is None or ratings.notna().sum() == 0:
            raise DataValidationError("the stars task needs a rating column (1-5); this file has none")
        labels = ratings
    else:
        given = pd.to_numeric(frame["label"], errors="coerce") if "label" in frame.columns else None
        from_rating = None if ratings is None else ratings.map(lambda r: 0 if r <= 2 else 1 if r >= 4 else np.nan)
        if given is None and from_rating is None:
            raise DataValidationError("the binary task needs a label (0/1) or a rating (1-5) column")
        labels = given if from_rating is None else from_rating if given is None else given.fillna(from_rating)
    keep = labels.notna() & (texts.str.strip() != "")
    if keep.sum() == 0:
        raise DataValidationError(f"no review has both text and a {task.value} label")
    ids = frame["review_id"].astype(str) if "review_id" in frame.columns else pd.Series(frame.index.astype(str))
    languages = frame["language"].fillna("").astype(str) if "language" in frame.columns else pd.Series([""] * len(frame))
    return LabelledTexts(
        review_ids=ids[keep].to_numpy(dtype=str),
        texts=texts[keep].tolist(),
        labels=labels[keep].astype(int).to_numpy(),
        languages=languages[keep].to_numpy(dtype=str),
    )


def hash_split(data: LabelledTexts, *, percent: int = TEST_PERCENT, salt: str = "") -> tuple[LabelledTexts, LabelledTexts]:
    """(rest, held out) where about `percent`% of ids, chosen by hash, are held out.

    Raises:
        DataValidationError: a side would be empty.
    """
    held = hash_buckets(data.review_ids, salt=salt) < percent
    if held.all() or not held.any():
        raise DataValidationError(f"a {percent}% hash split of {len(data)} reviews leaves one side empty; add reviews")
    return data.subset(~held), data.subset(held)


def validation_split(data: LabelledTexts) -> tuple[LabelledTexts, LabelledTexts]:
    """The training window's (fit, validation) parts: 10% by a differently salted hash."""
    return hash_split(data, percent=VALIDATION_PERCENT, salt="validation:")
