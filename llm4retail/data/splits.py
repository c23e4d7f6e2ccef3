"""Stable hash splits: a 0-99 bucket per id from its md5, so a row's side never depends on the others.

Every held-out split in the package (catalog test/validation, review test/validation, search
train/test queries) is `hash_buckets(ids, salt=...) < share`; the salt decorrelates splits
drawn from the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

MD5_HEX_DIGITS = 32
REVIEW_TEST_PERCENT = 20  # `eval sentiment` holds out ids in buckets 0-19; pre-training leaves them out too


def hash_bucket(key: str, *, salt: str = "", hex_digits: int = 8) -> int:
    """The 0-99 bucket of one key: the first `hex_digits` hex digits of md5(salt + key), modulo 100.

    Args:
        key: The id to place.
        salt: Prefix that decorrelates this split from others drawn on the same ids.
        hex_digits: How much of the digest to read (1 to 32); 8 for catalog and reviews,
            the whole digest for search queries (kept so that existing splits do not move).

    Returns:
        The bucket, 0 to 99.

    Raises:
        ValueError: `hex_digits` outside 1..32.
    """
    if not 1 <= hex_digits <= MD5_HEX_DIGITS:
        raise ValueError(f"hex_digits must be between 1 and {MD5_HEX_DIGITS}, got {hex_digits}")
    return int(hashlib.md5((salt + key).encode("utf-8"), usedforsecurity=False).hexdigest()[:hex_digits], 16) % 100


def hash_buckets(keys: Iterable[object], *, salt: str = "", hex_digits: int = 8) -> np.ndarray:
    """`hash_bucket` of each key (converted with `str`), as an integer array."""
    return np.array([hash_bucket(str(key), salt=salt, hex_digits=hex_digits) for key in keys], dtype=np.int64)
