"""Knowledge-base retrieval over the store's `documents` table, and policy numbers read from it.

Documents are split into sentences; a query is scored against every sentence by character
n-gram TF-IDF (exact words, Chinese without segmentation) and multilingual embeddings
(paraphrases, the other language), and a document scores as its best sentence. Documents in
the shopper's language are preferred when the table says which language each one is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from llm4retail.assistant import embeddings
from llm4retail.text.language import detect_language

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
LEXICAL_WEIGHT = 0.5
OTHER_LANGUAGE_PENALTY = 0.7
TAG_BONUS = 0.15
POLICY_PATTERNS: dict[str, dict[str, tuple[str, str]]] = {
    # policy -> language -> (query, pattern of the number in the best sentence)
    "return_days": {
        "en": ("return items within days of delivery refund", r"return[^.]*?within\s+(\d+)\s*(?:calendar\s+|business\s+)?days?"),
        "zh": ("签收之日起天内可申请退货", r"(\d+)\s*天内?[^。]*退货|退货[^。]*?(\d+)\s*天"),
    },
    "exchange_days": {
        "en": ("exchange an item within days of delivery size colour", r"exchange[^.]*?within\s+(\d+)\s*days?"),
        "zh": ("天内换货 尺码 颜色", r"(\d+)\s*天内[^。]*换货|换货[^。]*?(\d+)\s*天"),
    },
    "refund_days": {
        "en": ("refunds issued to the original payment method within business days", r"refunds?[^.]*?within\s+(\d+)\s*(?:business\s+)?days?"),
        "zh": ("退款将在个工作日内原路退回", r"退款[^。]*?(\d+)\s*个?工作日"),
    },
    "delivery_days": {
        "en": ("standard shipping takes up to business days", r"shipping takes up to\s+(\d+)\s*(?:business\s+)?days?"),
        "zh": ("普通快递最长个工作日送达", r"最长\s*(\d+)\s*个?工作日"),
    },
}  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """A retrieved document with its most relevant sentences."""

    doc_id: str
    title: str
    url: str | None
    text: str
    sentences: tuple[str, ...]
    score: float
    language: str | None


@dataclass(frozen=True)
class PolicyNumber:
    """A number stated by a policy document, with where it was read."""

    name: str
    value: int
    doc_id: str
    title: str
    sentence: str


def _tag_set(value: object) -> set[str]:
    if isinstance(value, str):
        return {part.strip().lower() for part in value.split(",") if part.strip()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return {str(part).strip().lower() for part in value}
    return set()


class KnowledgeBase:
    """Sentence-level hybrid retrieval over knowledge-base documents.

    Args:
        documents: the `documents` table (doc_id, title, text, optional url, tags, language).

    Example:
        >>> kb = KnowledgeBase(store.read_frame(Table.DOCUMENTS))  # doctest: +SKIP
        >>> kb.search("how long do I have to return shoes?", top_k=1)[0].doc_id  # doctest: +SKIP
        'kb-returns-en'
    """

    def __init__(self, documents: pd.DataFrame) -> None:
        self.documents = documents.reset_index(drop=True)
        self.sentences: list[str] = []
        self.owner: list[int] = []
        for position, text in enumerate(self.documents["text"].astype(str)):
            title = str(self.documents.at[position, "title"])
            for sentence in [title, *(part.strip() for part in _SENTENCE_END.split(text) if part.strip())]:
                self.sentences.append(sentence)
                self.owner.append(position)
        self.owner_array = np.asarray(self.owner, dtype=np.int64)
        self.languages = [
            (str(value) if isinstance(value, str) and value else detect_language(text).value)
            for value, text in zip(self.documents.get("language", [None] * len(self.documents)), self.documents["text"].astype(str))
        ]
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(self.sentences) if self.sentences else None
        self.vectors = embeddings.encode(self.sentences) if self.sentences else np.zeros((0, embeddings.DIMENSION))
        self.tags = [_tag_set(value) for value in self.documents.get("tags", [None] * len(self.documents))]

    def __len__(self) -> int:
        return len(self.documents)

    def search(
        self, query: str, *, top_k: int = 2, language: str | None = None, sentences: int = 2, tags: tuple[str, ...] = ()
    ) -> list[Passage]:
        """The best documents for `query`, each with its `sentences` best sentences in text order.

        Args:
            query: the shopper's words.
            top_k: documents returned.
            language: preferred document language (default: the query's).
            sentences: best sentences kept per document.
            tags: topic tags (returns, shipping ...) whose documents get a bonus.
        """
        if self.matrix is None or not query.strip():
            return []
        language = language or detect_language(query).value
        lexical = (self.matrix @ self.vectorizer.transform([query]).T).toarray().ravel()
        semantic = self.vectors @ embeddings.encode([query])[0]
        score = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * semantic
        penalty = np.array([1.0 if self.languages[d] == language else OTHER_LANGUAGE_PENALTY for d in self.owner_array])
        score = score * penalty
        if tags:
            wanted = {tag.lower() for tag in tags}
            score = score + np.array([TAG_BONUS if self.tags[d] & wanted else 0.0 for d in self.owner_array])
        best: dict[int, float] = {}
        for index in np.argsort(-score):
            document = int(self.owner_array[index])
            best.setdefault(document, float(score[index]))
        ranked = sorted(best, key=lambda d: -best[d])[:top_k]
        return [self._passage(document, score, best[document], sentences) for document in ranked]

    def _passage(self, document: int, score: np.ndarray, best: float, count: int) -> Passage:
        indexes = [i for i in np.flatnonzero(self.owner_array == document)]
        body = [i for i in indexes if self.sentences[i] != str(self.documents.at[document, "title"])] or indexes
        chosen = sorted(sorted(body, key=lambda i: -score[i])[:count])
        row = self.documents.loc[document]
        url = row.get("url")
        return Passage(
            doc_id=str(row["doc_id"]), title=str(row["title"]), url=str(url) if isinstance(url, str) else None,
            text=str(row["text"]), sentences=tuple(self.sentences[i] for i in chosen), score=best,
            language=self.languages[document],
        )

    def policy_number(self, name: str, *, language: str) -> PolicyNumber | None:
        """A policy number (return window, exchange window, refund time) read from the best matching
        document in `language` (else the other language); None when no document states it."""
        for lang in (language, "zh" if language == "en" else "en"):
            query, pattern = POLICY_PATTERNS[name][lang]
            for passage in self.search(query, top_k=3, language=lang, sentences=50):
                if passage.language != lang:
                    continue
                for sentence in passage.sentences:
                    match = re.search(pattern, sentence, flags=re.IGNORECASE)
                    if match:
                        value = next(group for group in match.groups() if group)
                        return PolicyNumber(name, int(value), passage.doc_id, passage.title, sentence)
        return None
