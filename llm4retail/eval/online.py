"""Online evaluation: how shoppers respond to what each model version showed them, from live traffic.

From the storefront's impressions and clicks (`llm4retail.data.impressions`) and the store's events:
per surface (search, similar, bought together, for you), model version and day,

- `ctr`: the share of impressions with at least one click, with its 90% Wilson interval;
- `clicks_per_impression`;
- `add_to_cart_rate`: among impressions shown to a signed-in shopper, the share followed within
  `window` by that shopper's `add_to_cart` or `purchase` event for a product of the list.

Example:
    >>> rows = online_metrics(*ImpressionLog(store).frames(), events=store.read_frame(Table.EVENTS))
    >>> rows[0]["model"], rows[0]["ctr"]
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from llm4retail.data.impressions import CART_EVENTS

Z_90 = 1.6448536269514722  # two-sided 90%


def online_metrics(
    impressions: pd.DataFrame, clicks: pd.DataFrame, *, events: pd.DataFrame | None = None,
    window: dt.timedelta = dt.timedelta(hours=24),
) -> list[dict[str, Any]]:  # fmt: skip
    """One row per surface, model and day (oldest first): `impressions`, `clicked`, `clicks`, `ctr`, `ctr_low`,
    `ctr_high`, `clicks_per_impression`, `signed_in`, `carted`, `add_to_cart_rate` (None without signed-in
    impressions)."""
    if impressions.empty:
        return []
    shown = impressions.copy()
    shown["day"] = pd.to_datetime(shown["shown_at"]).dt.strftime("%Y-%m-%d")
    click_counts = clicks.groupby("impression_id").size() if not clicks.empty else pd.Series(dtype="int64")
    shown["clicks"] = shown["impression_id"].map(click_counts).fillna(0).astype(int)
    shown["carted"] = shown["impression_id"].isin(_carted(shown, events, window))
    shown["signed_in"] = shown["customer_id"].notna()
    rows = []
    for (surface, model, day), group in shown.groupby(["surface", "model", "day"], sort=True):
        n, clicked = len(group), int((group["clicks"] > 0).sum())
        low, high = wilson_interval(clicked, n)
        signed_in = int(group["signed_in"].sum())
        carted = int((group["carted"] & group["signed_in"]).sum())
        rows.append({
            "surface": surface, "model": model, "day": day, "impressions": n, "clicked": clicked,
            "clicks": int(group["clicks"].sum()), "ctr": clicked / n, "ctr_low": low, "ctr_high": high,
            "clicks_per_impression": float(group["clicks"].mean()), "signed_in": signed_in, "carted": carted,
            "add_to_cart_rate": carted / signed_in if signed_in else None,
        })  # fmt: skip
    return rows


def wilson_interval(successes: int, trials: int, *, z: float = Z_90) -> tuple[float, float]:
    """The Wilson score interval of a proportion (90% by default); (0, 1) without trials."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def _carted(shown: pd.DataFrame, events: pd.DataFrame | None, window: dt.timedelta) -> set[str]:
    """Ids of the impressions whose shopper added a shown product to the cart (or bought it) within `window`."""
    needed = {"customer_id", "product_id", "event_type", "timestamp"}
    if events is None or events.empty or not needed <= set(events.columns):
        return set()
    cart = events[events["event_type"].isin(CART_EVENTS) & events["timestamp"].notna()][list(needed)]
    signed_in = shown[shown["customer_id"].notna()][["impression_id", "customer_id", "product_ids", "shown_at"]]
    if cart.empty or signed_in.empty:
        return set()
    pairs = signed_in.explode("product_ids").rename(columns={"product_ids": "product_id"})
    joined = pairs.merge(cart, on=["customer_id", "product_id"])
    when = pd.to_datetime(joined["timestamp"])
    shown_at = pd.to_datetime(joined["shown_at"])
    within = (when >= shown_at) & (when <= shown_at + window)
    return set(joined.loc[within, "impression_id"])
