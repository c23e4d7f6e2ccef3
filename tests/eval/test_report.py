"""Tests of the evaluation report format."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.eval.report import EvalReport, Timer, emit

pytestmark = pytest.mark.unit


def _report(**changes: object) -> EvalReport:
    fields: dict[str, object] = {
        "capability": "search",
        "dataset": "wands",
        "n": 480,
        "seconds": 1.23456789,
        "metrics": {"ndcg@10": 0.123456789, "hr@10": float("nan")},
    }
    fields.update(changes)
    return EvalReport.model_validate(fields)


def test_json_dict_is_flat_rounded_and_round_trips() -> None:
    report = _report(extra={"top_k": np.int64(10), "split": "test"})

    flat = json.loads(json.dumps(report.to_json_dict(), ensure_ascii=False))

    assert list(flat) == ["capability", "dataset", "n", "seconds", "ndcg@10", "hr@10", "top_k", "split"]
    assert flat["seconds"] == 1.23457
    assert flat["ndcg@10"] == 0.123457
    assert flat["hr@10"] is None
    assert flat["top_k"] == 10


def test_json_dict_with_models_and_best() -> None:
    models = {"bm25": {"ndcg@10": 0.3}, "dense": {"ndcg@10": 0.4}}

    flat = _report(models=models, best="dense").to_json_dict()

    assert flat["models"] == models
    assert flat["best"] == "dense"


def test_non_lower_case_metric_key_raises() -> None:
    with pytest.raises(DataValidationError, match="lower-case"):
        _report(metrics={"NDCG@10": 0.5})
    with pytest.raises(DataValidationError, match=r"models\['bm25'\].*lower-case"):
        _report(models={"bm25": {"Recall@10": 0.5}})


def test_key_added_after_construction_is_checked_on_output() -> None:
    report = _report()
    report.metrics["MRR"] = 0.5

    with pytest.raises(DataValidationError, match="lower-case"):
        report.to_json_dict()


def test_clashing_keys_and_unknown_best_raise() -> None:
    with pytest.raises(DataValidationError, match="appear twice"):
        _report(extra={"ndcg@10": 1.0})
    with pytest.raises(DataValidationError, match="not among the compared models"):
        _report(models={"bm25": {"ndcg@10": 0.3}}, best="dense")


def test_table_has_one_row_per_metric() -> None:
    lines = _report().to_table().splitlines()

    assert lines[0] == "search on wands: n=480, 1.23s"
    assert lines[1].split() == ["metric", "value"]
    assert lines[3].split() == ["ndcg@10", "0.1235"]
    assert lines[4].split() == ["hr@10", "nan"]


def test_table_has_one_row_per_model() -> None:
    models = {"bm25": {"ndcg@10": 0.3, "mrr": 0.2}, "dense": {"ndcg@10": 0.4}}

    lines = _report(models=models, best="dense").to_table().splitlines()

    assert lines[1].split() == ["model", "ndcg@10", "mrr"]
    assert lines[3].split() == ["bm25", "0.3000", "0.2000"]
    assert lines[4].split() == ["dense", "*", "0.4000", "-"]


def test_emit_writes_json_or_table(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report()

    emit(report, as_json=True)
    assert json.loads(capsys.readouterr().out)["capability"] == "search"

    emit(report, as_json=False)
    assert capsys.readouterr().out.startswith("search on wands")


def test_timer_measures_wall_seconds() -> None:
    timer = Timer()
    assert timer.seconds == 0.0

    with timer:
        time.sleep(0.01)

    assert timer.seconds >= 0.01
    assert timer.seconds == timer.seconds
