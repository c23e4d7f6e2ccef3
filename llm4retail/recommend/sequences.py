"""Item sequences as model inputs: left-padded windows, checked index arrays and validation pairs.

Shared by the sequential recommender (`sasrec`) and its data-parallel training (`distributed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from llm4retail.errors import DataValidationError


class World:
    """Where a training step runs: this process alone, or one rank of a data-parallel group.

    A step's batch is cut into `size` consecutive parts and rank r computes part r; the loss is
    each part's sum divided by the whole batch's position count and the gradients are summed
    over the ranks, so every rank takes exactly the step that one process would take on the
    whole batch (see `recommend/distributed.py`).
    """

    rank = 0
    size = 1

    def part(self, rows: torch.Tensor) -> torch.Tensor:
        """This rank's share of a batch's rows (all of them in one process)."""
        return rows

    def sum(self, value: torch.Tensor) -> torch.Tensor:
        """`value` summed over the ranks (itself in one process)."""
        return value

    def sum_gradients(self, network: torch.nn.Module) -> None:
        """Adds up the ranks' gradients (nothing to do in one process)."""


def left_padded(sequences: Sequence[np.ndarray], *, width: int) -> np.ndarray:
    """Last `width` items of each sequence, shifted by one and left-padded with zeros."""
    padded = np.zeros((len(sequences), width), dtype=np.int64)
    for row, sequence in enumerate(sequences):
        tail = sequence[-width:] if len(sequence) else sequence
        padded[row, width - len(tail) :] = tail + 1
    return padded


def training_windows(histories: list[np.ndarray], *, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs h[:-1] and targets h[1:] of every history with two or more items, left-padded to `width`."""
    usable = [history for history in histories if len(history) >= 2]
    inputs = left_padded([history[:-1] for history in usable], width=width)
    targets = left_padded([history[1:] for history in usable], width=width)
    return torch.from_numpy(inputs), torch.from_numpy(targets)


def as_index_arrays(histories: Sequence[Any], *, n_items: int, label: str) -> list[np.ndarray]:
    """Histories as int64 arrays, checked against the vocabulary."""
    arrays = [np.asarray(history, dtype=np.int64).ravel() for history in histories]
    values = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= n_items):
        raise DataValidationError(
            f"{label} hold item indices {values.min()}..{values.max()} but the vocabulary has {n_items} items "
            "(indices 0..n_items-1); map product ids with the same Interactions used to fit"
        )
    return arrays


def check_validation(
    histories: Sequence[np.ndarray] | None, targets: np.ndarray | None, *, n_items: int
) -> tuple[list[np.ndarray], np.ndarray] | None:
    """Validation histories and targets as arrays, or None when neither is given."""
    if histories is None and targets is None:
        return None
    if histories is None or targets is None:
        raise DataValidationError("pass both valid_histories and valid_targets for early stopping, or neither")
    arrays = as_index_arrays(histories, n_items=n_items, label="valid_histories")
    target_array = np.asarray(targets, dtype=np.int64).ravel()
    if len(target_array) != len(arrays) or len(arrays) == 0:
        raise DataValidationError(
            f"valid_histories ({len(arrays)}) and valid_targets ({len(target_array)}) must be non-empty and aligned"
        )
    as_index_arrays([target_array], n_items=n_items, label="valid_targets")
    return arrays, target_array
