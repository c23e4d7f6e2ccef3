"""A fastText-style student: hashed token n-grams, averaged embeddings, one hidden layer.

Tokens are those of our vocabulary (`pieces`: Chinese characters, Latin words,
symbols); their unigrams, bigrams and trigrams are hashed (CRC32, stable across
processes) into a fixed number of buckets, so no vocabulary is stored. The
sentence vector is the mean of the n-gram embeddings through a tanh layer.
Joulin et al. (2017) show such bags match much larger models on sentiment at a
tiny fraction of the cost, which makes it a natural distillation student.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from llm4retail.errors import DataValidationError
from llm4retail.models.vocab import pieces


@dataclass(frozen=True)
class BagConfig:
    """Shape of the bag encoder.

    Attributes:
        buckets: hash buckets of the n-gram table (id 0 is padding).
        dim: embedding and output width.
        orders: n-gram orders.
        max_ngrams: n-grams kept per text (the first ones).
    """

    buckets: int = 1 << 17
    dim: int = 48
    orders: tuple[int, ...] = (1, 2, 3)
    max_ngrams: int = 768

    def __post_init__(self) -> None:
        if self.buckets < 2 or self.dim < 1 or not self.orders or min(self.orders) < 1:
            raise DataValidationError(f"invalid bag encoder shape {self}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {**asdict(self), "orders": list(self.orders)}


class HashedNgrams:
    """Texts -> lists of hashed n-gram ids in [1, buckets]."""

    def __init__(self, config: BagConfig) -> None:
        self.config = config

    def encode(self, texts: list[str]) -> list[list[int]]:
        """The n-gram ids of each text (at least one id: an empty text maps to its own bucket)."""
        out = []
        for text in texts:
            tokens = pieces(text or "")
            grams = [" ".join(tokens[i : i + n]) for n in self.config.orders for i in range(len(tokens) - n + 1)]
            ids = [zlib.crc32(gram.encode("utf-8")) % self.config.buckets + 1 for gram in grams[: self.config.max_ngrams]]
            out.append(ids or [self.config.buckets])
        return out


class BagEncoder(nn.Module):
    """Mean of n-gram embeddings, then Linear + tanh: (ids, mask) -> (batch, dim)."""

    def __init__(self, config: BagConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.buckets + 1, config.dim, padding_idx=0)
        nn.init.normal_(self.embedding.weight, std=0.1)
        with torch.no_grad():
            self.embedding.weight[0].zero_()
        self.hidden = nn.Linear(config.dim, config.dim)
        self.output_dim = config.dim

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Sentence vectors of a padded batch."""
        weights = mask.unsqueeze(-1).to(torch.float32)
        mean = (self.embedding(ids) * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
        return torch.tanh(self.hidden(mean))
