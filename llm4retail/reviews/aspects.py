"""Aspect-level sentiment: which retail aspects a review talks about, how, and where (evidence span).

A review is cut into clauses; a clause that names an aspect (bilingual keyword
lexicon, longest keywords first) gets that aspect, and its polarity comes from
a clause scorer: a fitted sentiment model's positive probability when one is
given, else an opinion-word lexicon with negation ("不好", "not good").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from llm4retail.reviews.text import clauses

ClauseScorer = Callable[[Sequence[str]], np.ndarray]  # texts -> P(positive)
POSITIVE_THRESHOLD = 0.55
NEGATIVE_THRESHOLD = 0.45


class Aspect(StrEnum):
    """Retail aspects reviews talk about."""

    QUALITY = "quality"
    VALUE = "value"  # price / value for money
    SHIPPING = "shipping"  # delivery and logistics
    SERVICE = "service"
    SIZE = "size"  # size and fit
    APPEARANCE = "appearance"
    FUNCTION = "function"


class Polarity(StrEnum):
    """Sentiment of one aspect mention."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    NEUTRAL = "neutral"


KEYWORDS: dict[Aspect, tuple[str, ...]] = {
    Aspect.QUALITY: ("质量", "品质", "做工", "材质", "用料", "耐用", "结实", "正品", "假货", "假的", "坏了", "破损", "瑕疵",
                     "面料", "布料", "纸质", "印刷", "手感", "质感", "质地", "新鲜", "烂了", "已烂", "变质", "过期", "掉色",
                     "褪色", "缩水", "坏道", "陈旧", "破旧", "设施", "卫生", "干净", "内容", "文笔", "故事", "好书",
                     "quality", "well made", "build", "sturdy", "durable", "flimsy", "cheaply made", "broke", "broken",
                     "defective", "material", "cracked", "damaged", "stopped working", "stop working", "broke off",
                     "fell off", "peeling", "fake", "held up", "holds up", "lasted", "last long", "solid", "torn",
                     "ripped", "cheap plastic", "cheap material", "story", "stories", "movie", "book", "song", "content",
                     "recipes", "out of date"),
    Aspect.VALUE: ("价格", "价钱", "性价比", "便宜", "实惠", "划算", "贵", "物有所值", "不值", "降价", "价格保护",
                   "price", "value", "worth", "cheap", "expensive", "overpriced", "money", "bargain", "cost", "deal",
                   "for the price"),
    Aspect.SHIPPING: ("物流", "快递", "发货", "送货", "配送", "到货", "包装", "送到", "收到", "到手", "冷链", "漏液", "漏了",
                      "完好无缺",
                      "shipping", "delivery", "delivered", "arrived", "arrival", "package", "packaging", "shipped",
                      "courier", "took weeks", "in transit", "leaked"),
    Aspect.SERVICE: ("客服", "服务", "售后", "卖家", "商家", "态度", "退货", "换货", "退款", "前台", "发错", "少发", "补发",
                     "来装", "上门安装", "师傅",
                     "service", "seller", "customer support", "support", "refund", "return", "staff", "replacement",
                     "replaced", "shipped wrong", "sent wrong", "sent me the wrong", "received wrong", "short 1",
                     "missing", "company"),
    Aspect.SIZE: ("尺寸", "尺码", "大小", "码数", "偏大", "偏小", "合身", "长度", "宽度", "小巧", "体积", "狭小", "宽敞",
                  "合适", "个头", "房间很小", "房间不算太大", "太小", "太大", "比较小", "很大",
                  "size", "fit", "fits", "too small", "too big", "too large", "tight", "loose", "length", "runs large",
                  "runs small", "big", "roomy"),
    Aspect.APPEARANCE: ("外观", "颜色", "样子", "款式", "好看", "漂亮", "难看", "颜值", "设计", "色差", "图片", "实物", "外形",
                        "外型", "可爱", "美观", "精致", "大方", "手印", "指纹", "烤漆", "大堂", "色的",
                        "look", "looks", "looked", "color", "colour", "design", "style", "stylish", "beautiful", "pretty",
                        "ugly", "cute", "pictured", "picture", "flattering", "finish"),
    Aspect.FUNCTION: ("功能", "效果", "性能", "好用", "使用", "速度", "续航", "电池", "屏幕", "声音", "味道", "口感",
                      "好吃", "难吃", "吃", "甜", "酸", "脆", "好喝", "很卡", "太卡", "卡顿", "流畅", "待机", "拍照", "信号", "铃声", "散热",
                      "键盘", "内存", "显存", "好使", "实用", "用起来", "用着", "不能用", "支持", "操作", "系统", "软件",
                      "works", "function", "performance", "battery", "screen", "sound", "easy to use", "effective",
                      "taste", "speed", "work", "worked", "working", "does the job", "charge", "charging", "warm",
                      "comfortable", "signal", "useful", "scent", "scents", "smell", "flavor", "flavour", "texture",
                      "loud", "noise", "stick", "install", "instructions"),
}
POSITIVE_WORDS = ("好", "不错", "满意", "喜欢", "快", "棒", "值", "推荐", "漂亮", "好看", "实惠", "便宜", "结实", "耐用", "舒服", "合适", "赞",
                  "good", "great", "excellent", "love", "fast", "perfect", "happy", "nice", "recommend", "sturdy", "worth", "beautiful", "works well", "easy")
NEGATIVE_WORDS = ("差", "慢", "失望", "坏", "贵", "难看", "破", "假", "垃圾", "退", "问题", "不值", "太小", "太大", "偏小", "偏大", "色差", "烂", "糟糕",
                  "bad", "poor", "slow", "broke", "broken", "terrible", "disappointed", "cheaply", "waste", "return", "flimsy", "overpriced", "awful", "worst", "defective",
                  "too small", "too big", "too large", "too tight", "too loose", "too expensive", "late", "rude", "cheap looking")
NEGATIONS = ("不", "没", "没有", "别", "not", "no", "never", "n't", "isn't", "wasn't", "don't", "doesn't", "didn't")


@dataclass(frozen=True)
class AspectMention:
    """One aspect found in a review, with its polarity and evidence."""

    aspect: Aspect
    polarity: Polarity
    score: float  # P(positive) of the clause
    evidence: str  # the clause
    start: int  # character offsets of the clause in the review
    end: int
    keyword: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "aspect": self.aspect.value, "polarity": self.polarity.value}


# A clause that names no aspect but says the product failed to do something ("doesn't stay inflated",
# "didn't get the knots out", "不出水", "无法连接") judges how it works. Verbs of buying, delivery, fit,
# wanting or opinion are left out: those are other aspects or no judgement of the product.
_NOT_FUNCTION = (
    r"want|wanna|think|know|like|love|recommend|return|buy|bought|order|arrive|come|came|ship|deliver|receive|fit|"
    r"mind|care|expect|understand|bother|notice|see|say|tell|feel|seem|look|need|have|go|get here|put|wear|wait"
)
_FAILED_ACTION = re.compile(
    rf"\b(?:doesn'?t|does not|didn'?t|did not|won'?t|will not|wouldn'?t|would not|can'?t|cannot|couldn'?t|could not|"
    rf"has not|hasn'?t|never)\s+(?!(?:{_NOT_FUNCTION})\b)(?:really\s+|even\s+|actually\s+)?[a-z]+"
    r"|\bkept (?:falling|breaking|turning|shutting|dying|stopping|slipping|leaking)\b"
    r"|不出(?!来了)|无法(?!退|换|联系|送|收)|不能(?:用|接收|连接|充电|开机|打开|正常)|用不了|打不开|没反应|连不上|充不进",
    re.IGNORECASE,
)


def _pattern(word: str) -> str:
    return re.escape(word) if re.search(r"[\u3400-\u9fff]", word) else rf"\b{re.escape(word)}\b"


_ASPECT_PATTERNS = [
    (aspect, word, re.compile(_pattern(word), re.IGNORECASE))
    for aspect, words in KEYWORDS.items()
    for word in sorted(words, key=len, reverse=True)
]


def lexicon_scores(texts: Sequence[str]) -> np.ndarray:
    """P(positive)-like scores from opinion words; a negation just before an opinion word flips it."""
    scores = []
    for text in texts:
        lowered = text.lower()
        total = 0
        for words, sign in ((POSITIVE_WORDS, 1), (NEGATIVE_WORDS, -1)):
            for word in words:
                for match in re.finditer(_pattern(word), lowered):
                    before = lowered[max(0, match.start() - 8) : match.start()]
                    negated = any(before.rstrip().endswith(n) for n in NEGATIONS) or bool(re.search(r"\b(not|no|never)\s+\w*\s*$", before))
                    total += -sign if negated else sign
        scores.append(0.5 + 0.4 * np.tanh(total))
    return np.asarray(scores, dtype=float)


def find_aspects(text: str) -> list[tuple[Aspect, str, int, int]]:
    """(aspect, keyword, clause start, clause end) for each aspect named in each clause (once per clause)."""
    found = []
    for start, end in clauses(text):
        clause = text[start:end]
        seen: set[Aspect] = set()
        for aspect, word, pattern in _ASPECT_PATTERNS:
            if aspect not in seen and pattern.search(clause):
                seen.add(aspect)
                found.append((aspect, word, start, end))
        if not seen and (failed := _FAILED_ACTION.search(clause)):
            found.append((Aspect.FUNCTION, failed.group(0), start, end))
    return found


def polarity_of(score: float) -> Polarity:
    """Positive above 0.55, negative below 0.45, neutral between."""
    if score >= POSITIVE_THRESHOLD:
        return Polarity.POSITIVE
    if score <= NEGATIVE_THRESHOLD:
        return Polarity.NEGATIVE
    return Polarity.NEUTRAL


def analyze_aspects(texts: Sequence[str], *, scorer: ClauseScorer | None = None) -> list[list[AspectMention]]:
    """The aspect mentions of each review.

    Args:
        texts: reviews.
        scorer: clause texts -> P(positive); default the opinion lexicon. With a model, the
            lexicon still decides clauses the model is unsure about.

    Returns:
        For each review, its mentions in text order.
    """
    located = [find_aspects(text) for text in texts]
    clause_texts = [text[start:end].strip() for text, items in zip(texts, located, strict=True) for _, _, start, end in items]
    lexical = lexicon_scores(clause_texts)
    if scorer is not None and clause_texts:
        modelled = np.asarray(scorer(clause_texts), dtype=float)
        unsure = np.abs(modelled - 0.5) < 0.1
        scores = np.where(unsure & (np.abs(lexical - 0.5) > 0.05), lexical, modelled)
    else:
        scores = lexical
    out, position = [], 0
    for text, items in zip(texts, located, strict=True):
        mentions = []
        for aspect, keyword, start, end in items:
            score = float(scores[position])
            position += 1
            mentions.append(AspectMention(aspect, polarity_of(score), score, text[start:end].strip(), start, end, keyword))
        out.append(mentions)
    return out
