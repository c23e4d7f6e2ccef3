"""Replenishment settings and the interface every ordering policy implements.

Periodic review: every `review_period` days a policy looks at the inventory
position (on hand plus on order) and orders; an order arrives `lead_time` days
later. Demand that finds no stock is lost (a shop's shopper buys elsewhere).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from llm4retail.errors import ConfigError


@dataclass(frozen=True)
class InventorySettings:
    """What the advice depends on.

    Attributes:
        lead_time: days from order to arrival (>= 1).
        review_period: days between orders (>= 1).
        service_level: probability that stock covers demand until the next order arrives
            (cycle service level); None = the cost-optimal critical ratio.
        holding_cost: cost of keeping one unit one day.
        stockout_cost: cost of one unit of lost demand.
    """

    lead_time: int = 3
    review_period: int = 7
    service_level: float | None = 0.95
    holding_cost: float = 0.01
    stockout_cost: float = 1.0

    def __post_init__(self) -> None:
        if self.lead_time < 1 or self.review_period < 1:
            raise ConfigError(
                f"lead_time and review_period must be at least 1 day, got {self.lead_time} and {self.review_period}"
            )
        if self.service_level is not None and not 0.5 <= self.service_level < 1:
            raise ConfigError(f"service_level must be in [0.5, 1), got {self.service_level}")
        if self.holding_cost <= 0 or self.stockout_cost <= 0:
            raise ConfigError(
                f"holding_cost and stockout_cost must be positive, got {self.holding_cost} and {self.stockout_cost}"
            )

    @property
    def protection_days(self) -> int:
        """Days one order must cover: lead time plus review period."""
        return self.lead_time + self.review_period

    @property
    def target_service_level(self) -> float:
        """The given service level, or the newsvendor critical ratio p / (p + h R), kept within [0.5, 0.999]."""
        if self.service_level is not None:
            return self.service_level
        ratio = self.stockout_cost / (self.stockout_cost + self.holding_cost * self.review_period)
        return float(min(max(ratio, 0.5), 0.999))


@dataclass
class ReviewState:
    """What a policy sees at a review.

    Attributes:
        day: days since the start of the replay.
        inventory_position: on hand plus on order, per series.
        sold_last_period: units sold over the last review period, per series.
    """

    day: int
    inventory_position: np.ndarray
    sold_last_period: np.ndarray


class InventoryPolicy(ABC):
    """Decides order quantities at each review, for every series at once."""

    name: ClassVar[str]

    @abstractmethod
    def order(self, state: ReviewState) -> np.ndarray:
        """Non-negative order quantities per series."""
