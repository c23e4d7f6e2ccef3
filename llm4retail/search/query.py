"""Query understanding: price, brand, colour, size and quantity constraints in shopper queries.

English and Chinese (and the two mixed) are read by rules over word lists in `lexicon.py`.
Spans are claimed in a fixed order, sizes, then quantities ("16gb", "1/2 in."), then prices,
so that a number read as a spec can never also be read as a price ("under 5 gal" has no price).
Only the price phrases are cut from `ParsedQuery.text`: brand, colour, size and unit words also
appear in product titles, so lexical retrieval still gains from them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from llm4retail.data.currency import parse_currency
from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.search import lexicon
from llm4retail.text.language import Language, detect_language

_MASK = "\x00"  # claimed characters; neither a word character nor white space
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CHINESE_NUMBER = r"[零〇一二两三四五六七八九十百千万]+"
_CHINESE_MAGNITUDE = re.compile(r"[十百千万]")
_SIZE_NUMBER = r"\d{1,2}(?:\.5)?"
_Value = TypeVar("_Value")


class PriceBound(Enum):
    """Which side(s) of a price a phrase fixes."""

    RANGE = "range"
    AROUND = "around"
    UPPER = "upper"
    LOWER = "lower"


@dataclass(frozen=True)
class PriceRange:
    """Price bounds in the query's currency, both inclusive; `None` is unbounded.

    Attributes:
        minimum: lowest price, or None.
        maximum: highest price, or None.
        currency: the ISO code the query named ("500元" CNY, "$50" USD, "50 euros" EUR); None when it named
            none (the search then infers it from the query's language and the catalog, `search/prices.py`).
    """

    minimum: float | None
    maximum: float | None
    currency: str | None = None


@dataclass(frozen=True)
class ParsedQuery:
    """A query and the constraints read from it.

    Attributes:
        original: The query as given.
        text: The query without its price phrases, white space normalised: what retrieval matches.
        price: Price bounds, or `None` when the query names no price.
        brands: Catalog brands mentioned, in catalog spelling, in order of appearance.
        colours: Canonical lower-case English colour names ("red", "grey", "navy" ...).
        sizes: Clothing, shoe and bed sizes ("xl", "42", "large", "king" ...).
        quantities: Numbers with normalised units, e.g. `(16.0, "gb")`, `(0.5, "in")`.
        language: "zh" when the query contains CJK characters, else "en".
    """

    original: str
    text: str
    price: PriceRange | None
    brands: tuple[str, ...]
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    quantities: tuple[tuple[float, str], ...]
    language: Language


def _lexicon_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One pattern for a word list (lower case), longest word first; latin words only match whole words."""
    ordered = sorted({word.lower() for word in words if word.strip()}, key=len, reverse=True)
    bodies = [r"\s+".join(re.escape(part) for part in word.split()) for word in ordered]
    latin = [body for body, word in zip(bodies, ordered, strict=True) if word.isascii()]
    other = [body for body, word in zip(bodies, ordered, strict=True) if not word.isascii()]
    alternatives = [rf"(?<![0-9a-z])(?:{'|'.join(latin)})(?![0-9a-z])"] if latin else []
    alternatives += other
    return re.compile("|".join(alternatives) or r"(?!)")


def _lexicon_key(phrase: str) -> str:
    """The dictionary key of a matched phrase: lower case, single spaces."""
    return " ".join(phrase.lower().split())


def _unit_alternatives(*, latin: bool) -> str:
    """Unit words as a regex alternation, longest first ("in" never swallows "in 1")."""
    words = sorted((word for word in lexicon.UNITS if word.isascii() == latin), key=len, reverse=True)
    escaped = [r"\s*".join(re.escape(part) for part in word.split()) for word in words]
    return "|".join(body + r"(?!\s*\d)" if word == "in" else body for body, word in zip(escaped, words, strict=True))


_LATIN_QUANTITY = re.compile(
    # a letter before the number other than "x" ("1.00x30 mm") makes it a part number ("pl801l")
    r"(?<![\d.,/a-wyz])(?P<number>\d+(?:\s+|-)\d+/\d+|\d+/\d+|\d+(?:\.\d+)?)\s?-?\s?"
    rf"(?P<unit>{_unit_alternatives(latin=True)})(?![0-9a-z/])"
)
_CHINESE_QUANTITY = re.compile(  # the lazy numeral reads 两千克 as 2 kg, not 2000 g
    rf"(?<![\d.])(?P<number>\d+(?:\.\d+)?|{_CHINESE_NUMBER}?)\s?(?P<unit>{_unit_alternatives(latin=False)})(?!拉)"
)
_UNIT_KEYS = {word.replace(" ", ""): unit for word, unit in lexicon.UNITS.items()}
_SIZE_LETTERS = "|".join(re.escape(word) for word in sorted(lexicon.SIZE_LETTERS, key=len, reverse=True))
_SIZE_PATTERNS = (
    _lexicon_pattern(lexicon.SIZE_WORDS),
    re.compile(rf"(?<![a-z])size(?:\s*[:#]\s*|\s+)(?P<size>{_SIZE_NUMBER}|{_SIZE_LETTERS})(?![0-9a-z])"),
    re.compile(rf"(?<![\d.a-z])(?P<size>{_SIZE_NUMBER}|{_SIZE_LETTERS})\s?码"),
    re.compile(rf"尺码\s*(?P<size>{_SIZE_NUMBER}|{_SIZE_LETTERS})(?![0-9a-z])"),
)
_COLOURS = _lexicon_pattern(lexicon.COLOURS)
_COLOUR_WORDS = frozenset(word for phrase in lexicon.COLOURS if phrase.isascii() for word in phrase.split())
_COLOUR_CHARACTERS = frozenset(character for phrase in lexicon.COLOURS if not phrase.isascii() for character in phrase)
_LATIN_WORD = re.compile("[a-z]+")


def _may_name_colour(lowered: str) -> bool:
    """False when a lower-case text cannot hold a colour phrase: none of its latin words is part of one and none
    of its characters belongs to a Chinese one (a set test; the colour pattern costs 30 times as much)."""
    if not _COLOUR_WORDS.isdisjoint(_LATIN_WORD.findall(lowered)):
        return True
    return not lowered.isascii() and not _COLOUR_CHARACTERS.isdisjoint(lowered)
_NOT_COLOURS = re.compile("|".join(lexicon.NOT_COLOURS_ZH))


def _amount(name: str) -> str:
    """Regex of one price amount ("$1,200", "1.5k", "500元", "五百块"): groups `name`, `name_before`, `name_after`."""
    return (
        # a comma only joins thousands after a digit ("1,200"); "礼物,300以内" (a full-width comma, normalised) names 300
        rf"(?<![0-9a-z./$¥￥€£])(?<!\d,)(?P<{name}_before>{lexicon.CURRENCY_BEFORE}\s?)?"
        rf"(?P<{name}>{_NUMBER}(?:\s?k(?![a-z])|[万千])?|{_CHINESE_NUMBER})"
        rf"(?P<{name}_after>\s?{lexicon.CURRENCY_AFTER})?(?![0-9a-z/]|\.\d|\s*{lexicon.NOT_PRICE_AFTER})"
    )


_PRICE_PATTERNS = tuple(
    (re.compile(rf"(?P<context>{lexicon.PRICE_CONTEXT})?{pattern}(?:\s*的)?"), bound)
    for pattern, bound in (
        (rf"(?<![a-z])between\s+{_amount('low')}\s+and\s+{_amount('high')}", PriceBound.RANGE),
        (
            # not after "x " ("2 x 12-16"), "sku ", "model " or "#": dimensions and part numbers
            rf"(?:(?<![a-z])from\s+)?(?<![-–])(?<!x )(?<!sku )(?<!model )(?<!#){_amount('low')}"
            rf"\s*{lexicon.RANGE_JOIN}\s*{_amount('high')}(?!\s*-\s*\d)(?:\s*之间)?",
            PriceBound.RANGE,
        ),
        (rf"{lexicon.AROUND_BEFORE}\s*{_amount('value')}", PriceBound.AROUND),
        (rf"{_amount('value')}\s*{lexicon.AROUND_AFTER}", PriceBound.AROUND),
        (rf"{lexicon.UPPER_BEFORE}\s*{_amount('value')}", PriceBound.UPPER),
        (rf"{_amount('value')}\s*{lexicon.UPPER_AFTER}", PriceBound.UPPER),
        (rf"{lexicon.LOWER_BEFORE}\s*{_amount('value')}", PriceBound.LOWER),
        (rf"{_amount('value')}\s*{lexicon.LOWER_AFTER}", PriceBound.LOWER),
        # a budget with no bound word is a most: "预算500", "budget 50", "my budget is $80"
        (rf"(?P<budget_context>{lexicon.BUDGET_BEFORE}){_amount('value')}", PriceBound.UPPER),
    )
)


def chinese_numeral_value(numeral: str) -> float:
    """Value of a Chinese numeral up to the 万s: "五百" -> 500, "两千零五" -> 2005, "一万五" -> 15000.

    A digit after the last multiplier is colloquial shorthand for the next lower place
    ("一万五" is 15,000, "三百五" is 350).
    """
    total = section = digit = 0
    last_multiplier = 1
    for character in numeral:
        if character in lexicon.CHINESE_DIGITS:
            digit = lexicon.CHINESE_DIGITS[character]
            last_multiplier = 1 if character in "零〇" else last_multiplier
        elif character == "万":
            total, section, digit = (total + section + digit) * 10_000, 0, 0
            last_multiplier = 10_000
        else:
            last_multiplier = lexicon.CHINESE_MULTIPLIERS[character]
            section, digit = section + (digit or 1) * last_multiplier, 0
    if digit and last_multiplier >= 10 and numeral[-2] not in lexicon.CHINESE_DIGITS:
        digit *= last_multiplier // 10
    return float(total + section + digit)


def _number_value(number: str) -> float:
    """Value of "1,200", "1.5k", "3万", "五百", "1/2", "1-1/2" or "3 1/2"."""
    number = number.replace(",", "").replace(" ", "-").lower()
    if re.fullmatch(_CHINESE_NUMBER, number):
        return chinese_numeral_value(number)
    if "/" in number:
        whole, _, fraction = number.rpartition("-")
        numerator, denominator = fraction.split("/")
        return float(whole or 0) + (int(numerator) / int(denominator) if int(denominator) else 0.0)
    multiplier = {"k": 1000, "万": 10_000, "千": 1000}.get(number[-1], 1)
    return float(number.rstrip("-k万千")) * multiplier


def _lower_in_place(text: str) -> str:
    """`text` in lower case, character for character: a match's span in the result is the same span in `text`
    (the few characters whose lower case is longer, such as "İ", stay as they are). The patterns are compiled
    in lower case and matched against this view; case-insensitive matching of a large alternation costs
    Python's `re` about 5 times as much."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(character.lower() if len(character.lower()) == 1 else character for character in text)


class _Claims:
    """The normalised query and which of its characters a constraint has already claimed.

    `text` keeps the query's case; `masked` is its lower-case view, in which the patterns match and claimed
    characters are masked.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = _lower_in_place(text)

    def find(self, pattern: re.Pattern[str], *, view: str | None = None) -> list[re.Match[str]]:
        """Matches of `pattern` over unclaimed characters (of `view`, a masked copy, when given)."""
        matches = pattern.finditer(self.masked if view is None else view)
        return [match for match in matches if _MASK not in match.group(0)]

    def claim(self, match: re.Match[str]) -> None:
        """Mark the characters of `match` as used by a constraint."""
        start, end = match.span()
        self.masked = self.masked[:start] + _MASK * (end - start) + self.masked[end:]


def _by_position(found: list[tuple[int, _Value]]) -> tuple[_Value, ...]:
    """Values in the order their phrases appear, first occurrence only."""
    return tuple(dict.fromkeys(value for _, value in sorted(found, key=lambda item: item[0])))


def _extract_sizes(claims: _Claims) -> tuple[str, ...]:
    """Size words, "size 42"/"size m", "42码"/"L码" and "尺码 42", as canonical sizes."""
    found: list[tuple[int, str]] = []
    for pattern in _SIZE_PATTERNS:
        for match in claims.find(pattern):
            claims.claim(match)
            word = _lexicon_key(match.groupdict().get("size") or match.group(0))
            found.append((match.start(), lexicon.SIZE_WORDS.get(word) or lexicon.SIZE_LETTERS.get(word, word)))
    return _by_position(found)


def _extract_quantities(claims: _Claims) -> tuple[tuple[float, str], ...]:
    """Numbers with units ("16 GB", "1/2 in.", "5-gal", "500毫升"), units normalised."""
    found: list[tuple[int, tuple[float, str]]] = []
    for pattern in (_LATIN_QUANTITY, _CHINESE_QUANTITY):
        for match in claims.find(pattern):
            unit = _UNIT_KEYS[match.group("unit").lower().replace(" ", "")]
            if unit == "g" and _lexicon_key(match.group(0)) in lexicon.NETWORK_GENERATIONS:
                continue
            claims.claim(match)
            found.append((match.start(), (_number_value(match.group("number")), unit)))
    return _by_position(found)


def _amount_value(match: re.Match[str], name: str, *, has_currency: bool) -> float | None:
    """The amount in group `name`; `None` for a bare Chinese numeral without a tens-or-more character
    (一起, 一次性 are no prices; 两百左右 and 不超过三百 are)."""
    number = match.group(name)
    if re.fullmatch(_CHINESE_NUMBER, number) and not has_currency and not _CHINESE_MAGNITUDE.search(number):
        return None
    return _number_value(number)


def _price_bounds(match: re.Match[str], bound: PriceBound) -> tuple[float | None, float | None] | None:
    """(minimum, maximum) that one price phrase sets, or `None` when it is no price after all."""
    groups = match.groupdict()  # "price"/"预算" before the phrase counts as a currency word
    has_currency = any(groups[name] for name in groups if name.endswith(("_before", "_after", "context")))
    if bound is PriceBound.RANGE:
        low = _amount_value(match, "low", has_currency=has_currency)
        high = _amount_value(match, "high", has_currency=has_currency)
        # "10-2 wire" and "2621-20" are gauges and model numbers, not price ranges
        return (low, high) if low is not None and high is not None and low < high else None
    value = _amount_value(match, "value", has_currency=has_currency)
    if value is None:
        return None
    if bound is PriceBound.AROUND:
        tolerance = lexicon.AROUND_TOLERANCE
        return round(value * (1 - tolerance), 2), round(value * (1 + tolerance), 2)
    return (None, value) if bound is PriceBound.UPPER else (value, None)


def _named_currency(match: re.Match[str]) -> str | None:
    """The ISO code of the first currency symbol or word in a price phrase ("$", "元", "euros"), if any."""
    for name, value in match.groupdict().items():
        if value and name.endswith(("_before", "_after")):
            code = parse_currency(value.strip())
            if code is not None:
                return code
    return None


def _extract_price(claims: _Claims) -> tuple[PriceRange | None, list[tuple[int, int]]]:
    """Price bounds of all price phrases together (the tightest of each), the first currency named, the spans."""
    minimum: float | None = None
    maximum: float | None = None
    currency: str | None = None
    spans: list[tuple[int, int]] = []
    for pattern, bound in _PRICE_PATTERNS:
        for match in claims.find(pattern):
            bounds = _price_bounds(match, bound)
            if bounds is None:
                continue
            claims.claim(match)
            spans.append(match.span())
            currency = currency or _named_currency(match)
            low, high = bounds
            minimum = low if minimum is None else max(minimum, low) if low is not None else minimum
            maximum = high if maximum is None else min(maximum, high) if high is not None else maximum
    return (PriceRange(minimum=minimum, maximum=maximum, currency=currency) if spans else None), spans


def _extract_colours(claims: _Claims) -> tuple[str, ...]:
    """Canonical colour names; words such as 蓝牙 (Bluetooth) are hidden first."""
    view = _NOT_COLOURS.sub(lambda match: _MASK * len(match.group(0)), claims.masked)
    found: list[tuple[int, str]] = []
    for match in claims.find(_COLOURS, view=view):
        claims.claim(match)
        found.append((match.start(), lexicon.COLOURS[_lexicon_key(match.group(0))]))
    return _by_position(found)


def _extract_brands(claims: _Claims, *, pattern: re.Pattern[str], aliases: dict[str, str]) -> tuple[str, ...]:
    """Catalog brands named in the query; claimed so that "Red Hat" gives no colour."""
    found: list[tuple[int, str]] = []
    for match in claims.find(pattern):
        claims.claim(match)
        found.append((match.start(), aliases[_lexicon_key(match.group(0))]))
    return _by_position(found)


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans cut out, white space normalised."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return " ".join(" ".join(pieces).split()).strip(" ,;")


def _brand_aliases(brands: Iterable[str]) -> dict[str, str]:
    """Lower-case spellings a shopper may type, mapped to the catalog spelling.

    "StarTech.com" is also "startech", "TP-LINK" also "tp link" and "tplink", "Vogel's" also "vogels".
    """
    aliases: dict[str, str] = {}
    for brand in brands:
        if not isinstance(brand, str):
            raise DataValidationError(
                f"brands must be strings, got {brand!r} ({type(brand).__name__}); drop missing brands first"
            )
        name = _lexicon_key(brand)
        if not name:
            continue
        spellings = {name, re.sub(r"\.(?:com|net|org|it|de)$", "", name)}
        spellings |= {spelling.replace("-", " ") for spelling in spellings} | {
            spelling.replace("-", "").replace("'", "") for spelling in spellings
        }
        for spelling in sorted(spellings):
            aliases.setdefault(_lexicon_key(spelling), " ".join(brand.split()))
    return aliases


class QueryParser:
    """Reads price, brand, colour, size and quantity constraints from English and Chinese queries.

    Args:
        brands: Catalog brand names to recognise (matched case-insensitively, whole words only).
        max_length: Longest query accepted, in characters.

    Raises:
        ConfigError: If `max_length` is not positive or `brands` is a single string.
        DataValidationError: If a brand is not a string.

    Example:
        >>> parser = QueryParser(brands=["HP", "Epson"])
        >>> parsed = parser.parse("hp laptop 16gb under 1000")
        >>> parsed.text, parsed.brands, parsed.price, parsed.quantities
        ('hp laptop 16gb', ('HP',), PriceRange(minimum=None, maximum=1000.0, currency=None), ((16.0, 'gb'),))
        >>> parser.parse("儿童防水雨靴 100元以内").text
        '儿童防水雨靴'
    """

    def __init__(self, *, brands: Iterable[str] = (), max_length: int = 512) -> None:
        if isinstance(brands, str):
            raise ConfigError(f"brands must be an iterable of brand names, got the single string {brands!r}")
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ConfigError(f"max_length must be a positive integer, got {max_length!r}")
        self.max_length = max_length
        self.brand_aliases = _brand_aliases(brands)
        self._brand_pattern = _lexicon_pattern(self.brand_aliases)

    def colours(self, text: str) -> tuple[str, ...]:
        """The colours named in a product text (a title, a colour attribute): the colour step of `parse` alone,
        skipped at once for a text without any colour word (most titles). Unlike `parse`, no size, quantity,
        price or brand phrase claims characters first; such phrases hold no colour word (identical on the
        54,667 Home Depot titles, 2.5 times faster)."""
        claims = _Claims(" ".join(unicodedata.normalize("NFKC", text).split()))
        if not _may_name_colour(claims.masked):
            return ()
        return _extract_colours(claims)

    def parse(self, query: str) -> ParsedQuery:
        """Read the constraints in `query`.

        Args:
            query: What the shopper typed, in English, Chinese or both.

        Returns:
            The constraints found and the text left for retrieval; an empty or blank query
            gives empty text and no constraints.

        Raises:
            DataValidationError: If `query` is not a string or is longer than `max_length`.
        """
        if not isinstance(query, str):
            raise DataValidationError(f"query must be a string, got {type(query).__name__}")
        if len(query) > self.max_length:
            raise DataValidationError(
                f"query is {len(query)} characters long, over the limit of max_length={self.max_length}; "
                "shorten the query or build QueryParser(max_length=...) with a larger limit"
            )
        claims = _Claims(" ".join(unicodedata.normalize("NFKC", query).split()))
        sizes = _extract_sizes(claims)
        quantities = _extract_quantities(claims)
        price, price_spans = _extract_price(claims)
        brands = _extract_brands(claims, pattern=self._brand_pattern, aliases=self.brand_aliases)
        return ParsedQuery(
            original=query,
            text=_without_spans(claims.text, price_spans),
            price=price,
            brands=brands,
            colours=_extract_colours(claims),
            sizes=sizes,
            quantities=quantities,
            language=detect_language(claims.text),
        )
