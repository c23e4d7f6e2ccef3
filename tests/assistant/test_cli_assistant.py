"""The assistant's commands: chat, assistant train/eval/eval-intent/handoffs/resolve (old names: chat, eval intent)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.cli import app
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import SPECS, Table

pytestmark = pytest.mark.integration
runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli_data_dir(demo_tables: dict[Table, pd.DataFrame], intent_model: IntentClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the small demo store, a saved intent model and a search index."""
    data_dir = tmp_path_factory.mktemp("cli-data")
    services = Services(get_settings(data_dir=data_dir))
    services.store.create_schema()
    for table, frame in demo_tables.items():
        services.store.upsert(table, frame[[name for name in SPECS[table].names if name in frame.columns]])
    services.assistant.models.save(intent_model, report={})
    services.search.train(semantic=False)
    services.recommend.train_on_start()
    services.close()
    return data_dir


def invoke(data_dir: Path, *args: str):  # noqa: ANN201
    return runner.invoke(app, ["--data-dir", str(data_dir), *args])


def test_chat_with_messages_prints_answers_and_hand_offs(cli_data_dir: Path, demo_tables) -> None:
    order = demo_tables[Table.ORDERS].iloc[0]
    result = invoke(cli_data_dir, "chat", "--customer", order["customer_id"], "--backend", "template", "--json",
                    "--message", f"where is my order {order['order_id']}?", "--message", "转人工")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.strip().splitlines())
    assert first["intent"] == "order_status" and order["order_id"] in first["text"]
    assert second["handoff"]["reason"] == "explicit_request"
    listed = invoke(cli_data_dir, "assistant", "handoffs", "--json")
    handoff_id = json.loads(listed.stdout)["items"][0]["handoff_id"]
    assert invoke(cli_data_dir, "assistant", "resolve", handoff_id, "--note", "done").exit_code == 0
    assert json.loads(invoke(cli_data_dir, "assistant", "handoffs", "--json").stdout)["items"] == []


def test_chat_reads_stdin_and_refuses_unknown_customers_and_backends(cli_data_dir: Path, demo_tables) -> None:
    customer = demo_tables[Table.ORDERS].iloc[0]["customer_id"]
    result = runner.invoke(app, ["--data-dir", str(cli_data_dir), "chat", "--customer", customer, "--backend", "template"],
                           input="hello\n\n")
    assert result.exit_code == 0 and "assistant> " in result.output
    assert invoke(cli_data_dir, "chat", "--customer", "nobody", "--message", "hi", "--backend", "template").exit_code == 1
    assert invoke(cli_data_dir, "chat", "--customer", customer, "--message", "hi", "--backend", "gpt").exit_code == 2


def test_eval_on_the_store_runs_the_suite_through_the_container(cli_data_dir: Path, tmp_path: Path) -> None:
    lines = (ROOT / "bench" / "assistant" / "suite.jsonl").read_text(encoding="utf-8").splitlines()
    suite = tmp_path / "suite.jsonl"
    suite.write_text("\n".join([line for line in lines if line.strip()][:4]) + "\n", encoding="utf-8")
    result = invoke(cli_data_dir, "assistant", "eval", "--suite", str(suite), "--use-store", "--backend", "template", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["capability"] == "assistant" and report["n"] == 4 and report["backend"] == "template"
    assert report["leaks"] == 0 and report["fabricated_facts"] == 0
    untrained = invoke(tmp_path / "empty", "assistant", "eval", "--suite", str(suite), "--use-store")
    assert untrained.exit_code == 1 and "llm4retail assistant train" in untrained.output


def test_eval_intent_on_files_with_text_and_intent(tmp_path: Path) -> None:
    rows = [(f"where is my parcel number {i}", "track") for i in range(15)] + [(f"refund my money please {i}", "refund") for i in range(15)]
    rows += [(f"包裹{i}到哪了", "track") for i in range(10)] + [(f"退款{i}什么时候到", "refund") for i in range(10)]
    path = tmp_path / "intents.csv"
    pd.DataFrame(rows, columns=["text", "intent"]).to_csv(path, index=False)
    result = runner.invoke(app, ["eval", "intent", "--train", str(path), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["capability"] == "intent" and metrics["n"] == 10 and metrics["accuracy"] == 1.0
    assert {"accuracy_en", "accuracy_zh", "train_seconds", "macro_f1", "best"} <= set(metrics)


def test_assistant_train_saves_a_model(cli_data_dir: Path, tmp_path: Path) -> None:
    utterances = tmp_path / "utterances.csv"
    pd.DataFrame({"text": ["where is my parcel", "cancel my order", "I want a refund", "reset my password"] * 5,
                  "intent": ["track_order", "cancel_order", "get_refund", "recover_password"] * 5}).to_csv(utterances, index=False)
    data_dir = tmp_path / "data"
    Services(get_settings(data_dir=data_dir)).store.create_schema()
    untrained = invoke(data_dir, "assistant", "chat", "--customer", "c1", "--message", "hi", "--backend", "template")
    assert untrained.exit_code == 1 and "llm4retail assistant train" in untrained.output
    assert invoke(data_dir, "assistant", "train", "--features", "bert").exit_code == 2
    result = invoke(data_dir, "assistant", "train", "--utterances", str(utterances), "--features", "tfidf", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["languages"]["zh"] > 100 and summary["version"] == "v0001"
    assert (data_dir / "models" / "assistant" / "v0001" / "model" / "meta.json").is_file()
    model = Services(get_settings(data_dir=data_dir)).assistant.intent_model()
    assert isinstance(model, IntentClassifier) and model.features is FeatureSet.TFIDF
    assert "intent model v0002 trained" in invoke(data_dir, "assistant", "train", "--features", "tfidf").output
