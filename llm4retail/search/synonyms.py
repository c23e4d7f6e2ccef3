"""Synonyms mined from the catalog: English facet words and the Chinese words that go with them.

In a bilingual catalog the structured fields (category path, attribute values) are
often English while Chinese titles say the same thing in Chinese ("Sofas" / 沙发,
colour "grey" / 灰色). A pair is kept when each word predicts the other in most of
the Chinese-titled products that carry either (both conditional shares ≥ `min_share`)
and they co-occur at least `min_support` times. A query in either language then also
matches products written in the other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from llm4retail.search.catalog import ProductDocument
from llm4retail.search.text import stem, surface_tokens
from llm4retail.text.language import has_cjk

_WORD = re.compile(r"^[a-z]{3,}$")


def _english_facets(document: ProductDocument) -> set[str]:
    words: set[str] = set()
    texts = [document.category.split(">")[-1]] if document.category else []
    texts += [value for value in document.attributes.values() if isinstance(value, str)]
    for text in texts:
        words.update(stem(token) for token in surface_tokens(text) if _WORD.match(token))
    return words


def mine_cross_lingual_synonyms(
    documents: Iterable[ProductDocument], *, min_support: int = 5, min_share: float = 0.5
) -> dict[str, tuple[str, ...]]:
    """Pairs of (stemmed) English facet words and Chinese title words, in both directions."""
    english_counts: Counter[str] = Counter()
    chinese_counts: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for document in documents:
        if not has_cjk(document.title):
            continue
        english = _english_facets(document)
        chinese = {token for token in surface_tokens(document.title) if has_cjk(token) and len(token) >= 2}
        english_counts.update(english)
        chinese_counts.update(chinese)
        pairs.update((e, z) for e in english for z in chinese)
    synonyms: dict[str, set[str]] = {}
    for (english, chinese), together in pairs.items():
        if together < min_support:
            continue
        if together / english_counts[english] >= min_share and together / chinese_counts[chinese] >= min_share:
            synonyms.setdefault(english, set()).add(chinese)
            synonyms.setdefault(chinese, set()).add(english)
    return {word: tuple(sorted(others)) for word, others in synonyms.items()}
