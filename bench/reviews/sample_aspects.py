"""Draw the review sample of `aspects_gold.csv`'s second part (issue 20 item 3): how the judged set was made.

Fixed seed, reviews of 15-220 characters not in the first part: 12 from each of the 10 categories of
online_shopping_10_cats (Chinese), 20 from MARC Chinese and 120 from MARC English (product categories as
they come). Prints `review_id<TAB>text` for the annotator, who labels each with the retail aspects it
judges and the polarity of each judgement before any analyser is run on it.

Usage:
    python bench/reviews/sample_aspects.py > /tmp/aspects_sample.tsv
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DATASETS = ROOT.parent / "shared" / "datasets"
SEED = 20
PER_CATEGORY, MARC_ZH, MARC_EN = 12, 20, 120


def usable(frame: pd.DataFrame, taken: set[str]) -> pd.DataFrame:
    lengths = frame["text"].astype(str).str.len()
    return frame[(lengths >= 15) & (lengths <= 220) & ~frame["review_id"].isin(taken)]


def main() -> None:
    taken = set(pd.read_csv(ROOT / "bench" / "reviews" / "aspects_gold.csv")["review_id"])
    shopping = usable(pd.read_csv(DATASETS / "reviews_zh" / "online_shopping_10_cats.csv.gz"), taken)
    parts = [group.sample(n=PER_CATEGORY, random_state=SEED) for _, group in shopping.groupby("category", sort=True)]
    parts.append(usable(pd.read_csv(DATASETS / "reviews_marc" / "marc_zh_test.csv.gz"), taken).sample(n=MARC_ZH, random_state=SEED))
    parts.append(usable(pd.read_csv(DATASETS / "reviews_marc" / "marc_en_test.csv.gz"), taken).sample(n=MARC_EN, random_state=SEED))
    for row in pd.concat(parts).itertuples(index=False):
        print(f"{row.review_id}\t{' '.join(str(row.text).split())}")  # noqa: T201 - the sample is the output


if __name__ == "__main__":
    main()
