"""Homophones and near-misses of speech recognition, repaired against the catalog's own words.

Whisper writes what it heard with the words it knows best: 包鞋 (bāo xié) for the catalog's 跑鞋
(pǎo xié), "D-shirt" for "t-shirt". A transcript word that is not in the catalog's vocabulary but
sounds like one that is, is replaced by it before searching:

- Chinese: windows of 2-4 characters are compared by their toneless pinyin, folded over the
  confusions of speech recognition (aspiration b/p d/t g/k j/q z/c, retroflex zh/z ch/c sh/s, n/l,
  front and back nasals -n/-ng). Two-syllable windows must match exactly once folded; longer ones
  closely (rapidfuzz ratio of the folded pinyin).
- English: words compared by their Metaphone code and spelling.

Only words that occur in at least `min_count` products are targets, and a transcript word that is
itself in the catalog is kept, so a correct transcript passes unchanged.

Example:
    >>> vocabulary = CatalogVocabulary.build(["红色跑鞋 男款", "轻便跑鞋"])
    >>> vocabulary.correct("我想买一款红色包鞋", "zh")
    '我想买一款红色跑鞋'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from llm4retail.text.language import CJK
from llm4retail.text.tokenize import words

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_SOUND_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[A-Za-z]{2,}")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_INITIALS = (("zh", "z"), ("ch", "z"), ("sh", "z"), ("c", "z"), ("s", "z"), ("p", "b"), ("t", "d"), ("k", "g"),
             ("q", "j"), ("x", "j"), ("l", "n"), ("r", "n"), ("f", "h"))  # fmt: skip
CHINESE_WINDOW = (4, 3, 2)
WINDOW_SIMILARITY = {4: 85.0, 3: 85.0, 2: 90.0}  # rapidfuzz ratio of the folded pinyin a near match needs
ENGLISH_SIMILARITY = 60.0  # spelling similarity a same-sounding (same Metaphone) catalog word needs
# Chinese request words: a window holding one is never replaced.
CHINESE_REQUEST_WORDS = ("我", "你", "想", "要", "买", "找", "的", "有", "没", "吗", "呢", "吧", "了", "一", "个", "款", "双",
                         "件", "以", "内", "下", "上", "块", "元", "钱", "订单", "退", "查", "帮", "推荐", "请", "在", "哪")  # fmt: skip
# Words of requests, not of products: never replaced by a catalog word that sounds alike.
REQUEST_WORDS = frozenset(
    "a an the i i'm me my we you it is are be to of for in on at with and or not no please want wanted need "
    "looking look find show search buy get give add put cart order orders one ones some any under over below "
    "above less more than about around between dollars dollar bucks yuan euros pounds price cheap cheaper "
    "where when what which how my second first third last this that these those return refund track".split()
)


def _fold(syllable: str) -> str:
    for prefix, folded in _INITIALS:
        if syllable.startswith(prefix):
            syllable = folded + syllable[len(prefix) :]
            break
    return syllable[:-1] if syllable.endswith("ng") else syllable


def _pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.NORMAL, errors="ignore")


def _metaphone(word: str) -> str:
    import jellyfish

    return str(jellyfish.metaphone(word))


@dataclass
class CatalogVocabulary:
    """The catalog's words, indexed by how they sound.

    Args:
        counts: how many products each word occurs in.
        min_count: the fewest products a word must occur in to be a correction target.
    """

    counts: Counter[str]
    min_count: int = 2
    _chinese: dict[int, dict[str, list[str]]] = field(default_factory=dict, repr=False)
    _english: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for word, count in self.counts.items():
            if count < self.min_count:
                continue
            if CJK.search(word):
                syllables = _pinyin(word)
                if 2 <= len(syllables) <= max(CHINESE_WINDOW) and len(syllables) == len(word):
                    key = " ".join(_fold(syllable) for syllable in syllables)
                    self._chinese.setdefault(len(syllables), {}).setdefault(key, []).append(word)
            elif len(word) >= 3 and word.isalpha():
                self._english.setdefault(_metaphone(word), []).append(word)

    @classmethod
    def build(cls, texts: Iterable[str], *, min_count: int = 2) -> CatalogVocabulary:
        """The vocabulary of product texts (one text per product: title, category, brand, attributes)."""
        counts: Counter[str] = Counter()
        for text in texts:
            tokens = words(text)
            # adjacent Chinese words as one compound too (铸铁 + 哑铃): a transcript errs across word borders
            pairs = [a + b for a, b in zip(tokens, tokens[1:], strict=False) if CJK.search(a + b) and len(a + b) <= 4]
            counts.update(set(tokens) | set(pairs))
        return cls(counts, min_count=min_count)

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._chinese.values()) + len(self._english)

    def correct(self, text: str, language: str) -> str:
        """`text` with its sound-alike words replaced by the catalog's (unchanged when nothing matches)."""
        if language == "zh" or CJK.search(text):
            text = _CJK_RUN.sub(lambda match: self._correct_chinese(match.group(0)), text)
        return _LATIN.sub(lambda match: self._correct_english(match.group(0)), text)

    def _known(self, word: str) -> bool:
        return self.counts.get(word.lower(), 0) > 0

    def _correct_chinese(self, run: str) -> str:
        syllables = _pinyin(run)
        if len(syllables) != len(run):  # a character without a reading: leave the run as it is
            return run
        pieces: list[str] = []
        position = 0
        while position < len(run):
            replaced = self._chinese_window(run, syllables, position)
            if replaced is None:
                pieces.append(run[position])
                position += 1
            else:
                pieces.append(replaced[0])
                position += replaced[1]
        return "".join(pieces)

    def _chinese_window(self, run: str, syllables: list[str], position: int) -> tuple[str, int] | None:
        """The catalog word the window at `position` should read (itself when known), and its length."""
        from rapidfuzz import fuzz, process

        for length in CHINESE_WINDOW:
            if position + length > len(run):
                continue
            window = run[position : position + length]
            if self._known(window):
                return window, length
            if any(word in window for word in CHINESE_REQUEST_WORDS):
                continue
            by_key = self._chinese.get(length)
            if not by_key:
                continue
            key = " ".join(_fold(syllable) for syllable in syllables[position : position + length])
            candidates = by_key.get(key)
            if candidates is None:
                best = process.extractOne(key, by_key.keys(), scorer=fuzz.ratio, score_cutoff=WINDOW_SIMILARITY[length])
                candidates = by_key[best[0]] if best else None
            if candidates:
                exact = syllables[position : position + length]
                choice = max(candidates, key=lambda word: (sum(a == b for a, b in zip(_pinyin(word), exact, strict=True)),
                                                           self.counts[word]))  # fmt: skip
                return choice, length
        return None

    def _correct_english(self, token: str) -> str:
        from rapidfuzz import fuzz

        lowered = token.lower().replace("-", "").replace("'", "")
        if len(lowered) < 3 or lowered in REQUEST_WORDS or self._known(lowered) or self._known(token.lower()):
            return token
        candidates = self._english.get(_metaphone(lowered), [])
        scored = [(fuzz.ratio(lowered, word), self.counts[word], word) for word in candidates]
        scored = [entry for entry in scored if entry[0] >= ENGLISH_SIMILARITY]
        if not scored:
            return token
        return max(scored)[2]


def sound_tokens(text: str) -> list[str]:
    """How `text` sounds, as tokens: folded pinyin syllables and syllable pairs of its Chinese, Metaphone codes
    of its English words ("涤纶睡袋 bag" -> di, nun, zui, dai, di_nun, nun_zui, zui_dai, ~BK)."""
    tokens: list[str] = []
    for run in _SOUND_RUN.findall(text):
        if CJK.search(run):
            syllables = [_fold(syllable) for syllable in _pinyin(run)]
            tokens += syllables + [f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False)]
        else:
            tokens.append("~" + _metaphone(run.lower()))
    return tokens


class PhoneticIndex:
    """Products retrieved by how their titles sound: a transcript whose characters are wrong but whose
    syllables are near (滴轮胎 for 涤纶睡袋) still finds them. TF-IDF over `sound_tokens`, cosine ranking.

    Example:
        >>> index = PhoneticIndex(["p1", "p2"], ["涤纶睡袋 单人", "铸铁哑铃"])
        >>> index.top("滴轮胎", 1)
        ['p1']
    """

    def __init__(self, product_ids: list[str], titles: list[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.product_ids = product_ids
        self._vectorizer = TfidfVectorizer(analyzer=sound_tokens, sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(titles) if titles else None

    def top(self, text: str, k: int) -> list[str]:
        """The ids of the `k` products that sound most like `text` (any overlap; best first)."""
        if self._matrix is None or not text.strip():
            return []
        scores = (self._matrix @ self._vectorizer.transform([text]).T).toarray().ravel()
        best = np.argsort(-scores, kind="stable")[:k]
        return [self.product_ids[index] for index in best if scores[index] > 0]
