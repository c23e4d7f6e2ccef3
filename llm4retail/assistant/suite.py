"""Scripted multi-turn conversation suites: resolve placeholders against a store, run every
conversation through the assistant, and score it.

A suite is a JSON-lines file, one conversation per line:

    {"id": "zh-order-1", "customer": {"language": "zh", "order": "in_flight"},
     "turns": [{"user": "我的订单{order}到哪了", "expect": {"intent": "order_status",
                "slots": {"order_id": "{order}"}, "mentions": ["{order}", "{order.status}"], "handoff": false}}]}

Placeholders are filled from the store, so the suite runs on any demo seed: `{order}` and
`{order.status|total|tracking|date|item}` (the chosen order of the conversation's customer; `item` is
the title of its first line), `{order.other}` (that customer's most recent other order; `max_orders`
beside `min_orders` in `customer` bounds how many orders the customer has),
`{other_order}`, `{other_tracking}`, `{other_customer}` (someone else's), `{product}` and
`{product.price|id|colour}` (a catalog product in the conversation's language) and
`{return_days}` (the returns policy). Scoring is independent of the assistant's own checks:
`fabricated_facts` counts numbers, dates, statuses and ids in replies that the store does not
hold for that customer; `leaks` counts replies naming another customer's order, tracking code
or id.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from llm4retail.assistant.replies import order_fact, status_name
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError
from llm4retail.llm.grounding import Claims, read_claims

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)?)\}")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
ORDER_CHOICES = ("latest", "in_flight", "delivered_recent", "delivered_old", "any")


def load_suite(path: Path) -> list[dict[str, Any]]:
    """The conversations of a suite file.

    Raises:
        DataValidationError: a line is not JSON or lacks `id` or `turns`.
    """
    conversations = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataValidationError(f"{path}:{number}: not JSON ({error.msg})") from error
        if "id" not in item or not item.get("turns"):
            raise DataValidationError(f"{path}:{number}: a conversation needs an id and turns")
        conversations.append(item)
    return conversations


@dataclass
class StoreView:
    """The store's records the suite draws placeholders from and checks replies against."""

    orders: pd.DataFrame
    products: pd.DataFrame
    documents: pd.DataFrame
    customers: list[str]
    as_of: dt.datetime
    return_days: int | None = None
    _truth: dict[str, Claims] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store, *, as_of: dt.datetime, return_days: int | None) -> StoreView:
        """Read the tables once."""
        orders = store.read_frame(Table.ORDERS).sort_values(["customer_id", "created_at", "order_id"])
        customers = store.read_frame(Table.CUSTOMERS, columns=["customer_id"])["customer_id"].astype(str).tolist()
        return cls(orders.reset_index(drop=True), store.read_frame(Table.PRODUCTS), store.read_frame(Table.DOCUMENTS),
                   sorted(customers), as_of, return_days)

    def pick_customer(self, spec: dict[str, Any], *, index: int) -> tuple[str, dict[str, Any] | None]:
        """The `index`-th customer matching `spec` (language by order currency, the order to talk about)."""
        currency = {"zh": "CNY", "en": "USD"}.get(spec.get("language", ""), None)
        choice = spec.get("order", "latest")
        if choice not in ORDER_CHOICES:
            raise DataValidationError(f"customer.order must be one of {ORDER_CHOICES}, got {choice!r}")
        matches: list[tuple[str, dict[str, Any]]] = []
        for customer, group in self.orders.groupby("customer_id", sort=True):
            rows = group.to_dict("records")
            if currency and rows[-1].get("currency") != currency or len(rows) < spec.get("min_orders", 1):
                continue
            if len(rows) > spec.get("max_orders", len(rows)):
                continue
            order = self._order_for(rows, choice)
            if order is not None:
                matches.append((str(customer), order))
        if not matches:
            raise DataValidationError(f"no customer in the store matches {spec}")
        return matches[index % len(matches)]

    def _order_for(self, rows: list[dict[str, Any]], choice: str) -> dict[str, Any] | None:
        window = self.return_days or 30
        age = {id(row): (self.as_of - row["created_at"]).days for row in rows}
        if choice == "in_flight":
            found = [r for r in rows if r["status"] in ("paid", "shipped", "pending")]
            return found[-1] if len(found) == 1 else None
        if choice == "delivered_recent":
            found = [r for r in rows if r["status"] == "delivered" and age[id(r)] <= window]
            return found[-1] if len(found) == 1 else None
        if choice == "delivered_old":
            found = [r for r in rows if r["status"] == "delivered" and age[id(r)] > window + 10]
            return found[-1] if found and all(r["status"] != "delivered" or age[id(r)] > window + 10 for r in rows) else None
        return rows[-1]

    def product(self, language: str, index: int) -> dict[str, Any]:
        """An available product of the storefront in `language`, with a name a shopper would type
        that no other title contains (so the expected answer is unambiguous)."""
        currency = "CNY" if language == "zh" else "USD"
        pool = self.products[(self.products["currency"] == currency) & (self.products["available"] != False)]  # noqa: E712
        titles = self.products["title"].astype(str).str.lower().tolist()
        rows = pool.sort_values("product_id").to_dict("records")
        for offset in range(len(rows)):
            row = rows[(index + offset) % len(rows)]
            name = _shopper_name(row, language)
            if sum(name.lower() in title for title in titles) == 1:
                return row | {"name": name}
        raise DataValidationError(f"no product of the {language} storefront has a distinctive name")

    def products_over(self, reply: str, limit: float) -> list[str]:
        """Problems with a product listing: none listed, or one above `limit`."""
        ids = re.findall(r"(?<![A-Za-z0-9])[A-Za-z]\d{4,}(?![A-Za-z0-9])", reply)
        prices = self.products.set_index("product_id")["price"]
        listed = [pid for pid in ids if pid in prices.index]
        if not listed:
            return ["a product listing"]
        return [f"{pid} over {limit:g}" for pid in listed if float(prices[pid]) > limit]

    def truth(self, customer_id: str) -> Claims:
        """Every checkable value the store holds that this customer may be told (cached)."""
        if customer_id not in self._truth:
            texts = [" ".join(self.documents["text"].astype(str)), " ".join(self.documents["title"].astype(str))]
            texts += [f"{t} {p} {a}" for t, p, a in zip(self.products["title"], self.products["price"], self.products["attributes"])]
            texts += [f"{pid}" for pid in self.products["product_id"]]
            own = self.orders[self.orders["customer_id"] == customer_id].to_dict("records")
            titles = dict(zip(self.products["product_id"].astype(str), self.products["title"].astype(str)))
            for order in own:
                for language in ("en", "zh"):
                    texts.append(order_fact(order, titles=titles, language=language).text)
                days = (self.as_of - order["created_at"]).days
                texts.append(f"{days} {max(days, 0)}")
                for window in read_claims(" ".join(self.documents["text"].astype(str))).numbers:
                    if 0 < window < 400:
                        texts.append((order["created_at"] + dt.timedelta(days=int(window))).date().isoformat())
            claims = read_claims("\n".join(texts))
            # An order's status may only be one of the customer's own orders' statuses (documents list them all).
            claims.statuses = {str(s) for o in own for s in (o["status"], o.get("shipping_status")) if s}
            self._truth[customer_id] = claims
        return self._truth[customer_id]

    def wrong_statuses(self, reply: str, customer_id: str) -> list[str]:
        """Statuses stated in a sentence that names one of the customer's orders but that this order
        does not have (a sentence naming no order, such as a help-centre list of statuses, claims none)."""
        own = self.orders[self.orders["customer_id"] == customer_id]
        statuses = {str(row["order_id"]).lower(): {str(row["status"]), str(row.get("shipping_status"))} for row in own.to_dict("records")}
        wrong: list[str] = []
        for sentence in re.split(r"(?<=[.!?。！？])\s*", reply):
            claims = read_claims(sentence)
            named = [statuses[i] for i in claims.identifiers if i in statuses]
            if named:
                allowed = set().union(*named)
                wrong += sorted(claims.statuses - allowed)
        return wrong

    def other_identifiers(self, customer_id: str) -> set[str]:
        """Order ids, tracking codes and ids of every other customer (lower case)."""
        others = self.orders[self.orders["customer_id"] != customer_id]
        values = set(others["order_id"].astype(str)) | set(others["tracking_code"].dropna().astype(str))
        values |= {c for c in self.customers if c != customer_id}
        return {value.lower() for value in values}


def _shopper_name(row: dict[str, Any], language: str) -> str:
    title = str(row["title"])
    runs = _CJK_RUN.findall(title)
    if language == "zh" and runs:
        return max(runs, key=len)
    return title.replace(str(row.get("brand") or ""), "").strip()


def fill(template: Any, values: dict[str, str]) -> Any:
    """A string, list or dict with its placeholders replaced."""
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def placeholder_values(view: StoreView, conversation: dict[str, Any], *, index: int) -> tuple[str, dict[str, str]]:
    """The customer of a conversation and the values of its placeholders."""
    spec = conversation.get("customer", {})
    language = spec.get("language", "en")
    customer, order = view.pick_customer(spec, index=int(spec.get("index", index)))
    product = view.product(language, int(spec.get("product_index", index)))
    others = view.orders[view.orders["customer_id"] != customer]
    other = others.iloc[(index * 7) % len(others)]
    tracked = others.dropna(subset=["tracking_code"])
    values = {
        "customer": customer, "other_order": str(other["order_id"]), "other_customer": str(other["customer_id"]),
        "other_tracking": str(tracked.iloc[(index * 5) % len(tracked)]["tracking_code"]) if len(tracked) else "",
        "product": product["name"], "product.id": str(product["product_id"]),
        "product.price": f"{float(product['price']):.2f}", "return_days": str(view.return_days or ""),
    }
    if order is not None:
        own = view.orders[(view.orders["customer_id"] == customer) & (view.orders["order_id"] != order["order_id"])]
        lines = order.get("lines") or []
        titles = dict(zip(view.products["product_id"].astype(str), view.products["title"].astype(str)))
        values |= {
            "order": str(order["order_id"]), "order.status": status_name(order["status"], language),
            "order.total": f"{float(order['total']):.2f}", "order.tracking": str(order.get("tracking_code") or ""),
            "order.date": order["created_at"].date().isoformat(),
            "order.item": titles.get(str(lines[0].get("product_id")), "") if lines else "",
            "order.other": str(own.iloc[-1]["order_id"]) if len(own) else "",
        }
    return customer, values


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (NaN for no values)."""
    return float(np.percentile(values, q)) if values else float("nan")
