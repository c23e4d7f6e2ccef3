"""Customer profile, segments and audience export over the demo store (models trained once for the module)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import as_staff

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", autouse=True)
def _trained(demo_client: TestClient) -> None:
    as_staff(demo_client)  # segments, audiences and every customer's profile are for staff
    demo_client.app.state.services.marketing.train()


def test_segments_and_profile(demo_client: TestClient) -> None:
    response = demo_client.get("/segments")
    assert response.status_code == 200
    body = response.json()
    segments = {row["segment"]: row for row in body["segments"]}
    assert sum(row["customers"] for row in body["segments"]) == 1000
    assert {"customers", "share", "expected_value", "mean_clv"} <= set(next(iter(segments.values())))
    buyer = demo_client.get("/segments/champions/audience")
    assert buyer.status_code == 200 and buyer.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(buyer.text), dtype={"customer_id": str})
    assert len(frame) == segments["champions"]["customers"] and (frame["segment"] == "champions").all()
    profile = demo_client.get(f"/customers/{frame.loc[0, 'customer_id']}/profile").json()
    assert profile["segment"] == "champions" and profile["clv"] > 0
    assert 0 <= profile["churn_probability"] <= 1 and 0 <= profile["purchase_probability"] <= 1
    assert profile["rfm"]["r_score"] == 5


def test_unknown_customer_and_segment(demo_client: TestClient) -> None:
    assert demo_client.get("/customers/nobody/profile").status_code == 404
    assert demo_client.get("/segments/whales/audience").status_code == 422
    assert demo_client.get("/segments/champions/audience?min_purchase_probability=2").status_code == 422
