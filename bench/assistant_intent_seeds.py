"""Writes the assistant's own bilingual seed utterances (placeholders filled with the default slot values,
no augmentation) to `bench/assistant/intents_seeds.csv`: the training side of the intent protocol (b),
whose test side is the separately written held-out phrasings (`intents_zh_heldout.csv`,
`intents_en_heldout.csv`):

    .venv/bin/python bench/assistant_intent_seeds.py
    cat bench/assistant/intents_zh_heldout.csv <(tail -n +2 bench/assistant/intents_en_heldout.csv) > /tmp/heldout.csv
    llm4retail assistant eval-intent --train bench/assistant/intents_seeds.csv --test /tmp/heldout.csv --json
"""

from __future__ import annotations

from pathlib import Path

from llm4retail.assistant.training import SlotFillers, build_training_set

OUT = Path(__file__).resolve().parent / "assistant" / "intents_seeds.csv"

if __name__ == "__main__":
    frame = build_training_set(fillers=SlotFillers(), augment_seeds=False, seed=0)
    frame[["text", "intent"]].to_csv(OUT, index=False)
    print(f"{len(frame)} utterances -> {OUT}")
