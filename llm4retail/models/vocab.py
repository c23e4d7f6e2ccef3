"""A character/word vocabulary for the encoders we pre-train ourselves (Chinese and English).

Chinese is tokenised into single characters (the usual choice of Chinese BERTs:
no segmentation errors, small vocabulary), other scripts into lower-cased runs
of letters or digits, and every other non-space symbol (！, ?, ~) into itself.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

from llm4retail.errors import DataValidationError

PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIALS = (PAD, UNK, CLS, SEP, MASK)
TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+|[^\w\s]", re.UNICODE)
CJK_RANGE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
MAX_WORD_CHARS = 20


def pieces(text: str) -> list[str]:
    """The raw tokens of `text` (before the vocabulary maps rare ones to [UNK]).

    Example:
        >>> pieces("好评！Great value")
        ['好', '评', '！', 'great', 'value']
    """
    out = []
    for match in TOKEN.finditer(text.lower()):
        token = match.group()
        if not CJK_RANGE.fullmatch(token) and any(CJK_RANGE.match(c) for c in token):
            out.extend(token)  # a run mixing scripts: one token per character
        else:
            out.append(token[:MAX_WORD_CHARS])
    return out


class Vocabulary:
    """Token <-> id mapping with the special tokens first ([PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4).

    Args:
        tokens: every token, specials first, in id order.
        max_tokens: texts are cut to this many ids ([CLS] and [SEP] included).
    """

    def __init__(self, tokens: Sequence[str], *, max_tokens: int = 128) -> None:
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise DataValidationError(f"a vocabulary must start with {SPECIALS}, got {list(tokens[:5])}")
        if max_tokens < 3:
            raise DataValidationError(f"max_tokens must be at least 3, got {max_tokens}")
        self.tokens = list(tokens)
        self.index = {token: position for position, token in enumerate(self.tokens)}
        self.max_tokens = max_tokens

    @classmethod
    def build(cls, texts: Iterable[str], *, max_size: int = 20_000, min_count: int = 2, max_tokens: int = 128) -> Self:
        """The `max_size` most frequent tokens seen at least `min_count` times.

        Raises:
            DataValidationError: the texts hold no token.
        """
        counts = Counter(token for text in texts for token in pieces(text or ""))
        if not counts:
            raise DataValidationError("cannot build a vocabulary from texts without tokens")
        frequent = [token for token, count in counts.most_common(max_size - len(SPECIALS)) if count >= min_count]
        return cls([*SPECIALS, *frequent], max_tokens=max_tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def pad_id(self) -> int:
        return 0

    @property
    def mask_id(self) -> int:
        return self.index[MASK]

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """[CLS] ids [SEP] for each text, cut to `max_tokens`."""
        unknown, body = self.index[UNK], self.max_tokens - 2
        return [
            [self.index[CLS], *(self.index.get(token, unknown) for token in pieces(text or "")[:body]), self.index[SEP]]
            for text in texts
        ]

    def save(self, path: Path) -> None:
        """Writes the tokens and settings as JSON."""
        path.write_text(json.dumps({"tokens": self.tokens, "max_tokens": self.max_tokens}, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: Path) -> Self:
        """Reads a vocabulary written by `save`."""
        data = json.loads(path.read_text("utf-8"))
        return cls(data["tokens"], max_tokens=int(data["max_tokens"]))
