"""The review, catalog and model-building commands on small slices of the real datasets."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.fixture(scope="module")
def review_file(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> Path:
    """400 reviews of online_shopping_10_cats (every 150th row)."""
    source = datasets / "reviews_zh" / "online_shopping_10_cats.csv.gz"
    frame = pd.read_csv(source).iloc[::150].head(400)
    path = tmp_path_factory.mktemp("reviews") / "reviews.csv"
    frame.to_csv(path, index=False)
    return path


def _json(result) -> dict:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_eval_sentiment_reports_every_model_and_the_best(review_file: Path, tmp_path: Path) -> None:
    report = _json(runner.invoke(app, ["--data-dir", str(tmp_path), "eval", "sentiment", "--train", str(review_file),
                                       "--models", "tfidf_chars,nb_tfidf", "--json"]))  # fmt: skip
    assert report["capability"] == "sentiment" and set(report["models"]) == {"tfidf_chars", "nb_tfidf"}
    assert report["best"] in report["models"] and report["accuracy"] > 0.75
    assert report["n"] + report["n_train"] + report["n_validation"] == 400
    (record,) = (tmp_path / "evals" / "sentiment").glob("*-reviews.csv.json")  # kept for the console
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved.pop("recorded_at") and saved == report


def test_eval_sentiment_refuses_stars_without_ratings(review_file: Path) -> None:
    result = runner.invoke(app, ["eval", "sentiment", "--train", str(review_file), "--task", "stars", "--models", "tfidf"])
    assert result.exit_code == 2 and "rating" in result.output


@pytest.fixture(scope="module")
def icecat_slice(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> Path:
    """1,200 icecat products."""
    folder = tmp_path_factory.mktemp("icecat") / "catalog_icecat"  # the folder name selects the icecat adapter
    folder.mkdir()
    with gzip.open(datasets / "catalog_icecat" / "icecat_products_19k.jsonl.gz", "rt") as source, \
            gzip.open(folder / "icecat_products_slice.jsonl.gz", "wt") as target:
        target.writelines(islice(source, 1200))
    return folder


@pytest.mark.parametrize("command", [["eval", "attributes"], ["catalog", "eval"]], ids=" ".join)
def test_eval_attributes_on_an_icecat_slice(icecat_slice: Path, command: list[str]) -> None:
    report = _json(runner.invoke(app, [*command, "--products", str(icecat_slice), "--top", "4", "--json"]))
    assert report["best"] == "extractor" and len(report["attributes"]) == 4
    assert report["macro_f1"] > report["baseline_macro_f1"] and report["brand_f1"] > 0.9


def test_catalog_train_then_extract(icecat_slice: Path, tmp_path: Path) -> None:
    data_dir = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, [*data_dir, "catalog", "extract", "HP 305 ink cartridge Original Black"])
    assert result.exit_code == 1 and "llm4retail catalog train" in result.output
    trained = _json(runner.invoke(app, [*data_dir, "catalog", "train", "--products", str(icecat_slice), "--top", "4"]))
    assert trained["version"] == "v0001" and "brand" in trained["attributes"]
    assert (tmp_path / "data" / "models" / "catalog" / "v0001" / "model" / "meta.json").is_file()
    found = _json(runner.invoke(app, [*data_dir, "catalog", "extract", "HP 305 ink cartridge Original Black"]))
    assert found["model"] == "catalog/v0001" and found["results"][0]["brand"] == "HP"


def test_reviews_train_then_analyze(review_file: Path, tmp_path: Path) -> None:
    data_dir = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(app, [*data_dir, "reviews", "analyze", "物流很快，质量很好"])
    assert result.exit_code == 1 and "llm4retail reviews train" in result.output
    trained = _json(runner.invoke(app, [*data_dir, "reviews", "train", "--train", str(review_file), "--models", "tfidf,nb_tfidf"]))
    assert trained["version"] == "v0001" and set(trained["validation_accuracy"]) == {"tfidf", "nb_tfidf"}
    analysed = _json(runner.invoke(app, [*data_dir, "reviews", "analyze", "物流很快，质量很好"]))
    assert analysed["model"] == "reviews/v0001" and analysed["results"][0]["sentiment"] == "positive"


def test_pretrain_finetune_compress_and_serve(review_file: Path, tmp_path: Path) -> None:
    data_dir = ["--data-dir", str(tmp_path / "data")]
    pretrained = _json(runner.invoke(app, [*data_dir, "models", "pretrain", "--corpus", str(review_file), "--no-demo",
                                           "--budget-seconds", "3", "--dim", "32", "--layers", "1", "--max-tokens", "48"]))
    assert pretrained["version"] == "v0001" and pretrained["steps"] > 0
    assert pretrained["unigram_bias"] is True and pretrained["pretraining_dropout"] == 0.0
    tuned = _json(runner.invoke(app, [*data_dir, "models", "finetune", "--train", str(review_file), "--encoder", "pretrained",
                                      "--budget-seconds", "4"]))
    assert tuned["model"] == "finetuned_pretrained" and 0 <= tuned["test"]["accuracy"] <= 1
    compressed = _json(runner.invoke(app, [*data_dir, "models", "compress", "--train", str(review_file), "--budget-seconds", "4",
                                           "--speed-reviews", "16"]))
    table = compressed["table"]
    assert set(table) == {"baseline_tfidf", "teacher", "student", "student_int8"}
    assert {"accuracy", "macro_f1", "ms_per_review_batch1", "ms_per_review_batch64", "reviews_per_second", "size_mb"} <= set(table["student"])
    assert table["student_int8"]["size_mb"] < table["student"]["size_mb"]
    analysed = _json(runner.invoke(app, [*data_dir, "reviews", "analyze", "物流很快，质量很好"]))
    assert tuned["version"] == "v0001" and compressed["teacher"] == "v0001"
    assert compressed["versions"] == {"student": "v0002", "student_int8": "v0003"}
    assert analysed["model"] == f"reviews/{compressed['versions']['student_int8']}"
    assert {a["aspect"] for a in analysed["results"][0]["aspects"]} == {"shipping", "quality"}
