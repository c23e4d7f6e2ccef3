"""Order tools scoped to one customer, and return eligibility."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from llm4retail.assistant.tools import OrderTool, ReturnVerdict, name_stem, return_eligibility
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store

NOW = dt.datetime(2026, 10, 31, 12)


@pytest.mark.integration
def test_order_lookup_is_scoped_to_the_signed_in_customer(demo_store: Store, demo_tables: dict[Table, pd.DataFrame]) -> None:
    orders = demo_tables[Table.ORDERS].sort_values(["customer_id", "created_at"]).reset_index(drop=True)
    mine = orders.iloc[0]
    someone_else = orders[orders["customer_id"] != mine["customer_id"]].iloc[0]
    tool = OrderTool(demo_store)
    assert tool.lookup(mine["customer_id"], mine["order_id"])["order_id"] == mine["order_id"]
    assert tool.lookup(mine["customer_id"], mine["order_id"].upper())["order_id"] == mine["order_id"]
    assert tool.lookup(mine["customer_id"], someone_else["order_id"]) is None
    assert tool.lookup(mine["customer_id"], "o999999") is None
    own = tool.orders_of(mine["customer_id"])
    assert {row["customer_id"] for row in own} == {mine["customer_id"]}
    assert [row["created_at"] for row in own] == sorted((row["created_at"] for row in own), reverse=True)


@pytest.mark.unit
@pytest.mark.parametrize(("status", "age_days", "verdict"), [
    ("delivered", 10, ReturnVerdict.ELIGIBLE),
    ("delivered", 30, ReturnVerdict.ELIGIBLE),
    ("delivered", 33, ReturnVerdict.DEPENDS_ON_DELIVERY),
    ("delivered", 40, ReturnVerdict.EXPIRED),
    ("shipped", 3, ReturnVerdict.NOT_DELIVERED),
    ("returned", 12, ReturnVerdict.ALREADY_RETURNED),
    ("cancelled", 1, ReturnVerdict.CANCELLED),
])
def test_return_eligibility(status: str, age_days: int, verdict: ReturnVerdict) -> None:
    order = {"status": status, "created_at": NOW - dt.timedelta(days=age_days, hours=1)}
    result = return_eligibility(order, window_days=30, as_of=NOW, max_delivery_days=5)
    assert result.verdict is verdict and result.days_since_order == age_days
    assert result.deadline == (order["created_at"] + dt.timedelta(days=30)).date()


@pytest.mark.unit
def test_colour_variants_share_a_name_stem() -> None:
    assert name_stem("Aster Grey Fabric Sofa") == name_stem("Aster Navy Blue Fabric Sofa") == "aster fabric sofa"
    assert name_stem("经典黄色纯棉收纳筐") == name_stem("经典蓝色纯棉收纳筐")
