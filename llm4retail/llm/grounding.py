"""The grounding check: every price, quantity, date, order status, identifier and policy number
in a generated text must appear in the facts it was generated from (the assistant's answers, generated
product copy and campaign messages), and every attribute value it names must be the record's.

Claims are read the same way from the answer and from the facts, so "$1,299.00", "1299" and
"1299.0" are one number and "2026-10-05" and "2026年10月5日" one date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

# Order ids, tracking codes. Lookarounds instead of \b: in Chinese text an id touches CJK characters, which \b counts as word characters.
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,4}\d{4,}|SF\d{10,13}|1Z[0-9A-Z]{16})(?![A-Za-z0-9])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z0-9_.])\d+(?:\.\d+)?")
STATUS_WORDS: dict[str, str] = {
    "pending": "pending", "awaiting payment": "pending", "待付款": "pending",
    "paid": "paid", "已付款": "paid", "processing": "processing", "处理中": "processing",
    "shipped": "shipped", "已发货": "shipped", "in transit": "in_transit", "in_transit": "in_transit", "运输中": "in_transit",
    "delivered": "delivered", "已签收": "delivered", "已送达": "delivered",
    "cancelled": "cancelled", "canceled": "cancelled", "已取消": "cancelled",
    "returned": "returned", "已退货": "returned", "refunded": "refunded", "已退款": "refunded",
    "not_shipped": "not_shipped", "未发货": "not_shipped",
}  # fmt: skip
_STATUS = re.compile("|".join(sorted((re.escape(word) for word in STATUS_WORDS), key=len, reverse=True)), re.IGNORECASE)


# "can be returned", "has not been delivered": a possibility or a negation, not an order's status.
_MODAL = re.compile(
    r"\b(?:can|cannot|can't|could|may|might|must|should|to|longer)\s+be\s+$|\bnot\s+(?:been\s+|yet\s+)?$"
    r"|可以$|可$|能$|无法$|不能$|尚未$|未$",
    re.IGNORECASE,
)


@dataclass
class Claims:
    """Checkable statements of a text."""

    numbers: set[float] = field(default_factory=set)
    dates: set[tuple[int, int, int]] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)

    def is_empty(self) -> bool:
        """No checkable statement."""
        return not (self.numbers or self.dates or self.statuses or self.identifiers)


def read_claims(text: str) -> Claims:
    """Numbers, dates, order statuses and identifiers (order ids, tracking codes) stated in `text`."""
    text = unicodedata.normalize("NFKC", text)
    claims = Claims()
    for match in IDENTIFIER.finditer(text):
        claims.identifiers.add(match.group(0).lower())
    text = IDENTIFIER.sub(" ", text)
    text = re.sub(r"\[\d+\]", " ", text)  # citation markers are no claims
    for pattern in (_ISO_DATE, _CHINESE_DATE):
        for match in pattern.finditer(text):
            claims.dates.add(tuple(int(part) for part in match.groups()))  # type: ignore[arg-type]
        text = pattern.sub(" ", text)
    text = re.sub(r"(?<!\d)\d{1,2}:\d{2}(?:-\d{1,2}:\d{2})?(?!\d)", lambda m: " " + m.group(0).replace(":", " ") + " ", text)
    for match in _NUMBER.finditer(text):
        claims.numbers.add(round(float(match.group(0).replace(",", "")), 2))
    for match in _STATUS.finditer(text):
        if not _MODAL.search(text[max(0, match.start() - 24) : match.start()]):
            claims.statuses.add(STATUS_WORDS[match.group(0).lower()])
    return claims


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class GroundingResult:
    """The outcome of the check."""

    grounded: bool
    unsupported: tuple[str, ...]


_PRICE = re.compile(r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})*\.\d{2}(?!\d)|(?<![A-Za-z0-9_.])\d+\.\d{2}(?!\d)")


# What a message asks the facts for: an amount, a date, or where an order is. A message that asks for none of
# them (or for several) needs every essential value.
_ASKS = {
    "price": re.compile(r"how much|\bcost|\bprice|\bpa(?:y|id)\b|\btotal|\bcharged?\b|\bspen[dt]\b|多少钱|价格|价钱|花了|付了|总价|金额",
                        re.IGNORECASE),
    "date": re.compile(r"\bwhen\b|\bwhat (?:day|date|time)|\bwhich day|\bdate\b|几号|哪天|什么时候|日期|几月", re.IGNORECASE),
    "status": re.compile(r"\bwhere\b|\bstatus|\bship|\barriv|\bdeliver|\btrack|\bupdate|到哪|状态|发货|物流|快递|到了|送到|签收",
                         re.IGNORECASE),
}


def asked_for(question: str | None) -> set[str]:
    """Which of `price`, `date`, `status` a customer's message asks about (empty: none recognised)."""
    return {name for name, pattern in _ASKS.items() if question and pattern.search(question)}


def missing_essentials(answer: str, facts: list[str], *, question: str | None = None) -> tuple[str, ...]:
    """Essential values of the facts the answer leaves out: statuses, identifiers and prices.

    A grounded answer can still be useless ("your order was placed on 2026-10-05" to "where is
    my order?"); an answer must carry what the customer asked the facts for. With the `question`, an answer
    to "how much was it?" needs the price, to "when did I order?" a date of the facts, to "where is it?"
    the status and identifiers; a question that asks for none of these (or several) needs all of them.
    """
    stated = read_claims(answer)
    needed = read_claims("\n".join(facts))
    prices = {round(float(m.group(0).replace(",", "")), 2) for fact in facts for m in _PRICE.finditer(fact)}
    asks = asked_for(question)
    everything = len(asks) != 1
    missing = []
    if everything or "status" in asks:
        missing += [f"status {s}" for s in sorted(needed.statuses - stated.statuses)]
        missing += [f"id {i}" for i in sorted(needed.identifiers - stated.identifiers)]
    if everything or "price" in asks:
        missing += [f"price {_number(p)}" for p in sorted(prices - stated.numbers)]
    if "date" in asks and not everything and needed.dates and not needed.dates & stated.dates:
        missing.append("a date of the facts")
    return tuple(missing)


def check_grounding(answer: str, facts: list[str]) -> GroundingResult:
    """Every claim of `answer` must be among the claims of `facts`.

    Args:
        answer: a generated answer.
        facts: the retrieved fact texts the answer was generated from.

    Returns:
        `grounded` and the unsupported claims, e.g. ("number 45.0", "status shipped").
    """
    allowed = read_claims("\n".join(facts))
    stated = read_claims(answer)
    unsupported = [f"number {_number(n)}" for n in sorted(stated.numbers - allowed.numbers)]
    unsupported += [f"date {y:04d}-{m:02d}-{d:02d}" for y, m, d in sorted(stated.dates - allowed.dates)]
    unsupported += [f"status {s}" for s in sorted(stated.statuses - allowed.statuses)]
    unsupported += [f"id {i}" for i in sorted(stated.identifiers - allowed.identifiers)]
    return GroundingResult(grounded=not unsupported, unsupported=tuple(unsupported))



def _phrase_pattern(phrase: str) -> str:
    # Latin phrases match whole words ("red" is not in "shred"); a Chinese phrase touches its neighbours.
    escaped = re.escape(phrase)
    return escaped if re.search(r"[\u3400-\u9fff]", phrase) else rf"(?<![a-z0-9]){escaped}(?![a-z0-9])"


class ValueLexicon:
    """The attribute values a store knows, in every wording: phrase (any language) -> canonical value.

    Args:
        phrases: lower-case phrase -> canonical value ("红色" -> "red", "red" -> "red", "nordhaus" -> "nordhaus").

    Example:
        >>> ValueLexicon({"red": "red", "红色": "red", "steel": "steel", "stainless steel": "stainless steel"}).stated(
        ...     "Stainless steel, 红色")
        [('stainless steel', 'stainless steel'), ('红色', 'red')]
    """

    def __init__(self, phrases: Mapping[str, str]) -> None:
        self.phrases = {phrase.lower(): value for phrase, value in phrases.items() if phrase.strip()}
        # One alternation, longest phrases first: at one position "stainless steel" wins over "steel".
        ordered = sorted(self.phrases, key=len, reverse=True)
        self._pattern = re.compile("|".join(_phrase_pattern(phrase) for phrase in ordered)) if ordered else None

    def stated(self, text: str) -> list[tuple[str, str]]:
        """(phrase, canonical value) of every value `text` names, in text order."""
        if self._pattern is None:
            return []
        lowered = unicodedata.normalize("NFKC", text).lower()
        return [(match.group(0), self.phrases[match.group(0)]) for match in self._pattern.finditer(lowered)]


def check_values(text: str, *, lexicon: ValueLexicon, allowed: Collection[str]) -> GroundingResult:
    """Every attribute-like value `text` names (a colour, material, size word, brand ... of `lexicon`) must be one
    of the record's (`allowed`, canonical values).

    Returns:
        `grounded` and the unsupported values, e.g. ("value red",).
    """
    unsupported = sorted({f"value {value}" for _, value in lexicon.stated(text) if value not in allowed})
    return GroundingResult(grounded=not unsupported, unsupported=tuple(unsupported))
