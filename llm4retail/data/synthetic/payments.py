"""Synthetic payments: one per order plus card-testing bursts, with a fraud label.

Fraud follows a clear but noisy pattern: fraudulent order payments favour night
hours, new devices, a country other than the account's and large amounts; card
testing is a burst of small charges on one account followed by one large charge.
Legitimate payments show each of these signs too, only far less often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.common import (
    CURRENCY_BY_LANGUAGE,
    SECONDS_PER_DAY,
    build_frame,
    format_ids,
    object_column,
    reference_seconds,
    seconds_to_datetimes,
)
from llm4retail.data.synthetic.customers import Customers
from llm4retail.data.synthetic.orders import OrderFacts

TARGET_FRAUD_RATE = 0.025
ORDER_FRAUD_SHARE = 0.35  # share of fraudulent payments that are whole fraudulent orders
NIGHT_HOURS = range(0, 6)
# Probability of (new device, country mismatch) for legitimate payments, fraudulent orders and card tests.
SIGN_RATES = {"legitimate": (0.08, 0.03), "order_fraud": (0.75, 0.55), "card_test": (0.9, 0.7)}
WINDOW_DAYS = 180
CUSTOMER_TIME_OFFSET = 10**10


@dataclass
class PaymentArrays:
    """Payments as parallel arrays, before features."""

    customer: np.ndarray
    order: np.ndarray  # -1 when the payment has no order
    seconds: np.ndarray
    amount: np.ndarray
    is_chinese: np.ndarray
    label: np.ndarray
    new_device: np.ndarray
    country_mismatch: np.ndarray


def hour_of(seconds: np.ndarray) -> np.ndarray:
    """UTC hour of Unix seconds."""
    return (seconds % SECONDS_PER_DAY) // 3600


def order_payments(*, orders: OrderFacts, n_fraud: int, rng: np.random.Generator) -> PaymentArrays:
    """One payment per order; `n_fraud` of them fraudulent, preferring night-time and large orders."""
    n_orders = orders.ids.size
    seconds = orders.seconds + rng.integers(5, 60, size=n_orders)
    night = np.isin(hour_of(seconds), NIGHT_HOURS)
    large = orders.total > 2.0 * np.median(orders.total) if n_orders else np.zeros(0, dtype=bool)
    weights = 1.0 + 6.0 * night + 2.0 * large
    fraud = np.zeros(n_orders, dtype=bool)
    if n_orders and n_fraud:
        fraud[rng.choice(n_orders, size=min(n_fraud, n_orders), replace=False, p=weights / weights.sum())] = True
    device_rate = np.where(fraud, SIGN_RATES["order_fraud"][0], SIGN_RATES["legitimate"][0])
    mismatch_rate = np.where(fraud, SIGN_RATES["order_fraud"][1], SIGN_RATES["legitimate"][1])
    return PaymentArrays(
        customer=orders.customer, order=np.arange(n_orders), seconds=seconds, amount=orders.total.astype(float),
        is_chinese=orders.is_chinese, label=fraud.astype(np.int64),
        new_device=rng.random(n_orders) < device_rate, country_mismatch=rng.random(n_orders) < mismatch_rate,
    )


def card_test_bursts(
    *, n_bursts: int, customers: Customers, typical_amounts: np.ndarray, rng: np.random.Generator
) -> PaymentArrays:
    """Bursts of three to six small charges minutes apart, then one large charge, mostly at night.

    `typical_amounts` holds the typical order total in USD and in CNY (indexed by "is Chinese").
    """
    n_customers = customers.segment.size
    columns: dict[str, list[np.ndarray]] = {name: [] for name in ("customer", "seconds", "amount")}
    signs: list[np.ndarray] = []
    for _ in range(n_bursts):
        customer = int(rng.integers(n_customers))
        day = reference_seconds() - int(rng.integers(1, WINDOW_DAYS)) * SECONDS_PER_DAY
        hour = int(rng.integers(0, 6)) if rng.random() < 0.75 else int(rng.integers(0, 24))
        n_small = int(rng.integers(3, 7))
        gaps = np.r_[rng.integers(20, 120, size=n_small), rng.integers(60, 300)]
        columns["customer"].append(np.full(n_small + 1, customer))
        columns["seconds"].append(day + hour * 3600 + np.cumsum(gaps))
        large_amount = typical_amounts[int(customers.prefers_chinese[customer])] * rng.uniform(3.0, 8.0)
        columns["amount"].append(np.r_[np.round(rng.uniform(0.5, 5.0, size=n_small), 2), round(large_amount, 2)])
        device_rate, mismatch_rate = SIGN_RATES["card_test"]
        signs.append(np.tile([rng.random() < device_rate, rng.random() < mismatch_rate], (n_small + 1, 1)))
    customer = np.concatenate(columns["customer"]) if n_bursts else np.zeros(0, dtype=np.int64)
    sign_matrix = np.concatenate(signs) if n_bursts else np.zeros((0, 2), dtype=bool)
    return PaymentArrays(
        customer=customer, order=np.full(customer.size, -1),
        seconds=np.concatenate(columns["seconds"]) if n_bursts else np.zeros(0, dtype=np.int64),
        amount=np.concatenate(columns["amount"]) if n_bursts else np.zeros(0),
        is_chinese=customers.prefers_chinese[customer], label=np.ones(customer.size, dtype=np.int64),
        new_device=sign_matrix[:, 0], country_mismatch=sign_matrix[:, 1],
    )


def concatenate(first: PaymentArrays, second: PaymentArrays) -> PaymentArrays:
    """Both sets of payments, in time order."""
    order = np.lexsort((np.r_[first.customer, second.customer], np.r_[first.seconds, second.seconds]))
    return PaymentArrays(**{
        name: np.concatenate([getattr(first, name), getattr(second, name)])[order]
        for name in PaymentArrays.__dataclass_fields__
    })


def payment_features(*, payments: PaymentArrays, customers: Customers) -> list[dict[str, float | int]]:
    """Numeric features of every payment, as the risk models would compute them."""
    key = payments.customer * CUSTOMER_TIME_OFFSET + payments.seconds
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    count_24h = np.empty(key.size, dtype=np.int64)
    count_24h[by_key] = np.arange(key.size) - np.searchsorted(sorted_key, sorted_key - SECONDS_PER_DAY, side="left") + 1
    # The customer's mean order payment in the payment's currency (the typical one when none).
    group = 2 * payments.customer + payments.is_chinese
    has_order = payments.order >= 0
    n_groups = 2 * customers.segment.size
    spent = np.bincount(group[has_order], weights=payments.amount[has_order], minlength=n_groups)
    count = np.bincount(group[has_order], minlength=n_groups)
    typical = np.ones(2)
    for chinese in (False, True):
        in_currency = has_order & (payments.is_chinese == chinese)
        if in_currency.any():
            typical[int(chinese)] = float(np.mean(payments.amount[in_currency]))
    customer_mean = np.where(count > 0, spent / np.maximum(count, 1), typical[np.arange(n_groups) % 2])
    ratio = payments.amount / customer_mean[group]
    account_age = (payments.seconds - customers.created_seconds[payments.customer]) / SECONDS_PER_DAY
    return [
        {
            "hour": int(hour),
            "n_payments_24h": int(recent),
            "new_device": int(device),
            "country_mismatch": int(mismatch),
            "amount_vs_customer_mean": round(float(relative), 3),
            "account_age_days": round(float(max(age, 0.0)), 1),
        }
        for hour, recent, device, mismatch, relative, age in zip(
            hour_of(payments.seconds), count_24h, payments.new_device, payments.country_mismatch, ratio, account_age
        )
    ]


def generate_payments(
    *, orders: OrderFacts, customers: Customers, rng: np.random.Generator
) -> tuple[pd.DataFrame, float]:
    """Draw the payments frame.

    Args:
        orders: the orders.
        customers: the customers.
        rng: random generator of the payments stream.

    Returns:
        Payments in time order and the realised fraud rate.
    """
    n_orders = orders.ids.size
    n_fraud = round(TARGET_FRAUD_RATE * n_orders / (1.0 - TARGET_FRAUD_RATE))
    n_order_fraud = round(ORDER_FRAUD_SHARE * n_fraud)
    typical_amounts = np.array([
        float(np.median(orders.total[orders.is_chinese == chinese])) if (orders.is_chinese == chinese).any() else 50.0
        for chinese in (False, True)
    ])
    payments = concatenate(
        order_payments(orders=orders, n_fraud=n_order_fraud, rng=rng),
        card_test_bursts(
            n_bursts=max(1, round((n_fraud - n_order_fraud) / 5.5)), customers=customers,
            typical_amounts=typical_amounts, rng=rng,
        ),
    )
    order_ids = np.empty(payments.order.size, dtype=object)
    order_ids[payments.order >= 0] = orders.ids[payments.order[payments.order >= 0]]
    frame = build_frame(Table.PAYMENTS, {
        "payment_id": format_ids(prefix="pay", count=payments.order.size, width=6),
        "amount": payments.amount.astype(float),
        "timestamp": seconds_to_datetimes(payments.seconds),
        "customer_id": customers.ids[payments.customer],
        "order_id": order_ids,
        "currency": object_column(CURRENCY_BY_LANGUAGE["zh" if chinese else "en"] for chinese in payments.is_chinese),
        "features": object_column(payment_features(payments=payments, customers=customers)),
        "label": payments.label.astype(np.int64),
    })
    return frame, float(payments.label.mean()) if payments.label.size else 0.0
