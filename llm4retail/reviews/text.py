"""Review text: the reviews' language rule and clause splitting (word segmentation is `llm4retail.text.tokenize`)."""

from __future__ import annotations

import re

from llm4retail.text.language import MIXED_TEXT_SHARE, detect_language

# Clause boundaries: sentence punctuation of both languages, commas, and Chinese turn words.
CLAUSE_BOUNDARY = re.compile(r"[。！？!?；;，,\n]+|\.(?=\s|$)|\s+(?:but|however|though|although)\s+")


def language(text: str) -> str:
    """'zh' when a tenth or more of the letters are CJK characters, else 'en' (the review models' rule)."""
    return detect_language(text, min_cjk_share=MIXED_TEXT_SHARE).value


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
