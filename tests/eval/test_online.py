"""Online evaluation from impressions, clicks and cart events: rates per surface, model and day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.data.impressions import ImpressionLog, Surface, cart_events
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.eval.online import online_metrics, wilson_interval

pytestmark = pytest.mark.unit


def test_wilson_interval_brackets_the_rate_and_narrows_with_trials() -> None:
    low, high = wilson_interval(5, 20)
    assert low < 0.25 < high
    wide, narrow = high - low, (lambda bounds: bounds[1] - bounds[0])(wilson_interval(500, 2000))
    assert narrow < wide / 5
    assert wilson_interval(0, 0) == (0.0, 1.0) and wilson_interval(0, 10)[0] == 0.0


def test_rates_per_surface_model_and_day(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    store.create_schema()
    log = ImpressionLog(store)
    ids = [log.record(surface=Surface.SEARCH, model="search/v0001", product_ids=["a", "b", "c"], session_id=f"s{i}",
                      customer_id="c1" if i < 2 else None, query="sofa") for i in range(4)]  # fmt: skip
    other = log.record(surface=Surface.SIMILAR, model="recommend/v0002", product_ids=["d"], session_id="s9")
    assert log.record(surface=Surface.SEARCH, model="search/v0001", product_ids=[], session_id="s1") is None
    assert log.click(ids[0], product_id="b", position=2)
    assert log.click(ids[0], product_id="c", position=3)
    assert log.click(ids[3], product_id="a", position=1)
    assert not log.click(ids[1], product_id="a", position=2)  # not what was shown there: not recorded
    assert not log.click("no-such-impression", product_id="a", position=1)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    store.upsert(Table.EVENTS, pd.DataFrame({
        "event_id": ["e1", "e2", "e3"], "customer_id": ["c1", "c1", "c2"], "product_id": ["c", "z", "a"],
        "timestamp": [now + dt.timedelta(minutes=5), now, now], "event_type": ["add_to_cart", "add_to_cart", "purchase"],
    }))  # fmt: skip
    shown, clicks = log.frames()
    rows = online_metrics(shown, clicks, events=cart_events(store))
    by_surface = {row["surface"]: row for row in rows}
    search = by_surface["search"]
    assert (search["impressions"], search["clicked"], search["clicks"]) == (4, 2, 3)
    assert search["ctr"] == 0.5 and search["ctr_low"] < 0.5 < search["ctr_high"]
    assert search["clicks_per_impression"] == 0.75
    # c1 saw "c" twice and carted it 5 minutes later; "z" was never shown; c2 saw nothing signed in
    assert (search["signed_in"], search["carted"], search["add_to_cart_rate"]) == (2, 2, 1.0)
    assert by_surface["similar"]["model"] == "recommend/v0002" and by_surface["similar"]["add_to_cart_rate"] is None
    assert other and rows[0]["day"] == now.strftime("%Y-%m-%d")
    later, _ = log.frames(since=now + dt.timedelta(hours=1))
    assert later.empty and online_metrics(later, clicks) == []
    late = online_metrics(shown, clicks, events=cart_events(store), window=dt.timedelta(minutes=1))
    assert {row["surface"]: row for row in late}["search"]["carted"] == 0  # the cart came after the window
