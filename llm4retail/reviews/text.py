"""Text helpers shared by the review models: word segmentation, language, clause splitting."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

logger = logging.getLogger(__name__)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
# Clause boundaries: sentence punctuation of both languages, commas, and Chinese turn words.
CLAUSE_BOUNDARY = re.compile(r"[。！？!?；;，,\n]+|\.(?=\s|$)|\s+(?:but|however|though|although)\s+")


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
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
        token for token in (piece.strip() for piece in _jieba().lcut(lowered))
        if token and (CJK.search(token) or LATIN_WORD.fullmatch(token))
    )


def words(text: str) -> list[str]:
    """Lower-cased words: jieba segments Chinese, runs of letters/digits make the other words.

    Example:
        >>> words("物流很快 Great value!")
        ['物流', '很快', 'great', 'value']
    """
    return list(_cached_words(text))  # cached: several models segment the same reviews


def language(text: str) -> str:
    """'zh' when a tenth or more of the letters are CJK characters, else 'en'."""
    letters = sum(character.isalpha() for character in text)
    if letters == 0:
        return "en"
    return "zh" if len(CJK.findall(text)) >= 0.1 * letters else "en"


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the clauses of `text`, punctuation excluded."""
    spans, start = [], 0
    for boundary in CLAUSE_BOUNDARY.finditer(text):
        if boundary.start() > start:
            spans.append((start, boundary.start()))
        start = boundary.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(begin, end) for begin, end in spans if text[begin:end].strip()]
