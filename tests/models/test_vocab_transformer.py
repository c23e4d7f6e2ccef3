"""Our vocabulary and small Transformer encoder."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from llm4retail.errors import DataValidationError
from llm4retail.models.transformer import MaskedLanguageModelHead, TransformerConfig, TransformerEncoder
from llm4retail.models.vocab import SPECIALS, Vocabulary, pieces

pytestmark = pytest.mark.unit


def test_pieces_split_chinese_characters_and_latin_words() -> None:
    assert pieces("好评！Great value 2GB") == ["好", "评", "！", "great", "value", "2gb"]


def test_vocabulary_encodes_with_cls_sep_unknown_and_truncation(tmp_path: Path) -> None:
    vocabulary = Vocabulary.build(["好评 好评 great", "好评 great"], min_count=2, max_tokens=4)
    assert tuple(vocabulary.tokens[:5]) == SPECIALS
    ids = vocabulary.encode(["好评 great 差"])[0]
    assert ids[0] == vocabulary.index["[CLS]"] and ids[-1] == vocabulary.index["[SEP]"] and len(ids) == 4
    assert vocabulary.encode(["差"])[0][1] == vocabulary.index["[UNK]"]
    vocabulary.save(tmp_path / "vocab.json")
    assert Vocabulary.load(tmp_path / "vocab.json").encode(["好评"]) == vocabulary.encode(["好评"])


def test_vocabulary_refuses_a_list_without_specials() -> None:
    with pytest.raises(DataValidationError, match="must start with"):
        Vocabulary(["a", "b"])


def test_padding_is_invisible_to_real_tokens() -> None:
    torch.manual_seed(0)
    encoder = TransformerEncoder(TransformerConfig(vocab_size=50, dim=16, layers=2, heads=2, feed_forward=32, max_positions=16)).eval()
    ids = torch.tensor([[2, 7, 9, 3, 0, 0]])
    mask = ids != 0
    with torch.no_grad():
        padded = encoder.sentence(ids, mask)
        short = encoder.sentence(ids[:, :4], mask[:, :4])
        logits = MaskedLanguageModelHead(encoder)(encoder(ids, mask))
    torch.testing.assert_close(padded, short, atol=1e-5, rtol=1e-4)
    assert logits.shape == (1, 6, 50)


def test_config_checks_heads_divide_width() -> None:
    with pytest.raises(DataValidationError, match="must divide"):
        TransformerConfig(vocab_size=10, dim=30, heads=4)
