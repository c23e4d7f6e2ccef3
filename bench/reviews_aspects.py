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

Usage (the same figures as `llm4retail reviews eval-aspects --gold bench/reviews/aspects_gold.csv --texts ...`):
    python bench/reviews_aspects.py [--split test|dev|all] [--model-dir DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.reviews.aspect_eval import load_judged, score_aspects
from llm4retail.reviews.base import SentimentModel

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"


REVIEW_FILES = (DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz", DATASETS / "reviews_marc" / "marc_en_test.csv.gz",
                DATASETS / "reviews_marc" / "marc_zh_test.csv.gz")


def gold(split: str = "all") -> tuple[list[str], list[dict[str, str]]]:
    """Texts and their labelled {aspect: polarity} of one split (`dev`, `test`) or `all`."""
    labels = pd.read_csv(ROOT / "bench" / "reviews" / "aspects_gold.csv", dtype=str, keep_default_na=False)
    texts = pd.concat([pd.read_csv(path, usecols=["review_id", "text"], dtype=str) for path in REVIEW_FILES])
    return load_judged(labels, texts, split=split)


def score(texts: list[str], truth: list[dict[str, str]], scorer=None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """`llm4retail.reviews.aspect_eval.score_aspects` (what `llm4retail reviews eval-aspects` reports)."""
    return score_aspects(texts, truth, scorer=scorer)


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
