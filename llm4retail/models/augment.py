"""Text augmentation for low-resource training: EDA operations, template paraphrase, LLM paraphrase.

EDA (Wei and Zou, 2019): synonym replacement, random deletion, random swap, on
words (jieba for Chinese). Synonyms come from a small bilingual retail thesaurus
that keeps the polarity of opinion words. Template paraphrase rewraps a review in
a neutral frame of its language ("总的来说，…", "Overall, …"); LLM paraphrase asks
the configured OpenAI-compatible endpoint, when there is one, to reword the text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from enum import StrEnum

import numpy as np

from llm4retail.errors import DataValidationError, LLMUnavailableError
from llm4retail.text.language import MIXED_TEXT_SHARE, detect_language
from llm4retail.text.tokenize import words

logger = logging.getLogger(__name__)

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("好", "不错", "棒", "很好", "挺好"), ("满意", "称心", "满意度高"), ("喜欢", "喜爱", "中意"),
    ("差", "糟糕", "烂", "很差", "太差"), ("失望", "郁闷", "无语"), ("快", "迅速", "很快", "神速"),
    ("慢", "很慢", "太慢", "拖拉"), ("便宜", "实惠", "划算", "低价"), ("贵", "太贵", "偏贵", "价格高"),
    ("漂亮", "好看", "美观", "颜值高"), ("难看", "丑", "不好看"), ("质量", "品质", "做工"),
    ("物流", "快递", "配送", "送货"), ("客服", "售后", "服务"), ("东西", "商品", "宝贝", "产品"),
    ("推荐", "值得购买", "建议购买"), ("不推荐", "不建议购买", "别买"), ("非常", "特别", "十分", "超级"),
    ("还行", "一般", "凑合"), ("坏了", "损坏", "有问题"), ("舒服", "舒适"), ("合适", "合身"),
    ("good", "great", "nice", "fine"), ("excellent", "outstanding", "superb", "fantastic"),
    ("bad", "poor", "terrible", "awful"), ("love", "adore", "really like"), ("hate", "dislike", "can't stand"),
    ("cheap", "inexpensive", "affordable"), ("expensive", "pricey", "overpriced"),
    ("fast", "quick", "speedy"), ("slow", "sluggish", "delayed"), ("broke", "failed", "stopped working"),
    ("product", "item", "thing"), ("quality", "build", "craftsmanship"), ("beautiful", "pretty", "lovely"),
    ("recommend", "suggest", "endorse"), ("very", "really", "extremely"), ("happy", "pleased", "satisfied"),
    ("disappointed", "unhappy", "let down"), ("works", "functions", "operates"), ("small", "tiny", "little"),
    ("big", "large", "huge"), ("shipping", "delivery"), ("seller", "vendor", "store"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    word: tuple(other for other in group if other != word) for group in SYNONYM_GROUPS for word in group
}
TEMPLATES = {
    "zh": ("总的来说，{text}", "{text}，这是我的真实感受。", "说实话，{text}", "买了之后的感受：{text}"),
    "en": ("Overall, {text}", "{text} That is my honest opinion.", "To be honest, {text}", "After using it: {text}"),
}
PARAPHRASE_PROMPT = (
    "Rewrite this customer review in the same language with different words, keeping its meaning and "
    "sentiment. Answer with the rewritten review only.\n\nReview: {text}"
)


class Augmentation(StrEnum):
    """One augmentation operation."""

    SYNONYM = "synonym"
    DELETE = "delete"
    SWAP = "swap"
    TEMPLATE = "template"
    LLM = "llm"


def _join(tokens: list[str], lang: str) -> str:
    return "".join(tokens) if lang == "zh" else " ".join(tokens)


def synonym_replace(tokens: list[str], rng: np.random.Generator, *, rate: float = 0.1) -> list[str]:
    """Replaces about `rate` of the words that have thesaurus synonyms (at least one if any)."""
    positions = [i for i, token in enumerate(tokens) if token in SYNONYMS]
    if not positions:
        return list(tokens)
    count = max(1, int(round(rate * len(tokens))))
    out = list(tokens)
    for i in rng.choice(positions, size=min(count, len(positions)), replace=False):
        choices = SYNONYMS[out[i]]
        out[i] = choices[int(rng.integers(len(choices)))]
    return out


def random_delete(tokens: list[str], rng: np.random.Generator, *, rate: float = 0.1) -> list[str]:
    """Drops each word with probability `rate` (never all of them)."""
    if not tokens:
        return []
    kept = [token for token in tokens if rng.random() >= rate]
    return kept or [tokens[int(rng.integers(len(tokens)))]]


def random_swap(tokens: list[str], rng: np.random.Generator, *, swaps: int = 1) -> list[str]:
    """Swaps `swaps` random pairs of words."""
    out = list(tokens)
    if len(out) < 2:
        return out
    for _ in range(swaps):
        first, second = rng.choice(len(out), size=2, replace=False)
        out[first], out[second] = out[second], out[first]
    return out


class Augmenter:
    """Makes `copies` augmented variants of each text with randomly chosen operations.

    Args:
        operations: the operations to draw from.
        copies: variants per text.
        seed: random seed.
        paraphrase: a callable text -> paraphrase (e.g. an LLM client); needed for `llm`.

    Example:
        >>> Augmenter(copies=2).augment(["物流很快，质量不错"], [1])
        (['物流很快，质量不错', ..., ...], [1, 1, 1])
    """

    def __init__(
        self,
        *,
        operations: Sequence[Augmentation] = (Augmentation.SYNONYM, Augmentation.DELETE, Augmentation.SWAP, Augmentation.TEMPLATE),
        copies: int = 4,
        seed: int = 0,
        paraphrase: Callable[[str], str] | None = None,
    ) -> None:
        if copies < 1:
            raise DataValidationError(f"copies must be at least 1, got {copies}")
        if not operations:
            raise DataValidationError("give at least one augmentation operation")
        self.operations = tuple(Augmentation(op) for op in operations)
        if Augmentation.LLM in self.operations and paraphrase is None:
            raise DataValidationError("the llm operation needs a paraphrase callable (configure LLM4RETAIL_LLM__BASE_URL)")
        self.copies = copies
        self.rng = np.random.default_rng(seed)
        self.paraphrase = paraphrase

    def variant(self, text: str, operation: Augmentation) -> str:
        """One augmented variant of `text`."""
        lang = detect_language(text, min_cjk_share=MIXED_TEXT_SHARE).value
        if operation is Augmentation.TEMPLATE:
            templates = TEMPLATES[lang]
            return templates[int(self.rng.integers(len(templates)))].format(text=text.strip())
        if operation is Augmentation.LLM:
            assert self.paraphrase is not None
            try:
                return self.paraphrase(text) or text
            except LLMUnavailableError as error:
                logger.warning("paraphrase failed, keeping the text: %s", error)
                return text
        tokens = words(text)
        if not tokens:
            return text
        if operation is Augmentation.SYNONYM:
            return _join(synonym_replace(tokens, self.rng), lang)
        if operation is Augmentation.DELETE:
            return _join(random_delete(tokens, self.rng), lang)
        return _join(random_swap(tokens, self.rng), lang)

    def augment(self, texts: Sequence[str], labels: Sequence[int] | np.ndarray) -> tuple[list[str], list[int]]:
        """The originals followed by `copies` variants of each (labels repeated)."""
        if len(texts) != len(labels):
            raise DataValidationError(f"texts and labels must align: {len(texts)} vs {len(labels)}")
        out_texts, out_labels = list(texts), [int(label) for label in labels]
        for text, label in zip(texts, labels, strict=True):
            for _ in range(self.copies):
                operation = self.operations[int(self.rng.integers(len(self.operations)))]
                out_texts.append(self.variant(text, operation))
                out_labels.append(int(label))
        return out_texts, out_labels


def llm_paraphraser(client: object) -> Callable[[str], str]:
    """A paraphrase callable over a `ChatClient` (see `llm4retail.llm.client`)."""

    def paraphrase(text: str) -> str:
        return client.complete([{"role": "user", "content": PARAPHRASE_PROMPT.format(text=text)}], max_tokens=160, temperature=0.7)  # type: ignore[attr-defined]

    return paraphrase
