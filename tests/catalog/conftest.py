"""A synthetic cable catalog with a known answer: brand, colour, connector and length stated in each title."""

from __future__ import annotations

import numpy as np
import pandas as pd

from llm4retail.catalog.values import AttributeSpec

BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne"]
COLOURS = ["Black", "White", "Blue", "Red"]
CONNECTORS = ["RJ-45", "USB-C", "HDMI", "DVI-D"]


def catalog(n: int, *, seed: int, brands: list[str] = BRANDS) -> tuple[list[str], pd.DataFrame]:
    """Cable titles: brand first, then a connector, a length in metres and a colour."""
    rng = np.random.default_rng(seed)
    texts, rows = [], []
    for _ in range(n):
        brand, colour, connector = rng.choice(brands), rng.choice(COLOURS), rng.choice(CONNECTORS)
        length = float(rng.choice([0.5, 1.0, 1.8, 3.0, 5.0]))
        texts.append(f"{brand} {connector} cable {length:g} m {colour} connector")
        rows.append({"brand": brand, "colour": colour, "connector": connector, "cable_length": length})
    return texts, pd.DataFrame(rows)


SPECS = [AttributeSpec("brand", False, 1), AttributeSpec("colour", False, 1), AttributeSpec("connector", False, 1),
         AttributeSpec("cable_length", True, 1)]
