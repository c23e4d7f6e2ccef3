"""Benchmark: data augmentation with 1% and 10% of the labels of online_shopping_10_cats.

Same split as `llm4retail reviews eval` (80/20 by review-id hash; 10% of the training window
validates). From the training part, `--draws` random subsets of each label fraction
are drawn; each model is trained on the subset as is and on the subset plus
`--copies` augmented variants per review (synonym replacement, random deletion,
random swap, template paraphrase; an LLM paraphrase too when
LLM4RETAIL_LLM__BASE_URL is set), and scored on the full test set. Models:
TF-IDF + LR, USE (frozen) + LR, USE fine-tuned, and, with `--encoder-dir` (the `model` folder of a
version of `<data-dir>/models/encoders`), our
pre-trained small encoder fine-tuned (`--models`; the neural ones for `--budget` seconds). Prints one JSON object with mean and
per-draw accuracy and macro-F1.

Usage:
    python bench/reviews_augment.py [--fractions 0.01,0.1] [--draws 3] [--copies 4] [--models tfidf,use_frozen]
        [--encoder-dir DIR] [--budget 120]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from llm4retail.config import get_settings
from llm4retail.models.augment import Augmentation, Augmenter, llm_paraphraser
from llm4retail.models.training import TrainConfig
from llm4retail.reviews.base import SentimentModel, SentimentTask
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.frozen import FrozenEmbeddingSentiment
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment
from llm4retail.reviews.tfidf import TfidfFeatures, TfidfSentiment

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def _models(encoder_dir: Path | None, budget: float) -> dict[str, callable]:  # type: ignore[valid-type]
    makers = {
        "tfidf": lambda: TfidfSentiment(features=TfidfFeatures.BOTH),
        "use_frozen": lambda: FrozenEmbeddingSentiment(),
        "use_finetuned": lambda: FineTunedSentiment(
            encoder=EncoderKind.USE, max_tokens=96,
            train=TrainConfig(budget_seconds=budget, learning_rate=2e-4, head_learning_rate=2e-3, evaluate_every=100),
        ),
    }
    if encoder_dir is not None:
        makers["pretrained_finetuned"] = lambda: FineTunedSentiment(
            encoder=EncoderKind.PRETRAINED, encoder_dir=encoder_dir,
            train=TrainConfig(budget_seconds=budget, learning_rate=5e-4, head_learning_rate=2e-3, evaluate_every=100),
        )
    return makers


def _augmenter(copies: int, seed: int) -> Augmenter:
    operations = [Augmentation.SYNONYM, Augmentation.DELETE, Augmentation.SWAP, Augmentation.TEMPLATE]
    llm = get_settings().llm
    if llm.base_url:
        from llm4retail.llm.client import ChatClient

        return Augmenter(operations=[*operations, Augmentation.LLM], copies=copies, seed=seed,
                         paraphrase=llm_paraphraser(ChatClient(llm)))
    return Augmenter(operations=operations, copies=copies, seed=seed)


def main() -> None:
    """Runs the study and prints the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fractions", default="0.01,0.1")
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--encoder-dir", type=Path, default=None)
    parser.add_argument("--budget", type=float, default=120.0, help="Fine-tuning seconds of the neural models.")
    parser.add_argument("--models", default="tfidf,use_frozen", help="Among tfidf, use_frozen, use_finetuned, pretrained_finetuned.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    frame = pd.read_csv(DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz")
    window, test = hash_split(sentiment_labels(frame, SentimentTask.BINARY))
    fit_part, validation = validation_split(window)
    results: dict[str, dict[str, object]] = {}
    for fraction in (float(f) for f in args.fractions.split(",")):
        for draw in range(args.draws):
            rng = np.random.default_rng(draw)
            subset = fit_part.subset(np.sort(rng.choice(len(fit_part), int(round(fraction * len(fit_part))), replace=False)))
            augmented = _augmenter(args.copies, draw).augment(subset.texts, subset.labels)
            makers = _models(args.encoder_dir, args.budget)
            for name in args.models.split(","):
                make = makers[name]
                for label, (texts, labels) in (("plain", (subset.texts, subset.labels)), ("augmented", augmented)):
                    model: SentimentModel = make()
                    model.fit(texts, np.asarray(labels), validation=(validation.texts, validation.labels))
                    scores = model.evaluate(test.texts, test.labels)
                    entry = results.setdefault(f"{name}@{fraction:g}/{label}", {"draws": [], "n_train": len(texts)})
                    entry["draws"].append(scores)  # type: ignore[union-attr]
                    logging.info("%s@%g draw %d %s: %s", name, fraction, draw, label, scores)
    for entry in results.values():
        draws = entry["draws"]
        entry["accuracy"] = float(np.mean([d["accuracy"] for d in draws]))  # type: ignore[union-attr]
        entry["macro_f1"] = float(np.mean([d["macro_f1"] for d in draws]))  # type: ignore[union-attr]
        entry["accuracy_std"] = float(np.std([d["accuracy"] for d in draws]))  # type: ignore[union-attr]
    print(json.dumps({"n_fit": len(fit_part), "n_test": len(test), "copies": args.copies, "results": results}))


if __name__ == "__main__":
    main()
