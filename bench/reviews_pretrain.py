"""Benchmark: what MLM pre-training of our small encoder buys over training from scratch.

Part 1 pre-trains the small Transformer (masked language model) on the review,
catalog and demo-store text of `../shared/datasets` (the 20% test bucket of every
review file left out) within `--pretrain-budget` seconds and saves it as a new version
of `<data-dir>/models/encoders` (through `ReviewService.pretrain`, as `llm4retail models pretrain` does). Part 2 fine-tunes, on online_shopping_10_cats
(80/20 split by review-id hash, 10% of the training window for early stopping),
the pre-trained encoder and the same shape from random weights, with the same
wall-clock budget each, on 100%, 10% and 1% of the training labels; it reports
test accuracy and macro-F1 of each. One torch thread (see llm4retail.models.threads). Prints one JSON object.

Usage:
    python bench/reviews_pretrain.py --data-dir /tmp/llm4retail-reviews-data [--pretrain-budget 840]
        [--finetune-budget 420] [--fractions 1.0,0.1,0.01] [--skip-pretrain] [--corpus all|zh] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import pandas as pd

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.models.corpus import corpus_from_frames, corpus_from_paths
from llm4retail.models.training import TrainConfig
from llm4retail.models.transformer import TransformerConfig
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.neural import EncoderKind, FineTunedSentiment
from llm4retail.reviews.workflows import slice_of

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
SHAPE = TransformerConfig(vocab_size=1, dim=128, layers=2, heads=2, feed_forward=512, max_positions=128)


def _reviews(data_dir: Path):  # type: ignore[no-untyped-def]
    return Services(get_settings(data_dir=data_dir)).reviews


def pretrain(data_dir: Path, budget: float, *, corpus: str, max_tokens: int) -> dict[str, object]:
    """Builds the corpus (`all`: every review file, Icecat, the demo store; `zh`: the Chinese review files) and pre-trains."""
    from llm4retail.data.synthetic import generate_demo_store

    if corpus == "zh":
        texts = corpus_from_paths([DATASETS / "reviews_zh", DATASETS / "reviews_marc" / "marc_zh_test.csv.gz"])
    else:
        paths = [DATASETS / "reviews_zh", DATASETS / "reviews_marc", DATASETS / "catalog_icecat"]
        texts = corpus_from_paths(paths) + corpus_from_frames(generate_demo_store(seed=42).tables)
    shape = TransformerConfig(**{**SHAPE.as_dict(), "max_positions": max_tokens})
    return _reviews(data_dir).pretrain(texts, shape=shape, budget_seconds=budget)


def finetune(data_dir: Path, *, fractions: list[float], budget: float, max_tokens: int) -> dict[str, dict[str, float]]:
    """Pre-trained vs scratch at each label fraction (same budget, same data, same test set)."""
    frame = pd.read_csv(DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz")
    window, test = hash_split(sentiment_labels(frame, SentimentTask.BINARY))
    fit_part, validation = validation_split(window)
    encoder_dir = _reviews(data_dir).encoder_folder()  # the LATEST pre-trained encoder
    results: dict[str, dict[str, float]] = {}
    for fraction in fractions:
        subset = fit_part.subset(slice_of(len(fit_part), max(2, int(round(fraction * len(fit_part))))))
        for kind in (EncoderKind.PRETRAINED, EncoderKind.SCRATCH):
            model = FineTunedSentiment(
                encoder=kind, encoder_dir=encoder_dir, scratch_config=SHAPE, max_tokens=max_tokens,
                train=TrainConfig(budget_seconds=budget, learning_rate=5e-4, head_learning_rate=2e-3, evaluate_every=300),
            )
            started = time.perf_counter()
            model.fit(subset.texts, subset.labels, validation=(validation.texts, validation.labels))
            scores = model.evaluate(test.texts, test.labels)
            key = f"{kind.value}@{fraction:g}"
            results[key] = {**scores, "n_train": len(subset), "seconds": time.perf_counter() - started,
                            "steps": model.facts_["steps"], "best_validation_accuracy": model.facts_["best_validation_accuracy"]}
            logging.info("%s: %s", key, results[key])
    return results


def main() -> None:
    """Runs both parts and prints the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--pretrain-budget", type=float, default=840.0)
    parser.add_argument("--finetune-budget", type=float, default=420.0)
    parser.add_argument("--fractions", default="1.0,0.1,0.01")
    parser.add_argument("--skip-pretrain", action="store_true", help="Reuse the LATEST encoder of the data directory.")
    parser.add_argument("--corpus", choices=("all", "zh"), default="all")
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    report: dict[str, object] = {}
    if not args.skip_pretrain:
        report["pretraining"] = pretrain(args.data_dir, args.pretrain_budget, corpus=args.corpus, max_tokens=args.max_tokens)
    fractions = [float(f) for f in args.fractions.split(",")]
    report["finetuning"] = finetune(args.data_dir, fractions=fractions, budget=args.finetune_budget, max_tokens=args.max_tokens)
    print(json.dumps(report, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
