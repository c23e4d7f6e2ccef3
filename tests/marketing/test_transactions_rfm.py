"""Purchase days, customer summaries and RFM segments with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from llm4retail.errors import DataValidationError
from llm4retail.marketing.rfm import Segment, quantile_scores, rfm_scores, segment_of
from llm4retail.marketing.transactions import customer_summary, holdout_counts, purchase_days

pytestmark = pytest.mark.unit


def _orders() -> pd.DataFrame:
    rows = [
        ("o1", "a", "2025-01-01T09:00", "delivered", 10.0, None),
        ("o2", "a", "2025-01-01T18:00", "delivered", 5.0, None),  # same day: one purchase day
        ("o3", "a", "2025-01-15T10:00", "shipped", None, [{"product_id": "p", "quantity": 2, "unit_price": 7.5}]),
        ("o4", "a", "2025-01-20T10:00", "cancelled", 99.0, None),  # not kept
        ("o5", "b", "2025-01-10T10:00", "paid", 40.0, None),
        ("o6", "a", "2025-02-10T10:00", "delivered", 20.0, None),  # after the period
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "created_at", "status", "total", "lines"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def test_purchase_days_and_summary_known_answer() -> None:
    days = purchase_days(_orders())
    assert len(days) == 4 and days.loc[0, "value"] == 15.0 and days.loc[1, "value"] == 15.0
    summary = customer_summary(days, end=pd.Timestamp("2025-01-31"))
    a = summary.loc["a"]
    assert a["frequency"] == 1 and a["recency"] == pytest.approx(2.0) and a["T"] == pytest.approx(30 / 7)
    assert a["monetary_value"] == 15.0 and a["total_value"] == 30.0
    assert summary.loc["b", "frequency"] == 0 and pd.isna(summary.loc["b", "monetary_value"])
    assert holdout_counts(days, start=pd.Timestamp("2025-01-31"), end=pd.Timestamp("2025-03-01")).to_dict() == {"a": 1.0}
    with pytest.raises(DataValidationError, match="no purchase"):
        customer_summary(days, end=pd.Timestamp("2024-01-01"))


def test_segments_follow_the_rfm_grid() -> None:
    assert segment_of(5, 5) is Segment.CHAMPIONS
    assert segment_of(4, 5) is Segment.LOYAL
    assert segment_of(5, 1) is Segment.NEW_CUSTOMERS
    assert segment_of(4, 1) is Segment.PROMISING
    assert segment_of(3, 3) is Segment.NEED_ATTENTION
    assert segment_of(3, 1) is Segment.ABOUT_TO_SLEEP
    assert segment_of(1, 5) is Segment.CANNOT_LOSE
    assert segment_of(2, 3) is Segment.AT_RISK
    assert segment_of(1, 1) is Segment.HIBERNATING
    assert quantile_scores(pd.Series([1, 1, 1, 1, 5, 6, 7, 8, 9, 10])).tolist() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]


def test_rfm_scores_rank_customers() -> None:
    rows = []
    for index in range(50):
        for day in range(index % 5 + 1):
            rows.append((f"o{index}-{day}", f"c{index}", pd.Timestamp("2025-01-01") + pd.Timedelta(days=index + day),
                         "delivered", 10.0 * (index % 7 + 1)))
    orders = pd.DataFrame(rows, columns=["order_id", "customer_id", "created_at", "status", "total"])
    end = pd.Timestamp("2025-03-31")
    scores = rfm_scores(customer_summary(purchase_days(orders), end=end), end=end)
    assert scores["r_score"].between(1, 5).all() and set(scores["segment"]) <= {s.value for s in Segment}
    recent, old = scores.loc["c49"], scores.loc["c0"]
    assert recent["r_score"] > old["r_score"] and recent["recency_days"] < old["recency_days"]
