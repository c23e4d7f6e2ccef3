"""Campaign messages: two variants per customer, the recommended products' real prices, the customer's language."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.generate.campaign import BODY_LIMITS, format_price
from llm4retail.generate.evaluate import in_language
from llm4retail.generate.schemas import Channel
from llm4retail.text.language import Language

pytestmark = pytest.mark.unit


def _records(services: Services, table: Table, key: str) -> dict[str, dict]:
    return {str(row[key]): row for row in services.store.read_frame(table).to_dict("records")}


def test_campaign_csv_has_two_variants_per_customer_with_real_prices(
    services: Services, generate_data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "campaign.csv"
    result = CliRunner().invoke(app, ["--data-dir", str(generate_data_dir), "-q", "generate", "campaign",
                                      "--channel", "email", "--limit", "20", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    products = _records(services, Table.PRODUCTS, "product_id")
    customers = _records(services, Table.CUSTOMERS, "customer_id")

    assert len(rows) == 40
    by_customer: dict[str, list[dict]] = {}
    for row in rows:
        by_customer.setdefault(row["customer_id"], []).append(row)
    assert all(sorted(r["variant"] for r in variants) == ["A", "B"] for variants in by_customer.values())
    for row in rows:
        language = Language(customers[row["customer_id"]]["attributes"]["preferred_language"])
        assert row["language"] == language.value and in_language(row["subject"] + row["body"], language)
        for product_id in row["product_ids"].split(" | "):
            record = products[product_id]
            assert format_price(record["price"], record["currency"]) in row["body"]
        assert row["subject"] and row["variant"] in {"A", "B"}
    assert len({row["body"] for row in rows}) == len(rows)  # A and B differ, customers differ


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.PUSH])
def test_short_messages_name_one_product_within_the_length(services: Services, channel: Channel) -> None:
    messages = list(services.generate.campaign(None, channel=channel, limit=15))

    assert len(messages) == 30
    for message in messages:
        assert len(message.product_ids) == 1 and message.prices[0] in message.body and not message.subject
        assert len(message.body) <= BODY_LIMITS[message.language][channel][1]


def test_model_drafts_are_checked_like_copy(services: Services) -> None:
    import json

    from llm4retail.generate.campaign import CampaignWriter
    from tests.generate.test_copy import ScriptedBackend

    products = services.store.read_frame(Table.PRODUCTS)
    record = next(r for r in products.to_dict("records") if r["attributes"].get("language") == "en" and r["price"])
    facts = services.generate.facts([record["product_id"]])
    price = format_price(record["price"], record["currency"])
    wrong = json.dumps({"subject": "A deal for you", "body": f"{record['title']} is now only $1.00!"})
    grounded = json.dumps({"subject": "Picked for you", "body": f"{record['title']}: {price}. Have a look."})

    refused = ScriptedBackend(wrong)
    messages = CampaignWriter(services.generate.terms(), backend=refused).write(
        "c-test", facts, channel=Channel.EMAIL, language=Language.ENGLISH
    )
    assert [m.backend for m in messages] == ["template", "template"] and refused.calls == 4  # 2 drafts per variant
    assert all(price in m.body and "$1.00" not in m.body for m in messages)

    accepted = ScriptedBackend(grounded)
    messages = CampaignWriter(services.generate.terms(), backend=accepted).write(
        "c-test", facts, channel=Channel.EMAIL, language=Language.ENGLISH
    )
    assert [m.backend for m in messages] == ["scripted", "scripted"] and accepted.calls == 2
    assert messages[0].body == f"{record['title']}: {price}. Have a look."
