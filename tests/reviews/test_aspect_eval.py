"""`llm4retail reviews eval-aspects`: judged sets with or without text, the development/test parts, bad
judgements, and the kept judged set of real reviews through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.errors import DataValidationError
from llm4retail.reviews.aspect_eval import load_judged, parse_judgement, score_aspects, split_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.unit
def test_scores_count_review_aspect_pairs() -> None:
    texts = ["The quality is great but shipping was slow.", "质量很差，价格也贵", "Nice."]
    truth = [{"quality": "positive", "shipping": "negative"}, {"quality": "negative", "size": "negative"}, {}]
    scores = score_aspects(texts, truth)
    # found: quality + shipping (1st), quality + value (2nd: value is not judged there, size is missed)
    assert scores["judged_aspects"] == 4 and scores["recall"] == pytest.approx(3 / 4)
    assert scores["precision"] == pytest.approx(3 / 4)
    assert parse_judgement("quality:positive; value:negative") == {"quality": "positive", "value": "negative"}
    with pytest.raises(DataValidationError, match="aspect:polarity"):
        parse_judgement("colour:positive")


@pytest.mark.unit
def test_judged_sets_read_texts_inline_or_from_review_files_and_split_by_id() -> None:
    gold = pd.DataFrame({"review_id": [f"r{i}" for i in range(60)], "aspects": ["quality:positive"] * 60})
    texts = pd.DataFrame({"review_id": [f"r{i}" for i in range(60)], "text": [f"good quality {i}" for i in range(60)]})
    dev, _ = load_judged(gold, texts, split="dev")
    test, _ = load_judged(gold, texts, split="test")
    assert len(dev) + len(test) == 60 and len(dev) >= 40  # the first 40 rows are always development
    assert {split_of(f"r{i}", i) for i in range(40)} == {"dev"}
    inline, truth = load_judged(gold.assign(text="so cheap"), split="all")
    assert inline == ["so cheap"] * 60 and truth[0] == {"quality": "positive"}
    with pytest.raises(DataValidationError, match="--texts"):
        load_judged(gold)
    with pytest.raises(DataValidationError, match="not in the review files"):
        load_judged(gold, texts.head(10))
    with pytest.raises(DataValidationError, match="split"):
        load_judged(gold, texts, split="train")


@pytest.mark.integration
def test_eval_aspects_on_the_kept_judged_set(datasets: Path) -> None:
    files = [datasets / "reviews_zh" / "online_shopping_10_cats.csv.gz", datasets / "reviews_marc" / "marc_en_test.csv.gz",
             datasets / "reviews_marc" / "marc_zh_test.csv.gz"]
    command = ["reviews", "eval-aspects", "--gold", str(ROOT / "bench" / "reviews" / "aspects_gold.csv"), "--json"]
    for path in files:
        command += ["--texts", str(path)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["split"] == "test" and report["n"] == 131 and report["judged_aspects"] == 182
    assert 0.6 <= report["recall"] <= 1 and 0.7 <= report["precision"] <= 1
