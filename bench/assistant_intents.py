"""What helps the assistant's intent model in Chinese: measured on a held-out Chinese set written
separately from the seed set (bench/assistant/intents_zh_heldout.csv).

Compares training data (Bitext only, + seeds, + augmentation) and features (TF-IDF n-grams,
multilingual USE embeddings, both). Also reports English accuracy on a held-out 20% of the
Bitext 20k file (labels mapped to the assistant's intents) and on the demo store's synthetic
bilingual utterances. The classifier is the one `llm4retail assistant train` saves (trained here in
memory, nothing saved); `llm4retail assistant eval-intent` scores it on any labelled set.

    .venv/bin/python bench/assistant_intents.py [--out bench/assistant/intents_results.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.embeddings import CachedEncoder
from llm4retail.assistant.intents import to_assistant_intents
from llm4retail.assistant.training import SlotFillers, build_training_set
from llm4retail.data.importer import read_table
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic import generate_demo_store

ROOT = Path(__file__).resolve().parents[1]
BITEXT = ROOT.parent / "shared" / "datasets" / "intents_bitext" / "bitext_customer_support_20k.csv.gz"
HELDOUT = ROOT / "bench" / "assistant" / "intents_zh_heldout.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "assistant" / "intents_results.json")
    args = parser.parse_args()
    bitext, _ = read_table(BITEXT, Table.UTTERANCES)
    bitext_train, bitext_test = train_test_split(bitext, test_size=0.2, stratify=bitext["intent"], random_state=0)
    english_test = to_assistant_intents(bitext_test)
    chinese_test = pd.read_csv(HELDOUT)
    demo = generate_demo_store(seed=42)
    demo_utterances = demo.tables[Table.UTTERANCES]
    fillers = SlotFillers.from_catalog(demo.tables[Table.PRODUCTS], demo.tables[Table.ORDERS])
    encoder = CachedEncoder()
    data = {
        "bitext_only": build_training_set(bitext_train, use_seeds=False),
        "bitext+seeds": build_training_set(bitext_train, fillers=fillers, augment_seeds=False),
        "bitext+seeds+augmented": build_training_set(bitext_train, fillers=fillers),
    }
    results = []
    for data_name, frame in data.items():
        for features in FeatureSet:
            started = time.perf_counter()
            model = IntentClassifier(features=features, embedder=encoder).fit(frame["text"].tolist(), frame["intent"].tolist())
            seconds = time.perf_counter() - started
            row = {"data": data_name, "features": features.value, "n_train": len(frame), "train_seconds": round(seconds, 1)}
            for name, test in (("zh_heldout", chinese_test), ("bitext_en", english_test), ("demo", demo_utterances)):
                metrics = model.evaluate(test["text"].tolist(), test["intent"].tolist())
                row |= {f"{name}_{key}": round(value, 4) for key, value in metrics.items()}
            for language in ("en", "zh"):
                part = demo_utterances[demo_utterances["language"] == language]
                row[f"demo_{language}_accuracy"] = round(model.evaluate(part["text"].tolist(), part["intent"].tolist())["accuracy"], 4)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
