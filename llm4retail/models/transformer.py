"""A small BERT-style Transformer encoder that we pre-train ourselves (masked language model).

Every projection is a plain `nn.Linear` (query/key/value, output, feed-forward),
so PyTorch dynamic int8 quantisation reaches all of them; attention runs through
`scaled_dot_product_attention`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch import nn

from llm4retail.errors import DataValidationError


@dataclass(frozen=True)
class TransformerConfig:
    """Shape of the encoder.

    Attributes:
        vocab_size: number of token ids.
        dim: hidden width.
        layers: Transformer blocks.
        heads: attention heads (must divide `dim`).
        feed_forward: inner width of the feed-forward layers.
        max_positions: longest input, in tokens.
        dropout: dropout rate during training.
    """

    vocab_size: int
    dim: int = 256
    layers: int = 4
    heads: int = 4
    feed_forward: int = 1024
    max_positions: int = 128
    dropout: float = 0.1

    def __post_init__(self) -> None:
        if self.dim % self.heads:
            raise DataValidationError(f"heads ({self.heads}) must divide dim ({self.dim})")
        if min(self.vocab_size, self.dim, self.layers, self.heads, self.feed_forward, self.max_positions) < 1:
            raise DataValidationError(f"every size of the encoder must be positive, got {self}")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


class _Block(nn.Module):
    """Pre-norm self-attention and feed-forward block."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.attention_norm = nn.LayerNorm(config.dim)
        self.qkv = nn.Linear(config.dim, 3 * config.dim)
        self.out = nn.Linear(config.dim, config.dim)
        self.ff_norm = nn.LayerNorm(config.dim)
        self.ff_in = nn.Linear(config.dim, config.feed_forward)
        self.ff_out = nn.Linear(config.feed_forward, config.dim)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        batch, length, dim = hidden.shape
        query, key, value = (
            self.qkv(self.attention_norm(hidden))
            .view(batch, length, 3, self.heads, dim // self.heads)
            .permute(2, 0, 3, 1, 4)
        )
        attended = nn.functional.scaled_dot_product_attention(
            query, key, value, attn_mask=attention_mask, dropout_p=self.dropout.p if self.training else 0.0
        )
        hidden = hidden + self.dropout(self.out(attended.transpose(1, 2).reshape(batch, length, dim)))
        return hidden + self.dropout(self.ff_out(nn.functional.gelu(self.ff_in(self.ff_norm(hidden)))))


class TransformerEncoder(nn.Module):
    """Token and position embeddings, `layers` blocks, final layer norm.

    `forward(ids, mask)` returns the hidden states (batch, length, dim);
    `sentence(ids, mask)` their masked mean, the input of a classifier head.
    """

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.dim)
        self.position_embedding = nn.Embedding(config.max_positions, config.dim)
        self.embedding_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(_Block(config) for _ in range(config.layers))
        self.final_norm = nn.LayerNorm(config.dim)
        self.output_dim = config.dim
        self.apply(_init_weights)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Hidden states of every position.

        Args:
            ids: (batch, length) token ids, length <= max_positions.
            mask: (batch, length) bool, True for real tokens.
        """
        length = ids.shape[1]
        if length > self.config.max_positions:
            raise DataValidationError(f"input of {length} tokens exceeds max_positions={self.config.max_positions}")
        positions = torch.arange(length, device=ids.device)
        hidden = self.embedding_dropout(self.token_embedding(ids) + self.position_embedding(positions))
        # (batch, 1, 1, length): every query may attend to the real tokens only.
        attention_mask = mask[:, None, None, :]
        for block in self.blocks:
            hidden = block(hidden, attention_mask)
        return self.final_norm(hidden)

    def set_dropout(self, rate: float) -> None:
        """Sets every dropout of the encoder (embedding, attention, residual) to `rate`, config included."""
        if not 0.0 <= rate < 1.0:
            raise DataValidationError(f"dropout must lie in [0, 1), got {rate}")
        self.config = replace(self.config, dropout=rate)
        for module in self.modules():
            if isinstance(module, nn.Dropout):
                module.p = rate

    def sentence(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean of the hidden states over real tokens, (batch, dim)."""
        hidden = self(ids, mask)
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class MaskedLanguageModelHead(nn.Module):
    """Transform + decoder tied to the token embeddings (as in BERT)."""

    def __init__(self, encoder: TransformerEncoder) -> None:
        super().__init__()
        dim = encoder.config.dim
        self.transform = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)
        self.embedding = encoder.token_embedding
        self.bias = nn.Parameter(torch.zeros(encoder.config.vocab_size))

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """Vocabulary logits of the given hidden states."""
        return self.norm(nn.functional.gelu(self.transform(hidden))) @ self.embedding.weight.T + self.bias


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, std=0.02)


def parameter_count(module: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(parameter.numel() for parameter in module.parameters() if parameter.requires_grad)


def scaled_lr(base: float, dim: int) -> float:
    """A learning rate scaled like 1/sqrt(width) relative to width 256 (smaller models take larger steps)."""
    return base * math.sqrt(256 / dim)
