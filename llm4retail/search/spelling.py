"""Spelling correction of query words against the catalog's own vocabulary.

A word the catalog never uses is, in order: replaced by the most frequent catalog
word one edit away ("cabel" -> "cable"), split into two catalog words of three
letters or more ("lightbulb" -> "light bulb"), or replaced by the most frequent word
two edits away (words over 4 letters only; SymSpell, Damerau distance). Pairs of
query words that the catalog writes as one ("dish washer" -> "dishwasher") add the
joined word. Numbers, Chinese and short words are never touched.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from symspellpy import SymSpell, Verbosity

MIN_LENGTH = 3  # shorter words are too ambiguous to correct
MIN_COUNT = 2  # catalog words seen once are often typos themselves


@dataclass(frozen=True)
class Correction:
    """One change made to the query."""

    original: str
    corrected: str


class SpellCorrector:
    """Corrects latin query words against catalog word counts.

    Args:
        counts: catalog word -> number of occurrences.
        min_count: words rarer than this are not suggested.
    """

    def __init__(self, counts: Counter[str], *, min_count: int = MIN_COUNT) -> None:
        self.min_count = min_count
        self.all_counts: Counter[str] = Counter()
        self.counts: dict[str, int] = {}
        self.known: set[str] = set()
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        # one corrector serves every snapshot of a search index (copying SymSpell's tables per catalog
        # write would cost more than the write): learning and correcting take turns
        self._lock = threading.RLock()
        self.add(counts)

    def add(self, counts: Counter[str]) -> None:
        """Learn more catalog words (new or changed products)."""
        with self._lock:
            self._learn(counts)

    def _learn(self, counts: Counter[str]) -> None:
        self.all_counts.update(counts)
        self.known.update(counts)
        for word in counts:
            total = self.all_counts[word]
            if total < self.min_count:
                continue
            self.counts[word] = total
            if word.isascii() and word.isalpha() and len(word) >= MIN_LENGTH:
                already_entered = total - counts[word] >= self.min_count
                # SymSpell adds to an existing entry's count: give it the increment, or the total when new.
                self._symspell.create_dictionary_entry(word, counts[word] if already_entered else total)

    @classmethod
    def from_texts(cls, tokenised: Iterable[list[str]], *, min_count: int = MIN_COUNT) -> SpellCorrector:
        """Build from the surface tokens of catalog texts."""
        counts: Counter[str] = Counter()
        for tokens in tokenised:
            counts.update(tokens)
        return cls(counts, min_count=min_count)

    def correct(self, tokens: list[str]) -> tuple[list[str], list[Correction]]:
        """Corrected tokens (unknown words fixed, joined pairs added) and the corrections made."""
        with self._lock:
            return self._correct(tokens)

    def _correct(self, tokens: list[str]) -> tuple[list[str], list[Correction]]:
        output: list[str] = []
        corrections: list[Correction] = []
        for token in tokens:
            fixed = self._fix(token)
            if fixed != [token]:
                corrections.append(Correction(token, " ".join(fixed)))
            output.extend(fixed)
        for left, right in zip(output, output[1:]):
            joined = left + right
            if left.isalpha() and right.isalpha() and self.counts.get(joined, 0) >= MIN_COUNT:
                output.append(joined)
                corrections.append(Correction(f"{left} {right}", joined))
        return output, corrections

    def _fix(self, token: str) -> list[str]:
        if token in self.known or not (token.isascii() and token.isalpha()) or len(token) < MIN_LENGTH:
            return [token]
        near = self._closest(token, distance=1)
        if near:
            return [near]
        split = self._split(token)
        if split:
            return split
        far = self._closest(token, distance=2) if len(token) > 4 else None
        return [far] if far else [token]

    def _closest(self, token: str, *, distance: int) -> str | None:
        suggestions = self._symspell.lookup(token, Verbosity.CLOSEST, max_edit_distance=distance)
        if not suggestions:
            return None
        return max(suggestions, key=lambda item: (-item.distance, item.count)).term

    def _split(self, token: str) -> list[str] | None:
        best: tuple[int, list[str]] | None = None
        for cut in range(3, len(token) - 2):  # both parts at least 3 letters
            left, right = token[:cut], token[cut:]
            if left in self.counts and right in self.counts:
                score = min(self.counts[left], self.counts[right])
                if best is None or score > best[0]:
                    best = (score, [left, right])
        return best[1] if best else None
