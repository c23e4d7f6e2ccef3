"""The repository's conversation suite (bench/assistant/suite.jsonl) on a generated demo store:
answered from templates, then through an OpenAI-compatible endpoint (a stub server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm4retail.assistant.assistant import Assistant
from llm4retail.assistant.suite import StoreView, load_suite
from llm4retail.assistant.suite_runner import run_suite, store_clock, train_suite_models
from llm4retail.config import LLMSettings
from llm4retail.errors import DataValidationError
from llm4retail.llm.backends import EndpointBackend

SUITE = Path(__file__).resolve().parents[2] / "bench" / "assistant" / "suite.jsonl"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def view(demo_store, assistant: Assistant) -> StoreView:
    policy = assistant.tools.knowledge.policy_number("return_days", language="en")
    return StoreView.from_store(demo_store, as_of=store_clock(demo_store), return_days=policy.value)


def test_suite_has_forty_bilingual_conversations_of_every_kind() -> None:
    conversations = load_suite(SUITE)
    assert len(conversations) >= 40
    ids = " ".join(c["id"] for c in conversations)
    for kind in ("order", "return", "product", "gift", "human", "angry", "inject", "misunderstood"):
        assert f"en-{kind}" in ids and f"zh-{kind}" in ids, kind


def test_suite_with_templates(assistant: Assistant, view: StoreView) -> None:
    metrics = run_suite(assistant, view, load_suite(SUITE), dataset="suite", backend="template").to_json_dict()
    assert metrics["fabricated_facts"] == 0 and metrics["leaks"] == 0, json.dumps(metrics["failures"], ensure_ascii=False)
    assert metrics["task_success"] >= 0.9, json.dumps(metrics["failures"], ensure_ascii=False)
    assert metrics["handoff_precision"] == 1.0 and metrics["handoff_recall"] >= 0.9
    assert metrics["intent_accuracy_en"] >= 0.8 and metrics["intent_accuracy_zh"] >= 0.8


def test_suite_through_an_openai_compatible_endpoint(assistant: Assistant, view: StoreView, stub_endpoint: str) -> None:
    original = assistant.backend
    assistant.backend = EndpointBackend(LLMSettings(base_url=stub_endpoint, model="grounded"))
    try:
        metrics = run_suite(assistant, view, load_suite(SUITE), dataset="suite", backend="endpoint").to_json_dict()
    finally:
        assistant.backend = original
    assert metrics["model_answers"] > 0 and metrics["grounding_rate"] == 1.0
    assert metrics["fabricated_facts"] == 0 and metrics["leaks"] == 0
    assert metrics["task_success"] >= 0.9, json.dumps(metrics["failures"], ensure_ascii=False)


def test_suite_lines_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "turns": []}\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match="needs an id and turns"):
        load_suite(path)


def test_suite_models_rank_search_zero_shot() -> None:
    """The suite's figures were measured with the zero-shot search blend: its setup must not add the reranker
    even when the store has judged queries (the demo store has)."""
    calls: dict[str, dict] = {}

    class Recorder:
        def __init__(self, name: str) -> None:
            self.name = name

        def __getattr__(self, verb: str):
            return lambda **kwargs: calls.setdefault(f"{self.name}.{verb}", kwargs)

    class Container:
        assistant, search, recommend = Recorder("assistant"), Recorder("search"), Recorder("recommend")

    train_suite_models(Container())  # type: ignore[arg-type]
    assert calls["search.train"] == {"reranker": False}
    assert set(calls) == {"assistant.train", "search.train", "recommend.train_on_start"}
