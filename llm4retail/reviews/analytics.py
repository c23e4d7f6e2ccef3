"""Review analytics over a store: how positive reviews are, what they talk about, by category and by month.

Example:
    >>> report = review_analytics(reviews, categories={"p1": "Home > Sofas"}, positive=p, mentions=m)
    >>> report["categories"][0]["positive_share"], report["aspects"][0]["aspect"]

Every figure is a count or a share over the reviews given: a review is positive when the served
sentiment model gives it P(positive) ≥ 0.5; an aspect's share is over its mentions (each clause that
names it, scored by the same model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.reviews.aspects import AspectMention, Polarity

UNCATEGORISED = "(no category)"


def review_analytics(
    reviews: pd.DataFrame,
    *,
    categories: Mapping[str, str | None],
    positive: np.ndarray,
    mentions: Sequence[Sequence[AspectMention]],
    top_aspects: int = 3,
) -> dict[str, Any]:
    """Sentiment and aspects of reviews, overall, by top-level category and by month.

    Args:
        reviews: contract `reviews` rows (`product_id`, `created_at` when known), aligned with `positive` and `mentions`.
        categories: product id -> category path ("Home > Furniture > Sofas"); a review is counted under the
            path's first level.
        positive: P(positive) of each review.
        mentions: the aspect mentions of each review.
        top_aspects: aspects listed per category (most mentioned first).

    Returns:
        `reviews`, `positive_share`, `aspects` (each aspect's mentions, positive share and one positive and one
        negative example clause), `categories` (reviews, positive share, top aspects; most reviewed first) and
        `months` (reviews and positive share per calendar month, oldest first; reviews without a date left out).
    """
    n = len(reviews)
    if len(positive) != n or len(mentions) != n:
        raise ValueError(f"reviews, positive and mentions must align: {n}, {len(positive)}, {len(mentions)}")
    is_positive = np.asarray(positive, dtype=float) >= 0.5
    products = reviews["product_id"].astype(str).tolist() if "product_id" in reviews.columns else [""] * n
    top_level = [_top_level(categories.get(product)) for product in products]
    frame = pd.DataFrame({"category": top_level, "positive": is_positive})
    by_category = []
    for category, group in frame.groupby("category", sort=False):
        rows = group.index.to_numpy()
        by_category.append({
            "category": category, "reviews": len(rows), "positive_share": float(group["positive"].mean()),
            "aspects": _aspect_table([mentions[row] for row in rows], examples=False)[:top_aspects],
        })  # fmt: skip
    by_category.sort(key=lambda row: (-row["reviews"], row["category"]))
    return {
        "reviews": n,
        "positive_share": float(is_positive.mean()) if n else None,
        "aspects": _aspect_table(mentions, examples=True),
        "categories": by_category,
        "months": _months(reviews, is_positive),
    }


def _top_level(path: str | None) -> str:
    if not path or not str(path).strip():
        return UNCATEGORISED
    return str(path).split(">")[0].strip() or UNCATEGORISED


def _aspect_table(mentions: Sequence[Sequence[AspectMention]], *, examples: bool) -> list[dict[str, Any]]:
    """Per aspect: mentions and positive share (most mentioned first), with example clauses when asked."""
    counts: dict[str, list[int]] = {}
    found: dict[str, dict[str, str]] = {}
    for review in mentions:
        for mention in review:
            name = mention.aspect.value
            tally = counts.setdefault(name, [0, 0])
            tally[0] += 1
            tally[1] += mention.polarity is Polarity.POSITIVE
            if examples:
                found.setdefault(name, {}).setdefault(mention.polarity.value, mention.evidence)
    table = []
    for name, (total, good) in sorted(counts.items(), key=lambda item: (-item[1][0], item[0])):
        row: dict[str, Any] = {"aspect": name, "mentions": total, "positive_share": good / total}
        if examples:
            row["positive_example"] = found[name].get(Polarity.POSITIVE.value)
            row["negative_example"] = found[name].get(Polarity.NEGATIVE.value)
        table.append(row)
    return table


def _months(reviews: pd.DataFrame, is_positive: np.ndarray) -> list[dict[str, Any]]:
    if "created_at" not in reviews.columns:
        return []
    when = pd.to_datetime(reviews["created_at"], errors="coerce", utc=True, format="mixed")
    dated = when.notna().to_numpy()
    if not dated.any():
        return []
    frame = pd.DataFrame({"month": when[dated].dt.strftime("%Y-%m").to_numpy(), "positive": is_positive[dated]})
    grouped = frame.groupby("month")["positive"].agg(["size", "mean"]).sort_index()
    return [{"month": month, "reviews": int(row["size"]), "positive_share": float(row["mean"])}
            for month, row in grouped.iterrows()]  # fmt: skip
