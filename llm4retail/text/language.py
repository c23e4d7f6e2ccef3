"""Language detection (Chinese or English) and the CJK character class shared by every tokeniser."""

from __future__ import annotations

import re
from enum import StrEnum

# CJK Unified Ideographs, extension A and compatibility ideographs.
CJK_CHARACTERS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK = re.compile(f"[{CJK_CHARACTERS}]")
MIXED_TEXT_SHARE = 0.1  # reviews: Chinese when a tenth or more of the letters are CJK characters


class Language(StrEnum):
    """The two languages the package reads and answers in."""

    ENGLISH = "en"
    CHINESE = "zh"


def has_cjk(text: str) -> bool:
    """True when `text` contains a Chinese character."""
    return CJK.search(text or "") is not None


def detect_language(text: str, *, min_cjk_share: float = 0.0) -> Language:
    """Chinese when `text` holds CJK characters making up at least `min_cjk_share` of its letters.

    The default (any CJK character) suits queries and chat messages, where one Chinese word
    decides the reply language; reviews pass `MIXED_TEXT_SHARE` so that a long English review
    quoting one Chinese word stays English.

    Args:
        text: Any text; empty text is English.
        min_cjk_share: Smallest share of letters (`str.isalpha`) that must be CJK characters.

    Returns:
        `Language.CHINESE` or `Language.ENGLISH`.

    Example:
        >>> detect_language("order o000123 退货")
        <Language.CHINESE: 'zh'>
    """
    cjk = len(CJK.findall(text or ""))
    if cjk == 0:
        return Language.ENGLISH
    if min_cjk_share <= 0:
        return Language.CHINESE
    letters = sum(character.isalpha() for character in text)
    return Language.CHINESE if cjk >= min_cjk_share * letters else Language.ENGLISH


def stated_language(attributes: object) -> Language | None:
    """The language a record's attributes name (`preferred_language` or `language`: "zh", "zh-CN", "en-US"), or
    None when they name neither of the two."""
    if not isinstance(attributes, dict):
        return None
    stated = str(attributes.get("preferred_language") or attributes.get("language") or "").lower()[:2]
    return Language(stated) if stated in {"en", "zh"} else None
