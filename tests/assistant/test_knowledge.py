"""Knowledge-base retrieval and policy numbers over the demo store's help centre."""

from __future__ import annotations

import pandas as pd
import pytest

from llm4retail.assistant.knowledge import KnowledgeBase
from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.knowledge import POLICIES

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def knowledge(demo_tables: dict[Table, pd.DataFrame]) -> KnowledgeBase:
    return KnowledgeBase(demo_tables[Table.DOCUMENTS])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_policy_numbers_are_read_from_the_documents(knowledge: KnowledgeBase, language: str) -> None:
    expected = {"return_days": POLICIES["return_days"], "exchange_days": POLICIES["exchange_days"],
                "refund_days": POLICIES["refund_processing_days"], "delivery_days": POLICIES["standard_shipping_days"]}
    for name, value in expected.items():
        policy = knowledge.policy_number(name, language=language)
        assert policy is not None and policy.value == value, name
        assert policy.doc_id.endswith(f"-{language}") and str(value) in policy.sentence


@pytest.mark.parametrize(("query", "doc_id"), [
    ("退款要多久", "kb-refunds-zh"),
    ("可以用微信支付吗", "kb-payment-zh"),
    ("do you ship to Canada?", "kb-shipping-en"),
])
def test_search_finds_the_document_in_the_query_language(knowledge: KnowledgeBase, query: str, doc_id: str) -> None:
    assert knowledge.search(query, top_k=1)[0].doc_id == doc_id


def test_topic_tags_steer_retrieval(knowledge: KnowledgeBase) -> None:
    passage = knowledge.search("how many days do I have?", top_k=1, tags=("returns",))[0]
    assert passage.doc_id in ("kb-returns-en", "kb-exchanges-en", "kb-refunds-en")


def test_documents_without_a_policy_give_none() -> None:
    knowledge = KnowledgeBase(pd.DataFrame({"doc_id": ["a"], "title": ["About us"], "text": ["We sell lamps."]}))
    assert knowledge.policy_number("return_days", language="en") is None
