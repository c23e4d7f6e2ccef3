"""Inventory advice from the demand forecast (safety stock, reorder point, order quantity) and its replay."""

from llm4retail.inventory.advice import Advice, advise
from llm4retail.inventory.base import InventoryPolicy, InventorySettings, ReviewState
from llm4retail.inventory.policies import ForecastPolicy, NaivePolicy, safety_stock
from llm4retail.inventory.simulate import PolicyOutcome, replay, simulate_inventory

__all__ = [
    "Advice",
    "ForecastPolicy",
    "InventoryPolicy",
    "InventorySettings",
    "NaivePolicy",
    "PolicyOutcome",
    "ReviewState",
    "advise",
    "replay",
    "safety_stock",
    "simulate_inventory",
]
