"""Torch thread count for training and inference.

One thread by default: on the shared 2-core machine, with other jobs running,
fine-tuning the USE encoder measured 213 sequences/s with one torch thread and
28/s with two (the OpenMP workers spin waiting for a core), and inference 584/s
against 205/s. Pass 2 on an idle machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from llm4retail.errors import DataValidationError

DEFAULT_TORCH_THREADS = 1


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Runs the block with `count` intra-op torch threads, then restores the previous count.

    `torch.set_num_threads` is only called when the count changes (each call rebuilds the pool).

    Raises:
        DataValidationError: `count` is below 1.
    """
    if count < 1:
        raise DataValidationError(f"threads must be at least 1, got {count}")
    previous = torch.get_num_threads()
    if count != previous:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        if count != previous:
            torch.set_num_threads(previous)
