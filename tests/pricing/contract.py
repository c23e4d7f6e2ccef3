"""Model-contract case of the pricing capability: shrunk elasticities on tiny sales with price changes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llm4retail.artifacts import Artifact
from llm4retail.forecast import Panel, panel_from_sales
from llm4retail.pricing import ShrunkElasticityModel
from tests.contract import ContractCase


def _panel() -> Panel:
    """Five products, 120 days, prices moving every 20 days, demand with elasticity -2."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2024-01-01", periods=120, freq="D")
    frames = []
    for index in range(5):
        price = 10.0 * rng.uniform(0.8, 1.2, size=6).repeat(20)
        quantity = rng.poisson((30.0 + 5 * index) * (price / 10.0) ** -2.0)
        frames.append(pd.DataFrame({"product_id": f"p{index}", "store_id": "s1", "date": dates,
                                    "price": price.round(2), "quantity": quantity}))
    return panel_from_sales(pd.concat(frames, ignore_index=True))


PANEL = _panel()
CATEGORIES = {f"p{index}": "Home > Bedding" if index < 3 else "Home > Bath" for index in range(5)}


def _predict(model: Artifact) -> dict[str, object]:
    table = model.table  # type: ignore[attr-defined]
    demand = [model.predict(index, np.array([8.0, 10.0, 12.0])) for index in range(5)]  # type: ignore[attr-defined]
    return {"elasticity": table.elasticity, "sd": table.elasticity_sd, "demand": np.vstack(demand),
            "rows": [table.row(index) for index in range(5)]}


CASES = [
    ContractCase(model_type="pricing.shrunk_elasticity",
                 fit=lambda: ShrunkElasticityModel().fit(PANEL, categories=CATEGORIES), predict=_predict),
]
