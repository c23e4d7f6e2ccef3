"""The checks every generated text passes before it is returned: grounding (numbers, dates, ids, attribute
values, claims, review praise), language and length.

The numbers check is the assistant's (`llm4retail.llm.grounding.check_grounding`); the attribute-value
check reads the store's vocabulary (`CatalogTerms.lexicon`): a colour, material, size word or brand the
text names must be one the record holds. Claims are marketing promises ("waterproof", "包邮") that only
the record's own text may make; praise of reviewers must name aspects they do praise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from llm4retail.generate.facts import CatalogTerms, ProductFacts
from llm4retail.llm.grounding import check_grounding, check_values
from llm4retail.reviews.aspects import find_aspects
from llm4retail.text.language import CJK, Language

# Claim -> its wordings (English and Chinese). A claim stated in generated text must be in the record's text.
CLAIMS: dict[str, tuple[str, ...]] = {
    "waterproof": ("waterproof", "water-resistant", "water resistant", "防水"),
    "organic": ("organic", "有机"),
    "handmade": ("handmade", "hand-made", "handcrafted", "手工"),
    "eco-friendly": ("eco-friendly", "eco friendly", "sustainable", "recycled", "环保", "可回收"),
    "hypoallergenic": ("hypoallergenic", "低敏", "无刺激"),
    "bpa-free": ("bpa-free", "bpa free", "无双酚a"),
    "free shipping": ("free shipping", "free delivery", "包邮", "免运费"),
    "warranty": ("warranty", "guarantee", "guaranteed", "保修", "质保", "保证"),
    "bestseller": ("best-selling", "bestseller", "best seller", "top-rated", "top rated", "畅销", "爆款", "销量第一"),
    "award": ("award-winning", "award winning", "获奖"),
    "certified": ("certified", "认证"),
    "imported": ("imported", "进口"),
    "limited": ("limited edition", "limited stock", "only a few left", "限量", "仅剩"),
    "discount": ("discount", "% off", "on sale", "sale price", "coupon", "voucher", "折扣", "优惠", "打折", "特价", "立减", "优惠券"),
    "best": ("the best", "best-in-class", "#1", "number one", "最好", "最佳", "第一"),
    "natural": ("all-natural", "100% natural", "natural", "天然"),
    "new arrival": ("new arrival", "just launched", "新品", "新款"),
}  # fmt: skip
_REVIEW_WORDS = re.compile(
    r"review|rated|rating|customers? (?:say|love|praise)|shoppers|buyers|买家|评价|好评|口碑|评分|顾客", re.I
)
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]?")
ZH_MIN_CJK_SHARE = 0.3  # Chinese copy names Latin brands and units; a third of its letters are still Chinese


def _claim_pattern(phrase: str) -> re.Pattern[str]:
    escaped = re.escape(phrase)
    return re.compile(
        escaped if CJK.search(phrase) or not phrase[0].isalnum() else rf"(?<![a-z0-9]){escaped}(?![a-z0-9])", re.I
    )


_CLAIM_PATTERNS = {claim: [_claim_pattern(phrase) for phrase in phrases] for claim, phrases in CLAIMS.items()}


def claims_in(text: str) -> set[str]:
    """The claims (`CLAIMS` keys) a text makes."""
    return {claim for claim, patterns in _CLAIM_PATTERNS.items() if any(p.search(text) for p in patterns)}


def praise_problems(text: str, praised: Sequence[str]) -> list[str]:
    """Sentences that credit reviewers with praise they did not give (an aspect they do not praise)."""
    problems = []
    for sentence in _SENTENCE.findall(text):
        if not _REVIEW_WORDS.search(sentence):
            continue
        aspects = {aspect.value for aspect, *_ in find_aspects(sentence)}
        unpraised = sorted(aspects - set(praised)) if praised else ["any"]
        problems += [f"praise {aspect}" for aspect in unpraised]
    return problems


def language_problem(text: str, language: Language) -> str | None:
    """None when `text` is in `language` (Chinese: a third or more of its letters Chinese; English: none)."""
    cjk = len(CJK.findall(text))
    letters = sum(character.isalpha() for character in text)
    if language is Language.CHINESE and cjk < ZH_MIN_CJK_SHARE * max(letters, 1):
        return "language: not Chinese"
    if language is Language.ENGLISH and cjk:
        return "language: Chinese characters in English text"
    return None


def length_problems(parts: Iterable[tuple[str, str, int, int]]) -> list[str]:
    """(name, text, min chars, max chars) -> the parts out of bounds."""
    return [f"length: {name} has {len(text)} characters, allowed {low}-{high}"
            for name, text, low, high in parts if not low <= len(text) <= high]  # fmt: skip


def grounding_problems(text: str, products: Sequence[ProductFacts], *, terms: CatalogTerms,
                       extra_facts: Sequence[str] = ()) -> list[str]:  # fmt: skip
    """Numbers, dates, ids, attribute values, claims and praise in `text` that the products' records do not hold."""
    facts = [*extra_facts]
    allowed: set[str] = set()
    record_claims: set[str] = set()
    praised: list[str] = []
    for product in products:
        facts += [product.text, *product.fact_lines(Language.ENGLISH), *product.fact_lines(Language.CHINESE)]
        named = " ".join([product.text, *product.nouns.values()])  # "绿茶" names the green tea category too
        allowed |= product.allowed_values() | {value for _, value in terms.lexicon.stated(named)}
        record_claims |= claims_in(product.text)
        praised += product.praised
    problems = list(check_grounding(text, facts).unsupported)
    problems += list(check_values(text, lexicon=terms.lexicon, allowed=allowed).unsupported)
    problems += [f"claim {claim}" for claim in sorted(claims_in(text) - record_claims)]
    problems += praise_problems(text, praised)
    return problems
