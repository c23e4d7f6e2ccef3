"""Text analysis for retrieval: normalisation, units, Chinese segmentation, stemming.

English: NFKC, lower case, units normalised so that "16gb", "16 GB" and "16-gb" meet
("in."/"inches"/'"' -> "inch", "gallon" -> "gal" ...), letters and digits split apart,
Snowball stemming, a small stop list. Chinese runs are segmented with jieba
(search mode, so both words and their parts match).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

import jieba
import Stemmer

from llm4retail.text.language import CJK_CHARACTERS

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(f"[{CJK_CHARACTERS}]+")
_TOKEN = re.compile(f"[{CJK_CHARACTERS}]+|" + r"\d+(?:[./]\d+)*|[a-z]+")
_UNIT_WORDS = {
    "inch": "inch", "inches": "inch", "in.": "inch", "in": "inch", '"': "inch", "''": "inch",
    "foot": "ft", "feet": "ft", "ft.": "ft", "'": "ft",
    "gallon": "gal", "gallons": "gal", "gal.": "gal",
    "pound": "lb", "pounds": "lb", "lbs": "lb", "lb.": "lb", "lbs.": "lb",
    "ounce": "oz", "ounces": "oz", "oz.": "oz",
    "volt": "v", "volts": "v", "watt": "w", "watts": "w", "amp": "amp", "amps": "amp",
    "quart": "qt", "quarts": "qt", "yard": "yd", "yards": "yd", "sq.": "sq",
    "millimeter": "mm", "millimeters": "mm", "centimeter": "cm", "centimeters": "cm",
    "meter": "m", "meters": "m", "liter": "l", "liters": "l", "litre": "l", "litres": "l",
    "gigabyte": "gb", "gigabytes": "gb", "terabyte": "tb", "terabytes": "tb",
}  # fmt: skip
_UNIT_PATTERN = re.compile(
    r"(?<=\d)\s*(?:" + "|".join(re.escape(w) for w in sorted(_UNIT_WORDS, key=len, reverse=True)) + r")(?![a-z])"
)
STOPWORDS = frozenset(
    "a an and are as at be by for from has have i in is it of on or that the this to with was were will "
    "my me we you your our its".split()
)
_STEMMER = Stemmer.Stemmer("english")


def normalise(text: str) -> str:
    """NFKC, lower case, unit words unified after numbers ("16 Inches" -> "16 inch")."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _UNIT_PATTERN.sub(lambda match: " " + _UNIT_WORDS[match.group(0).strip()], text)


def surface_tokens(text: str, *, normalised: bool = False) -> list[str]:
    """Words before stemming: latin words, numbers (with 1/2 or 2.5) and jieba-segmented Chinese
    (`normalised`: `text` is already `normalise`d)."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text if normalised else normalise(text)):
        if _CJK.match(token):
            tokens.extend(word for word in jieba.cut_for_search(token) if word.strip())
        elif token not in STOPWORDS:
            tokens.append(token)
    return tokens


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Snowball stem of a latin token; other tokens unchanged."""
    return _STEMMER.stemWord(token) if token.isascii() and token.isalpha() else token


def analyse(text: str) -> list[str]:
    """Index/query terms of `text`."""
    return [stem(token) for token in surface_tokens(text)]
