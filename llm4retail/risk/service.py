"""Payment risk over a store: train from its payments, keep the model in the data directory, score.

Example:
    >>> service = RiskService(store, data_dir=settings.data_dir, settings=get_risk_settings())
    >>> service.score({"amount": 99.0, "currency": "USD", "customer_id": "C00001"}).decision
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError
from llm4retail.risk.config import RiskSettings
from llm4retail.risk.model import META_FILE, RiskModel
from llm4retail.risk.rules import load_rules
from llm4retail.risk.schemas import PaymentRequest
from llm4retail.risk.scoring import RiskScore, RiskScorer
from llm4retail.risk.state import MemoryStateStore, RedisStateStore, StateStore

logger = logging.getLogger(__name__)
MODEL_DIRECTORY = Path("models") / "risk"


def state_store(settings: RiskSettings) -> StateStore:
    """Redis when `redis_url` is set (server mode), else in-process state."""
    if settings.redis_url:
        return RedisStateStore(settings.redis_url, prefix=settings.redis_prefix)
    return MemoryStateStore()


class RiskService:
    """Trains, keeps and serves the payment-risk model of one store.

    Args:
        store: the store whose `payments` table trains the model and seeds customer state.
        data_dir: the model is saved in `<data_dir>/models/risk`.
        settings: risk settings (state backend, threshold policy).
    """

    def __init__(self, store: Store, *, data_dir: Path, settings: RiskSettings) -> None:
        self.store = store
        self.directory = data_dir / MODEL_DIRECTORY
        self.settings = settings
        self._scorer: RiskScorer | None = None
        self._lock = threading.RLock()  # scorer() may call train(), which resets the scorer

    def store_payments(self) -> pd.DataFrame:
        """The store's payments table."""
        return self.store.read_frame(Table.PAYMENTS)

    def train(self, payments: pd.DataFrame | None = None) -> RiskModel:
        """Fits on `payments` (default: the store's), saves the model and resets the scorer.

        Raises:
            DataValidationError: there are no payments to learn from.
        """
        frame = self.store_payments() if payments is None else payments
        if frame.empty:
            raise DataValidationError(
                "no payments to train the risk model on: import a payments file (llm4retail data import) "
                "or pass --payments"
            )
        rules = load_rules(self.settings.rules_file) if self.settings.rules_file else None
        model = RiskModel(rules=rules, policy=self.settings.policy, target=self.settings.target).fit(frame)
        model.save(self.directory)
        with self._lock:
            self._scorer = None
        logger.info("risk model trained on %d payments, active detector %s", len(frame), model.active_.value)
        return model

    def model(self) -> RiskModel:
        """The saved model, trained from the store on first use."""
        if (self.directory / META_FILE).is_file():
            return RiskModel.load(self.directory)
        return self.train()

    def scorer(self) -> RiskScorer:
        """The real-time scorer; on first use customer state is seeded from the store's payments once."""
        with self._lock:
            if self._scorer is None:
                model = self.model()
                scorer = RiskScorer(model, state=state_store(self.settings), top_reasons=self.settings.top_reasons)
                if scorer.state.claim(f"replayed:{model.meta_['data_hash']}"):
                    replayed = scorer.replay(self.store_payments())
                    logger.info("risk state seeded for %d customers", replayed)
                self._scorer = scorer
            return self._scorer

    def score(self, payment: PaymentRequest | dict[str, Any], *, record: bool = True) -> RiskScore:
        """Scores one payment (see `RiskScorer.score`)."""
        return self.scorer().score(payment, record=record)
