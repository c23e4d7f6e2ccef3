#!/usr/bin/env bash
# Issue 16 parity: the same eval commands, same seeds, on two checkouts; the figures must be identical.
#   bench/parity_issue16.sh SRC_CHECKOUT OUT_DIR [risk,clv,recommend_beauty,forecast_rossmann,search_homedepot,sentiment_marc_en]
#   python bench/parity_compare.py OUT_BEFORE OUT_AFTER NAMES
# Runs `python -m llm4retail.cli` from SRC_CHECKOUT (its package shadows the installed one) with the
# old command names (`eval <capability>`), which both the old CLI and the new one (hidden aliases) accept.
set -u
SRC=$(cd "$1" && pwd); OUT=$(mkdir -p "$2" && cd "$2" && pwd)
NAMES=${3:-risk,clv,recommend_beauty,forecast_rossmann,search_homedepot,sentiment_marc_en}
HERE=$(cd "$(dirname "$0")/.." && pwd)
D=${DATASETS:-$HERE/../shared/datasets}
PY=${PYTHON:-$HERE/.venv/bin/python}
cd "$SRC"
export HF_HUB_OFFLINE=1
cli() { "$PY" -m llm4retail.cli --data-dir "$OUT/data" "$@"; }
for name in ${NAMES//,/ }; do
  start=$(date +%s)
  case $name in
    risk) cli eval risk --payments "$D/fraud_creditcard/creditcard_all_frauds_plus_1230_normals.csv.gz" --json ;;
    clv) cli eval clv --transactions "$D/transactions_cdnow" --calibration-end 1997-09-30 --json ;;
    recommend_beauty) cli eval recommend --events "$D/rec_amazon_s3rec/Beauty_events.csv.gz" \
        --products "$D/rec_amazon_s3rec/Beauty_item2attributes.json.gz" --models popularity,itemknn,ease,graph --json ;;
    forecast_rossmann) cli eval forecast --sales "$D/sales_rossmann" --horizon 42 --folds 3 --json ;;
    search_homedepot) cli eval search --products "$D/homedepot_search" --queries "$D/homedepot_search/queries.csv.gz" \
        --qrels "$D/homedepot_search/qrels.csv.gz" --json ;;
    sentiment_marc_en) cli eval sentiment --train "$D/reviews_marc/marc_en_test.csv.gz" --json ;;
    *) echo "unknown name: $name" >&2; continue ;;
  esac > "$OUT/$name.json" 2> "$OUT/$name.err"
  echo "$name rc=$? $(( $(date +%s) - start ))s" >> "$OUT/times.txt"
done
