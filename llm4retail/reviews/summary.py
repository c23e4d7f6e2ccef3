"""Per-product review summaries: aspect breakdown, representative quotes and a short synthesis.

The synthesis is written by the configured LLM (endpoint, or the local offline
model when installed) from the computed breakdown and quotes only; without an
LLM, or when it fails, it is assembled extractively from the same facts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from llm4retail.errors import LLMUnavailableError
from llm4retail.reviews.aspects import Aspect, AspectMention, Polarity
from llm4retail.reviews.text import language

logger = logging.getLogger(__name__)
MAX_QUOTE_CHARS = 160
QUOTES = 3
ASPECT_NAMES = {
    "en": {a: a.value for a in Aspect} | {Aspect.VALUE: "price/value", Aspect.SHIPPING: "shipping", Aspect.SIZE: "size/fit"},
    "zh": {Aspect.QUALITY: "质量", Aspect.VALUE: "价格", Aspect.SHIPPING: "物流", Aspect.SERVICE: "服务",
           Aspect.SIZE: "尺码", Aspect.APPEARANCE: "外观", Aspect.FUNCTION: "功能"},
}


class TextGenerator(Protocol):
    """Anything with `generate(messages, max_tokens=...) -> str` (the assistant's answer backends)."""

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        """The reply to `messages`."""


@dataclass
class ProductSummary:
    """What the reviews of one product say."""

    product_id: str
    n_reviews: int
    positive_share: float | None
    average_rating: float | None
    aspects: list[dict[str, Any]]
    positive_quotes: list[str]
    negative_quotes: list[str]
    synthesis: str
    synthesis_source: str  # "llm" or "extractive"
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "product_id": self.product_id, "n_reviews": self.n_reviews, "positive_share": self.positive_share,
            "average_rating": self.average_rating, "aspects": self.aspects, "positive_quotes": self.positive_quotes,
            "negative_quotes": self.negative_quotes, "synthesis": self.synthesis, "synthesis_source": self.synthesis_source,
        }


def aspect_breakdown(mentions: Sequence[Sequence[AspectMention]]) -> list[dict[str, Any]]:
    """Per aspect: mentions, positive/negative/neutral counts and positive share, most mentioned first."""
    table: dict[Aspect, dict[str, int]] = {}
    for review in mentions:
        for mention in review:
            counts = table.setdefault(mention.aspect, {p.value: 0 for p in Polarity})
            counts[mention.polarity.value] += 1
    rows = []
    for aspect, counts in table.items():
        total = sum(counts.values())
        opinionated = counts["positive"] + counts["negative"]
        rows.append({
            "aspect": aspect.value, "mentions": total, **counts,
            "positive_share": counts["positive"] / opinionated if opinionated else None,
        })
    return sorted(rows, key=lambda row: -row["mentions"])


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1] + "…"


def representative_quotes(texts: Sequence[str], positive: np.ndarray, *, count: int = QUOTES) -> tuple[list[str], list[str]]:
    """The most clearly positive and negative reviews, preferring ones of moderate length (a sentence or two)."""
    lengths = np.array([len(text) for text in texts], dtype=float)
    length_fit = 1.0 - np.clip(np.abs(lengths - 60) / 200, 0, 0.5)  # favours ~60 characters
    order_positive = np.argsort(-(positive * length_fit))
    order_negative = np.argsort(-((1 - positive) * length_fit))
    pos = [_quote(texts[i]) for i in order_positive if positive[i] >= 0.5][:count]
    neg = [_quote(texts[i]) for i in order_negative if positive[i] < 0.5][:count]
    return pos, neg


def extractive_synthesis(n_reviews: int, positive_share: float | None, aspects: list[dict[str, Any]], *, lang: str) -> str:
    """One or two sentences assembled from the breakdown, in the reviews' language."""
    names = ASPECT_NAMES["zh" if lang == "zh" else "en"]
    liked = [names[Aspect(row["aspect"])] for row in aspects if (row["positive_share"] or 0) >= 0.6][:3]
    disliked = [names[Aspect(row["aspect"])] for row in aspects if row["positive_share"] is not None and row["positive_share"] < 0.4][:3]
    share = f"{positive_share:.0%}" if positive_share is not None else "?"
    if lang == "zh":
        text = f"共{n_reviews}条评价，{share}为好评。"
        if liked:
            text += f"买家称赞{'、'.join(liked)}"
            text += f"，但对{'、'.join(disliked)}有不满。" if disliked else "。"
        elif disliked:
            text += f"主要抱怨集中在{'、'.join(disliked)}。"
        return text
    text = f"{n_reviews} reviews, {share} positive."
    if liked:
        text += f" Buyers praise the {', '.join(liked)}"
        text += f" but complain about the {', '.join(disliked)}." if disliked else "."
    elif disliked:
        text += f" Complaints centre on the {', '.join(disliked)}."
    return text


def llm_synthesis(generator: TextGenerator, facts: str, *, lang: str) -> str:
    """A short synthesis written by the LLM from the given facts only.

    Raises:
        LLMUnavailableError: the model failed or answered nothing.
    """
    instruction = "用两句话中文总结" if lang == "zh" else "Summarise in two sentences"
    messages = [
        {"role": "system", "content": "You summarise product reviews. Use only the facts given; do not invent any."},
        {"role": "user", "content": f"{instruction} what buyers think, from these facts:\n{facts}"},
    ]
    reply = generator.generate(messages, max_tokens=120).strip()
    if not reply:
        raise LLMUnavailableError("the LLM returned an empty synthesis")
    return reply


def summarize_reviews(
    product_id: str,
    texts: Sequence[str],
    positive: np.ndarray,
    mentions: Sequence[Sequence[AspectMention]],
    *,
    ratings: Sequence[float | None] | None = None,
    generator: TextGenerator | None = None,
) -> ProductSummary:
    """Builds the summary of one product from its scored reviews.

    Args:
        product_id: the product.
        texts: its reviews.
        positive: P(positive) per review.
        mentions: aspect mentions per review.
        ratings: star ratings, when known.
        generator: LLM for the synthesis; None = extractive.
    """
    lang = "zh" if sum(language(t) == "zh" for t in texts) * 2 > len(texts) else "en"
    aspects = aspect_breakdown(mentions)
    share = float((positive >= 0.5).mean()) if len(texts) else None
    known = [float(r) for r in (ratings or []) if r is not None and r == r]
    pos_quotes, neg_quotes = representative_quotes(texts, positive)
    synthesis = extractive_synthesis(len(texts), share, aspects, lang=lang)
    source = "extractive"
    if generator is not None and texts:
        facts = f"{synthesis}\nAspects: {aspects}\nPositive quotes: {pos_quotes}\nNegative quotes: {neg_quotes}"
        try:
            synthesis, source = llm_synthesis(generator, facts, lang=lang), "llm"
        except LLMUnavailableError as error:
            logger.warning("LLM synthesis failed, using the extractive one: %s", error)
    return ProductSummary(
        product_id=product_id, n_reviews=len(texts), positive_share=share,
        average_rating=float(np.mean(known)) if known else None, aspects=aspects,
        positive_quotes=pos_quotes, negative_quotes=neg_quotes, synthesis=synthesis, synthesis_source=source,
    )
