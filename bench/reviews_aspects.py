"""Benchmark: aspect detection and aspect polarity on a small hand-labelled set of real reviews.

`bench/reviews/aspects_gold.csv` labels 300 reviews (length 15-220 characters) with the retail
aspects they judge and the polarity of each judgement, by one annotator who labelled before running
the analyser on them: the first 40 drawn at random (24 from online_shopping_10_cats, 16 from MARC
English) by the author of the aspect lexicon; the other 260 drawn by `bench/reviews/sample_aspects.py`
(fixed seed: 12 from each of online_shopping_10_cats' 10 categories, 20 from MARC Chinese, 120 from
MARC English) and labelled in one pass (issue 20 item 3). Conventions: a book's or film's content
and a food's freshness are `quality`, taste, scent, comfort and how a thing works are `function`,
packaging and damage in transit are `shipping`, a wrong or missing item, refunds and installation
are `service`; a review that praises or blames without naming an aspect has none; where one
review judges an aspect both ways, the main judgement is kept.
Texts are read from `../shared/datasets`. Reports micro precision/recall/F1 of
(review, aspect) detection and the polarity accuracy on correctly detected
aspects, with the opinion lexicon alone and with a saved sentiment model
scoring the clauses (`--model-dir`, the `model` folder of a version of `<data-dir>/models/reviews`,
e.g. the LATEST one).

Development and test: the first 40 and the half of the other 260 whose md5(review_id) is even are
the development part (`--split dev`); the rest is the test part (`--split test`, the default), never
looked at while the lexicon is changed.

Usage:
    python bench/reviews_aspects.py [--split test|dev|all] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.reviews.aspects import analyze_aspects
from llm4retail.reviews.base import SentimentModel

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


FIRST_PART = 40  # the first rows, labelled and seen while the lexicon was written: development only


def split_of(review_id: str, row: int) -> str:
    """`dev` or `test`: the first part is development; the rest by md5 of the id, half each."""
    if row < FIRST_PART:
        return "dev"
    return "dev" if int(hashlib.md5(review_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def gold(split: str = "all") -> tuple[list[str], list[dict[str, str]]]:
    """Texts and their labelled {aspect: polarity} of one split (`dev`, `test`) or `all`."""
    labels = pd.read_csv(ROOT / "bench" / "reviews" / "aspects_gold.csv", keep_default_na=False)
    if split != "all":
        labels = labels[[split_of(str(r), i) == split for i, r in enumerate(labels["review_id"])]]
    frames = [pd.read_csv(DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz"),
              pd.read_csv(DATASETS / "reviews_marc" / "marc_en_test.csv.gz"),
              pd.read_csv(DATASETS / "reviews_marc" / "marc_zh_test.csv.gz")]
    texts = pd.concat(frames).set_index("review_id")["text"]
    truth = [dict(item.split(":") for item in row.split(";") if item) for row in labels["aspects"]]
    return [str(texts[review_id]) for review_id in labels["review_id"]], truth


def score(texts: list[str], truth: list[dict[str, str]], scorer=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Micro P/R/F1 of detection and polarity accuracy of the detected true aspects."""
    found = analyze_aspects(texts, scorer=scorer)
    tp = fp = fn = right = 0
    for mentions, labelled in zip(found, truth, strict=True):
        predicted: dict[str, list[str]] = {}
        for mention in mentions:
            predicted.setdefault(mention.aspect.value, []).append(mention.polarity.value)
        tp += len(set(predicted) & set(labelled))
        fp += len(set(predicted) - set(labelled))
        fn += len(set(labelled) - set(predicted))
        right += sum(labelled[a] in predicted[a] for a in set(predicted) & set(labelled))
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-9),
            "polarity_accuracy": right / max(tp, 1), "labelled_aspects": tp + fn}


def main() -> None:
    """Prints one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--split", choices=("all", "dev", "test"), default="test",
                        help="dev: the part the lexicon may be tuned on; test: the other (the figure to report)")
    args = parser.parse_args()
    texts, truth = gold(args.split)
    report = {"split": args.split, "reviews": len(texts), "lexicon": score(texts, truth)}
    if args.model_dir is not None:
        model = SentimentModel.load(args.model_dir)
        positive = list(model._fitted_classes()).index(1)
        report["model"] = score(texts, truth, scorer=lambda clauses: model.predict_proba(list(clauses))[:, positive])
        report["model_dir"] = str(args.model_dir)
    print(json.dumps(report, default=lambda v: float(np.asarray(v))))


if __name__ == "__main__":
    main()
