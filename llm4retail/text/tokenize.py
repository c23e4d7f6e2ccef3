"""Word segmentation shared by the review models and text augmentation.

Chinese is segmented with jieba (loaded once, quietly); other text splits into runs of
lower-case letters and digits, keeping an apostrophe suffix ("don't").
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

from llm4retail.text.language import CJK

LATIN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


@lru_cache(maxsize=1)
def jieba_module() -> Any:
    """jieba, initialised once with its logging quietened."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=200_000)
def _cached_words(text: str) -> tuple[str, ...]:
    lowered = text.lower()
    if not CJK.search(lowered):
        return tuple(LATIN_WORD.findall(lowered))
    return tuple(
        token for token in (piece.strip() for piece in jieba_module().lcut(lowered))
        if token and (CJK.search(token) or LATIN_WORD.fullmatch(token))
    )


def words(text: str) -> list[str]:
    """Lower-cased words: jieba segments Chinese, runs of letters/digits make the other words.

    Example:
        >>> words("物流很快 Great value!")
        ['物流', '很快', 'great', 'value']
    """
    return list(_cached_words(text))  # cached: several models segment the same reviews
