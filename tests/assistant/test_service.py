"""The assistant service: nothing served before `train()`, versions in the model store, chat and
hand-offs through the service, the intent model's old location ignored."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.schemas import ChatRequest
from llm4retail.assistant.service import AssistantService
from llm4retail.assistant.state import HandoffStatus
from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import ConfigError, NotTrainedError

pytestmark = pytest.mark.integration


@pytest.fixture
def services(demo_store: Store, tmp_path: Path) -> Services:
    """A container over the demo store with an empty model store."""
    services = Services(get_settings(data_dir=tmp_path / "data"), store=demo_store)
    return services


def _order(demo_tables: dict[Table, pd.DataFrame]) -> pd.Series:
    orders = demo_tables[Table.ORDERS]
    return orders[orders["currency"] == "USD"].iloc[0]


def test_serving_waits_for_train_then_serves_the_latest_version(services: Services, demo_tables) -> None:
    service = services.assistant
    order = _order(demo_tables)
    request = ChatRequest(customer_id=order["customer_id"], message=f"where is my order {order['order_id']}?")
    assert isinstance(service, AssistantService) and service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail assistant train"):
        service.chat(request)
    with pytest.raises(NotTrainedError, match="llm4retail assistant train"):
        service.start(order["customer_id"])
    assert service.status().state == "not_trained"
    assert isinstance(service.handoffs(status=None), list)  # hand-offs need no intent model

    report = service.train(features=FeatureSet.TFIDF)
    assert report["version"] == "v0001" and report["features"] == "tfidf" and report["languages"]["zh"] > 100
    assert Path(report["directory"]) == services.settings.models_dir / "assistant" / "v0001"
    saved = service.models.versions()[0]
    assert saved.model_type == "assistant.intent_classifier" and saved.latest and saved.data_hash
    assert service.status().state == "ready" and not service.needs_training()

    turn = service.chat(request)
    assert turn.intent == "order_status" and order["order_id"] in turn.text
    assert turn.sources[0]["id"] == f"order:{order['order_id']}"
    events = "".join(service.chat_stream(request.model_copy(update={"conversation_id": turn.conversation_id})))
    assert events.startswith("event: meta") and "event: done" in events

    restarted = Services(services.settings, store=services.store)  # another process: loads LATEST
    loaded = restarted.assistant.intent_model()
    assert isinstance(loaded, IntentClassifier) and loaded.features is FeatureSet.TFIDF
    assert restarted.assistant.reply(turn.conversation_id, "thanks!").intent == "chit_chat"
    assert service.train(features=FeatureSet.TFIDF)["version"] == "v0002"


def test_hand_off_is_listed_and_resolved(services: Services, demo_tables) -> None:
    service = services.assistant
    service.train(features=FeatureSet.TFIDF)
    order = _order(demo_tables)
    turn = service.chat(ChatRequest(customer_id=order["customer_id"], message="转人工"))
    assert turn.handoff is not None and turn.handoff["reason"] == "explicit_request"
    handoff_id = turn.handoff["handoff_id"]
    assert handoff_id in [item.handoff_id for item in service.handoffs()]
    assert service.reply(turn.conversation_id, "hello?").details == {"handed_off": True}
    resolved = service.resolve_handoff(handoff_id, resolution="called back")
    assert resolved.status is HandoffStatus.RESOLVED and resolved.resolution == "called back"
    assert handoff_id not in [item.handoff_id for item in service.handoffs()]
    assert service.reply(turn.conversation_id, "thanks!").intent == "chit_chat"
    view = service.conversation(turn.conversation_id, customer_id=order["customer_id"])
    assert view.messages[0].text == "转人工" and view.status.value == "active"


def test_an_intent_model_in_the_old_location_is_ignored(services: Services, intent_model: IntentClassifier) -> None:
    old = services.settings.data_dir / "assistant" / "intent"  # where earlier versions saved it
    intent_model.save(old)
    service = services.assistant
    assert service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail assistant train"):
        service.intent_model()


def test_the_assistant_needs_the_container(services: Services, intent_model: IntentClassifier) -> None:
    services.assistant.models.save(intent_model, report={})
    alone = AssistantService(services.settings, services.store)
    assert alone.intent_model().classes_ == intent_model.classes_
    with pytest.raises(ConfigError, match="Services"):
        alone.assistant()
