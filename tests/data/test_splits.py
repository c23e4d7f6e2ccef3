import hashlib

import numpy as np
import pytest

from llm4retail.data.splits import MD5_HEX_DIGITS, hash_bucket, hash_buckets

pytestmark = pytest.mark.unit

PINNED_DEFAULT = [62, 60, 77]
PINNED_SALTED = [93, 68, 9]
PINNED_FULL = [22, 47, 57]


@pytest.mark.parametrize(
    ("key", "salt", "hex_digits"),
    [("r1", "", 8), ("r1", "validation:", 8), ("p42", "catalog-validation:", 8), ("q7", "", MD5_HEX_DIGITS)],
)
def test_bucket_is_the_md5_prefix_modulo_100(key: str, salt: str, hex_digits: int) -> None:
    expected = int(hashlib.md5((salt + key).encode("utf-8")).hexdigest()[:hex_digits], 16) % 100
    assert hash_bucket(key, salt=salt, hex_digits=hex_digits) == expected


def test_known_buckets_are_pinned() -> None:
    # Pinned values: a change here moves every eval split in the package.
    assert hash_buckets(["r1", "r2", "r3"]).tolist() == PINNED_DEFAULT
    assert hash_buckets(["r1", "r2", "r3"], salt="validation:").tolist() == PINNED_SALTED
    assert [hash_bucket(q, hex_digits=MD5_HEX_DIGITS) for q in ["q1", "q2", "q3"]] == PINNED_FULL


def test_buckets_convert_keys_with_str() -> None:
    assert hash_buckets(np.array([1, 2])).tolist() == hash_buckets(["1", "2"]).tolist()


def test_hex_digits_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="hex_digits must be between 1 and 32"):
        hash_bucket("x", hex_digits=33)
