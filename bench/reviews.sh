#!/usr/bin/env bash
# Reproduces the review, attribute and model-building figures of docs/reviews.md, in order.
# Trained artefacts go to $DATA_DIR (outside the repository); each step prints one JSON object.
# On the 2-core machine: about 25 min for step 1 (37 min with another job), 5-8 min per MARC run, 2 x 40 min + 60 min for step 3,
# 4 min for step 4, 15 + 8 min for step 5, 3 min for step 6, 1 min for step 7.
set -euo pipefail
DATA_DIR=${DATA_DIR:-/tmp/llm4retail-reviews-data}
DATASETS=${DATASETS:-../shared/datasets}
OUT=${OUT:-bench/results/reviews}
mkdir -p "$OUT"
cli() { python -m llm4retail.cli --data-dir "$DATA_DIR" "$@"; }

# 1. Sentiment on online_shopping_10_cats (80/20 by review-id hash); the best model is saved as the teacher.
cli reviews eval --train "$DATASETS/reviews_zh/online_shopping_10_cats.csv.gz" --save --json > "$OUT/sentiment_online_shopping.json"

# 2. MARC, English and Chinese, binary and stars (the same command, unchanged).
for lang in en zh; do
  for task in binary stars; do
    cli reviews eval --train "$DATASETS/reviews_marc/marc_${lang}_test.csv.gz" --task "$task" --json > "$OUT/sentiment_marc_${lang}_${task}.json"
  done
done

# 3. MLM pre-training of the small encoder, then pre-trained vs from-scratch fine-tuning (100%, 10%, 1% of labels);
#    a second attempt on Chinese review text only, 64 tokens, in its own data directory.
python bench/reviews_pretrain.py --data-dir "$DATA_DIR" > "$OUT/pretrain.json"
python bench/reviews_pretrain.py --data-dir "$DATA_DIR-zh" --corpus zh --max-tokens 64 --fractions 0.01,0.1,1.0 > "$OUT/pretrain_zh.json"
#    Which part of the recipe matters (4 x 10 min), then corpus against length (2 x 10 min).
python bench/reviews_pretrain_ablation.py > "$OUT/pretrain_ablation.jsonl"
python bench/reviews_pretrain_ablation.py --variants unigram_nodrop --corpus all --max-tokens 64 >> "$OUT/pretrain_ablation.jsonl"
python bench/reviews_pretrain_ablation.py --variants unigram_nodrop --corpus zh --max-tokens 128 >> "$OUT/pretrain_ablation.jsonl"

# 4. Distillation of the saved teacher into the n-gram bag student, int8 quantisation, the trade-off table.
TEACHER=$(python -c "import json,sys; print(json.load(open(sys.argv[1]))['saved_version'])" "$OUT/sentiment_online_shopping.json")
cli models compress --train "$DATASETS/reviews_zh/online_shopping_10_cats.csv.gz" --teacher "$TEACHER" --student bag > "$OUT/compress.json"

# 5. Augmentation with 1% and 10% of the labels (and the fine-tuned USE at 1%).
python bench/reviews_augment.py --fractions 0.01,0.1 --draws 2 > "$OUT/augment.json"
python bench/reviews_augment.py --fractions 0.01 --draws 2 --models use_finetuned --budget 300 > "$OUT/augment_use_finetuned.json"

# 6. Attribute extraction on the Icecat catalog.
cli catalog eval --products "$DATASETS/catalog_icecat" --json > "$OUT/attributes_icecat.json"

# 7. Aspects on the hand-labelled reviews, with the lexicon and with the LATEST (int8 student) scoring clauses.
MODEL=$(python -c "import sys; from llm4retail.config import get_settings; from llm4retail.container import Services; print(Services(get_settings(data_dir=sys.argv[1])).reviews.models.path() / 'model')" "$DATA_DIR")
python bench/reviews_aspects.py --model-dir "$MODEL" > "$OUT/aspects.json"
