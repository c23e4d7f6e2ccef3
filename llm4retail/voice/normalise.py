"""A transcript made into what a shopper would have typed: simplified Chinese, numbers as digits, no
sentence punctuation.

Whisper writes traditional characters for some Mandarin and spells English numbers out ("under fifty
dollars"); the search's query parser reads price filters from digits and from Chinese numerals
("五百块以内"), so English number words become digits here and Chinese numerals are left to it.

Example:
    >>> normalise_transcript("紅色跑鞋，五百塊以內。", "zh")
    '红色跑鞋 五百块以内'
    >>> normalise_transcript("Red running shoes under fifty dollars.", "en")
    'Red running shoes under 50 dollars'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

_PUNCTUATION = re.compile(r"[。，、！？!?,;；：:…\"“”]+|\.(?!\d)|(?<!\d)\.")  # "19.99" keeps its point
_SPACES = re.compile(r"\s+")
# Ordinals point at a list ("the third one"); they stay words (the assistant reads them), only amounts become digits.
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _simplifier() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters as simplified ones (other text unchanged)."""
    return str(_simplifier().convert(text))


def english_numbers(text: str) -> str:
    """English number words as digits ("two hundred and fifty" -> "250"); "one" and ordinals stay words,
    as in "the second one"."""
    from text_to_num import alpha2digit

    pieces = _ORDINAL.split(text)  # odd positions: the ordinals themselves
    return "".join(piece if index % 2 else _amounts(piece, alpha2digit) for index, piece in enumerate(pieces))


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^(\d+)(?!\S*\d)")
_TRAILING_NUMBER = re.compile(r"(\d+)$")


def _amounts(text: str, alpha2digit: Any) -> str:
    """Number words as digits, reading "and" as the British "two hundred and fifty" (250) only when a
    hundreds number meets a number below 100: text2num alone reads "between two hundred and four hundred"
    as "204 100"."""
    parts = [str(alpha2digit(part, "en")) for part in _AND.split(text)]
    separators = _AND.findall(text)
    merged = parts[0]
    for separator, part in zip(separators, parts[1:], strict=True):
        left, right = _TRAILING_NUMBER.search(merged), _LEADING_NUMBER.match(part)
        if left and right and int(left.group(1)) % 100 == 0 and int(left.group(1)) and int(right.group(1)) < 100:
            merged = merged[: left.start()] + str(int(left.group(1)) + int(right.group(1))) + part[right.end() :]
        else:
            merged += separator + part
    return merged


def normalise_transcript(text: str, language: str) -> str:
    """`text` in simplified characters, English numbers as digits, sentence punctuation removed."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    if language != "zh":
        text = english_numbers(text)
    text = _PUNCTUATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
