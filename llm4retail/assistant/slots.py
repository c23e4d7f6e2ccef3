"""Slot extraction in English and Chinese: order id, tracking code, product mention, size, colour, price limit.

Order ids follow the store's own format (learnt from its order ids) or follow an order word
("order 10234", "订单号：10234"); sizes, colours and price limits are read by the search
package's query parser; a product mention is the longest span of the message that also occurs
in a product title of the catalog.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from llm4retail.search.query import QueryParser

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_ORDER_WORD = re.compile(
    r"(?:order(?:\s*(?:number|no\.?|id|#))?|订单(?:号|编号)?|单号)\s*[:：#]?\s*#?\s*([A-Za-z]{0,4}-?\d{3,}[A-Za-z0-9-]*)",
    re.IGNORECASE,
)
_TRACKING = re.compile(r"(?<![A-Za-z0-9])(SF\d{10,13}|1Z[0-9A-Z]{16}|JD[0-9A-Z]{10,15}|YT\d{13})(?![A-Za-z0-9])")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_CJK_RUN = re.compile(f"[{_CJK}]+")
MAX_LATIN_NGRAM = 10
MAX_CHINESE_NGRAM = 12
STOPWORDS = frozenset(
    "a an the my your our this that these those is are was be it its i me you we for of to in on at with and or "
    "do does did can could would will how what which when where why who please any some one ones have has get "
    "want need like looking look find show buy order orders new price much many cost available stock size colour "
    "color in out about more than under over up set pack item items thing things product products".split()
)  # fmt: skip
CHINESE_STOPWORDS = frozenset(
    "订单 退货 换货 退款 快递 物流 发货 多少 什么 怎么 可以 能不 有没有 还有 一个 这个 那个 我的 我们 你们 推荐 "
    "价格 颜色 尺码 尺寸 规格 材质 有货 礼物".split()
)


@dataclass(frozen=True)
class OrderIdFormat:
    """The store's order-id shape, e.g. "o" + 6 digits, learnt from its order ids."""

    pattern: re.Pattern[str]

    @classmethod
    def from_ids(cls, order_ids: Iterable[str]) -> OrderIdFormat:
        """The most common prefix-letters + digit-count shape of `order_ids` (none: a never-matching pattern)."""
        shapes: Counter[tuple[str, int]] = Counter()
        for order_id in order_ids:
            match = re.fullmatch(r"([A-Za-z]{0,4})(\d{4,})", str(order_id))
            if match:
                shapes[(match.group(1).lower(), len(match.group(2)))] += 1
        if not shapes:
            return cls(re.compile(r"(?!x)x"))
        prefix, digits = shapes.most_common(1)[0][0]
        if not prefix:  # bare numbers are too ambiguous without an order word
            return cls(re.compile(r"(?!x)x"))
        return cls(re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}\d{{{digits}}}(?![0-9])", re.IGNORECASE))


@dataclass
class Slots:
    """What one message says about the shopper's request."""

    order_id: str | None = None
    tracking_code: str | None = None
    product: str | None = None
    size: str | None = None
    colour: str | None = None
    price_limit: float | None = None
    brands: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The slots that have a value."""
        values = {
            "order_id": self.order_id, "tracking_code": self.tracking_code, "product": self.product,
            "size": self.size, "colour": self.colour, "price_limit": self.price_limit,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass
class ProductMentions:
    """Spans of product titles (word n-grams for Latin text, character n-grams for Chinese)."""

    latin: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    chinese: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def from_titles(cls, titles: Sequence[str]) -> ProductMentions:
        """Index every title span; the value is the set of title positions holding it."""
        mentions = cls()
        for position, title in enumerate(titles):
            words = _LATIN_WORD.findall(str(title).lower())
            for size in range(1, MAX_LATIN_NGRAM + 1):
                for start in range(len(words) - size + 1):
                    mentions.latin[" ".join(words[start : start + size])].add(position)
            for run in _CJK_RUN.findall(str(title)):
                for size in range(2, min(MAX_CHINESE_NGRAM, len(run)) + 1):
                    for start in range(len(run) - size + 1):
                        mentions.chinese[run[start : start + size]].add(position)
        return mentions

    def find(self, text: str, *, ignore: frozenset[str] = frozenset()) -> tuple[str | None, set[int]]:
        """The longest product span in `text` and the titles that contain it."""
        best: tuple[int, str | None, set[int]] = (0, None, set())
        words = _LATIN_WORD.findall(text.lower())
        for size in range(MAX_LATIN_NGRAM, 0, -1):
            for start in range(len(words) - size + 1):
                gram = words[start : start + size]
                span = " ".join(gram)
                content = [w for w in gram if w not in STOPWORDS and w not in ignore and not w.isdigit()]
                if not content or gram[0] in STOPWORDS or gram[-1] in STOPWORDS or span not in self.latin:
                    continue
                if len(span) > best[0]:
                    best = (len(span), span, self.latin[span])
        for run in _CJK_RUN.findall(text):
            for size in range(min(MAX_CHINESE_NGRAM, len(run)), 1, -1):
                for start in range(len(run) - size + 1):
                    span = run[start : start + size]
                    if span in self.chinese and span not in CHINESE_STOPWORDS and span not in ignore and len(span) * 2 > best[0]:
                        best = (len(span) * 2, span, self.chinese[span])  # a Chinese character ~ two Latin letters
        return best[1], best[2]


def _remove(text: str, span: str) -> str:
    """`text` without the first case-insensitive occurrence of `span`."""
    return re.sub(re.escape(span), " ", text, count=1, flags=re.IGNORECASE)


class SlotExtractor:
    """Reads slots from messages.

    Args:
        order_ids: the store's order ids (their shape lets "o000123" be found without an order word).
        titles: product titles of the catalog (product mentions are spans of these).
        brands: catalog brands (so that a brand such as "Red Wing" is no colour).

    Example:
        >>> extractor = SlotExtractor(order_ids=["o000123"], titles=["Aster Grey Fabric Sofa"])
        >>> extractor.extract("is the grey fabric sofa under $500? see order o000123").as_dict()
        {'order_id': 'o000123', 'product': 'grey fabric sofa', 'price_limit': 500.0}
        >>> extractor.extract("do you have the fabric sofa in red?").as_dict()
        {'product': 'fabric sofa', 'colour': 'red'}
    """

    def __init__(self, *, order_ids: Iterable[str] = (), titles: Sequence[str] = (), brands: Iterable[str] = ()) -> None:
        self.order_format = OrderIdFormat.from_ids(order_ids)
        self.mentions = ProductMentions.from_titles(titles)
        self.parser = QueryParser(brands=sorted({str(b) for b in brands if isinstance(b, str) and b.strip()}))

    def extract(self, text: str) -> Slots:
        """The slots of one message (any language)."""
        text = text[: self.parser.max_length]
        slots = Slots()
        tracking = _TRACKING.search(text)
        masked = text
        if tracking:
            slots.tracking_code = tracking.group(1)
            masked = masked.replace(tracking.group(1), " ")
        order = self.order_format.pattern.search(masked) or _ORDER_WORD.search(masked)
        if order:
            slots.order_id = (order.group(1) if order.re is _ORDER_WORD else order.group(0)).strip()
            masked = masked.replace(slots.order_id, " ")
        slots.product, _ = self.mentions.find(masked)
        parsed = self.parser.parse(masked)
        # A colour or size named outside the product's own name is what the shopper asks for
        # ("swap the yellow basket for a blue one" asks for blue).
        outside = self.parser.parse(_remove(masked, slots.product)) if slots.product else parsed
        colours, sizes = outside.colours, outside.sizes  # the product's own colour is no request
        slots.colour = colours[0] if colours else None
        slots.size = sizes[0] if sizes else None
        slots.brands = parsed.brands
        if parsed.price is not None:
            slots.price_limit = parsed.price.maximum
        return slots

    def product_positions(self, span: str) -> set[int]:
        """Title positions that contain a product span found by `extract`."""
        return set(self.mentions.latin.get(span.lower(), set()) or self.mentions.chinese.get(span, set()))
