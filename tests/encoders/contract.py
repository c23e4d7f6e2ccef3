"""Model-contract case of the pre-trained encoder (`llm4retail models pretrain`): a tiny MLM run."""

from __future__ import annotations

import numpy as np
import torch

from llm4retail.models.pretrain import PretrainConfig, PretrainedEncoder
from llm4retail.models.transformer import TransformerConfig
from tests.contract import ContractCase
from tests.reviews.conftest import tiny_texts

SHAPE = TransformerConfig(vocab_size=1, dim=16, layers=1, heads=2, feed_forward=32, max_positions=24)
PROBE = ["质量很好，很满意", "terrible quality, broke quickly"]


def _fit() -> PretrainedEncoder:
    texts, _ = tiny_texts(repeats=2)
    config = PretrainConfig(budget_seconds=5, max_epochs=1, batch_size=8, threads=1)
    return PretrainedEncoder(SHAPE, vocabulary_size=200, pretraining=config).fit(texts)


def _predict(model: PretrainedEncoder) -> dict[str, object]:
    from llm4retail.models.training import pad

    assert model.encoder_ is not None and model.vocabulary_ is not None
    ids, mask = pad(model.vocabulary_.encode(PROBE), pad_id=model.vocabulary_.pad_id)
    with torch.no_grad():
        hidden = model.encoder_.eval()(ids, mask)
    return {"hidden": np.asarray(hidden), "tokens": model.vocabulary_.tokens, "config": list(model.config.as_dict().values())}


CASES = [ContractCase("encoders.mlm", _fit, _predict)]  # type: ignore[arg-type]
