"""`llm4retail reviews eval-aspects`: aspect detection and aspect polarity against a judged set.

A judged set is a CSV with `review_id`, `aspects` ("quality:positive;value:negative"; empty = the
review judges no aspect) and either `text` or review ids found in the review files given with it
(`--texts`, any file of the data contract's reviews table). The scores are micro precision, recall
and F1 of (review, aspect) pairs, and the polarity accuracy on the aspects found that are in the
judgement, with the opinion lexicon alone or with a saved sentiment model scoring the clauses.

Development and test parts: the first `first_part` rows (the ones seen while the lexicon was written)
and the rows whose md5(review_id) is even are development, the rest test (`split`), so that a
lexicon changed on development misses is measured on reviews it was never looked at with.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport
from llm4retail.reviews.aspects import Aspect, ClauseScorer, Polarity, analyze_aspects

SPLITS = ("all", "dev", "test")
FIRST_PART = 40


def split_of(review_id: str, row: int, *, first_part: int = FIRST_PART) -> str:
    """`dev` or `test` for one judged row (see the module docstring)."""
    if row < first_part:
        return "dev"
    return "dev" if int(hashlib.md5(review_id.encode(), usedforsecurity=False).hexdigest(), 16) % 2 == 0 else "test"


def parse_judgement(value: str) -> dict[str, str]:
    """"quality:positive;value:negative" -> {"quality": "positive", "value": "negative"}.

    Raises:
        DataValidationError: an unknown aspect or polarity, or an item without a colon.
    """
    out: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in str(value).split(";"))):
        aspect, _, polarity = item.partition(":")
        if aspect not in Aspect.__members__.values() or polarity not in Polarity.__members__.values():
            raise DataValidationError(f"judgement item {item!r}: expected aspect:polarity with an aspect in "
                                      f"{[a.value for a in Aspect]} and a polarity in {[p.value for p in Polarity]}")
        out[aspect] = polarity
    return out


def load_judged(gold: pd.DataFrame, texts: pd.DataFrame | None = None, *, split: str = "all",
                first_part: int = FIRST_PART) -> tuple[list[str], list[dict[str, str]]]:
    """The texts and judgements of one part of a judged set.

    Args:
        gold: `review_id`, `aspects` and optionally `text`.
        texts: `review_id` and `text` of the reviews, when `gold` has no `text`.
        split: `all`, `dev` or `test`.
        first_part: leading rows that are always development.

    Raises:
        DataValidationError: missing columns, an unknown split, or judged reviews without text.
    """
    if split not in SPLITS:
        raise DataValidationError(f"split must be one of {SPLITS}, got {split!r}")
    missing = {"review_id", "aspects"} - set(gold.columns)
    if missing:
        raise DataValidationError(f"the judged set needs the columns review_id and aspects; missing {sorted(missing)}")
    gold = gold.fillna({"aspects": ""}).reset_index(drop=True)
    keep = [split == "all" or split_of(str(review_id), row, first_part=first_part) == split
            for row, review_id in enumerate(gold["review_id"].astype(str))]
    gold = gold[keep]
    if "text" in gold.columns:
        found = gold["text"].astype(str).tolist()
    else:
        if texts is None:
            raise DataValidationError("the judged set has no text column: give the review files it was drawn from (--texts)")
        lookup = texts.assign(review_id=texts["review_id"].astype(str)).drop_duplicates("review_id").set_index("review_id")["text"]
        absent = sorted(set(gold["review_id"].astype(str)) - set(lookup.index))
        if absent:
            raise DataValidationError(f"{len(absent)} judged reviews are not in the review files, e.g. {absent[:3]}")
        found = [str(lookup[str(review_id)]) for review_id in gold["review_id"]]
    return found, [parse_judgement(value) for value in gold["aspects"]]


def score_aspects(texts: Sequence[str], truth: Sequence[dict[str, str]], *, scorer: ClauseScorer | None = None) -> dict[str, float]:
    """Micro P/R/F1 of (review, aspect) detection and the polarity accuracy of the detected judged aspects."""
    found = analyze_aspects(list(texts), scorer=scorer)
    tp = fp = fn = right = 0
    for mentions, judged in zip(found, truth, strict=True):
        predicted: dict[str, list[str]] = {}
        for mention in mentions:
            predicted.setdefault(mention.aspect.value, []).append(mention.polarity.value)
        tp += len(set(predicted) & set(judged))
        fp += len(set(predicted) - set(judged))
        fn += len(set(judged) - set(predicted))
        right += sum(judged[aspect] in predicted[aspect] for aspect in set(predicted) & set(judged))
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-9),
            "polarity_accuracy": right / max(tp, 1), "judged_aspects": float(tp + fn)}


def evaluate_aspects(gold: Path, *, texts: pd.DataFrame | None = None, split: str = "test",
                     scorer: ClauseScorer | None = None, scorer_name: str | None = None) -> EvalReport:
    """Scores the aspect analyser on one part of a judged set (the lexicon; also `scorer` when given)."""
    started = time.perf_counter()
    frame = pd.read_csv(gold, dtype=str, keep_default_na=False)
    review_texts, truth = load_judged(frame, texts, split=split)
    lexicon = score_aspects(review_texts, truth)
    models = {"lexicon": lexicon}
    if scorer is not None:
        models[scorer_name or "model"] = score_aspects(review_texts, truth, scorer=scorer)
    best = scorer_name or "model" if scorer is not None else "lexicon"
    return EvalReport(capability="aspects", dataset=str(gold), n=len(review_texts), seconds=time.perf_counter() - started,
                      metrics={key: float(np.round(value, 6)) for key, value in models[best].items()},
                      models=models, best=best, extra={"split": split})
