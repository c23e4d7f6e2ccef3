"""Benchmark: which part of the MLM recipe lets a CPU-budget pre-training leave the unigram plateau.

For each variant, pre-trains the small Transformer (d=128, 2 layers, 64 tokens, 12k-token
vocabulary) on the Chinese review text of `../shared/datasets` (test buckets left out) for
`--budget` seconds, then probes it: a logistic regression (C from {0.1, 1, 10}, best on
validation) on the mean-pooled final states of 1% and 10% of the online_shopping training
labels, scored on the validation set; the same probe on a randomly initialised encoder of the
same shape is the reference. `mean_cos` is the mean pairwise cosine of 500 validation
reviews' pooled states (near 1 = the states have collapsed to one vector).

Variants: `control` (zero output bias, dropout 0.1: the recipe before the fix), `nodrop`
(zero bias, no dropout), `unigram` (log-unigram bias, dropout 0.1), `unigram_nodrop` (the
default now). One torch thread. Prints one JSON object per variant (one line each).

`--corpus` takes a comma-separated list of sources: `zh` (the Chinese review files), `en` (MARC
English), `icecat` (Icecat titles and descriptions), `demo` (the demo store); `all` is all four,
the corpus of `bench/reviews_pretrain.py`. `--max-tokens` sets the input length.

Usage:
    python bench/reviews_pretrain_ablation.py [--variants control,nodrop,unigram,unigram_nodrop] [--budget 600]
        [--corpus zh|all|zh,en|zh,icecat|...] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression

from llm4retail.models.corpus import corpus_from_paths
from llm4retail.models.pretrain import PretrainConfig, pretrain_mlm
from llm4retail.models.training import length_batches, pad
from llm4retail.models.transformer import TransformerConfig, TransformerEncoder
from llm4retail.models.vocab import Vocabulary
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.data import hash_split, sentiment_labels, validation_split
from llm4retail.reviews.workflows import slice_of

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
VARIANTS = {"control": (False, 0.1), "nodrop": (False, 0.0), "unigram": (True, 0.1), "unigram_nodrop": (True, 0.0)}


def corpus(spec: str) -> list[str]:
    """The pre-training texts of the comma-separated sources in `spec` (test buckets left out)."""
    from llm4retail.data.synthetic import generate_demo_store
    from llm4retail.models.corpus import corpus_from_frames

    sources = {"zh", "en", "icecat", "demo"} if spec == "all" else set(spec.split(","))
    unknown = sources - {"zh", "en", "icecat", "demo"}
    if unknown:
        raise SystemExit(f"unknown corpus sources {sorted(unknown)}; use zh, en, icecat, demo or all")
    paths = {"zh": [DATASETS / "reviews_zh", DATASETS / "reviews_marc" / "marc_zh_test.csv.gz"],
             "en": [DATASETS / "reviews_marc" / "marc_en_test.csv.gz"], "icecat": [DATASETS / "catalog_icecat"]}
    texts = corpus_from_paths([path for source in ("zh", "en", "icecat") if source in sources for path in paths[source]])
    return texts + (corpus_from_frames(generate_demo_store(seed=42).tables) if "demo" in sources else [])


@torch.inference_mode()
def pooled(encoder: TransformerEncoder, vocabulary: Vocabulary, texts: list[str]) -> np.ndarray:
    sequences = vocabulary.encode(texts)
    out = np.zeros((len(sequences), encoder.config.dim), dtype=np.float32)
    for batch in length_batches(sequences, 128):
        ids, mask = pad([sequences[i] for i in batch])
        out[batch] = encoder.sentence(ids, mask).numpy()
    return out


def probe(encoder: TransformerEncoder, vocabulary: Vocabulary, fit_part, validation) -> dict[str, float]:  # type: ignore[no-untyped-def]
    encoder.eval()
    held = pooled(encoder, vocabulary, list(validation.texts))
    result = {}
    for fraction in (0.01, 0.1):
        subset = fit_part.subset(slice_of(len(fit_part), int(fraction * len(fit_part))))
        features = pooled(encoder, vocabulary, list(subset.texts))
        result[f"probe@{fraction:g}"] = max(
            LogisticRegression(C=c, max_iter=3000).fit(features, subset.labels).score(held, validation.labels)
            for c in (0.1, 1.0, 10.0))
    unit = held[:500] / np.linalg.norm(held[:500], axis=1, keepdims=True)
    result["mean_cos"] = float((unit @ unit.T).mean())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--budget", type=float, default=600.0)
    parser.add_argument("--corpus", default="zh")
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(1)
    texts = corpus(args.corpus)
    vocabulary = Vocabulary.build(texts, max_size=12_000, max_tokens=args.max_tokens)
    shape = TransformerConfig(vocab_size=len(vocabulary), dim=128, layers=2, heads=2, feed_forward=512,
                              max_positions=args.max_tokens)
    frame = pd.read_csv(DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz")
    window, _ = hash_split(sentiment_labels(frame, SentimentTask.BINARY))
    fit_part, validation = validation_split(window)
    for variant in args.variants.split(","):
        unigram_bias, dropout = VARIANTS[variant]
        encoder, facts = pretrain_mlm(texts, vocabulary=vocabulary, model_config=shape, config=PretrainConfig(
            budget_seconds=args.budget, threads=1, unigram_bias=unigram_bias, dropout=dropout))
        report = {"variant": variant, "corpus": args.corpus, "max_tokens": args.max_tokens,
                  "vocabulary": len(vocabulary), "unigram_bias": unigram_bias, "pretraining_dropout": dropout, **facts,
                  "pretrained": probe(encoder, vocabulary, fit_part, validation),
                  "random": probe(TransformerEncoder(shape), vocabulary, fit_part, validation)}
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
