"""Payment risk over a store: train from its payments into the model store, then score.

Training is explicit (`llm4retail risk train`, or `serve` at start-up when no version is
saved); scoring loads the `LATEST` version once and never trains: without a saved model it
raises `NotTrainedError` naming the train command.

Example:
    >>> service = Services(get_settings(data_dir="store")).risk
    >>> service.train()["active"]
    'supervised'
    >>> service.score({"amount": 99.0, "currency": "USD", "customer_id": "C00001"}).decision
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from llm4retail.artifacts import data_fingerprint
from llm4retail.capability import CapabilityService
from llm4retail.config import RiskSettings, Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport
from llm4retail.risk.base import DetectorKind
from llm4retail.risk.batch import ReviewItem, review_queue
from llm4retail.risk.evaluate import evaluate_risk
from llm4retail.risk.model import RiskModel
from llm4retail.risk.rules import load_rules
from llm4retail.risk.schemas import PaymentRequest
from llm4retail.risk.scoring import RiskScore, RiskScorer
from llm4retail.risk.state import MemoryStateStore, RedisStateStore, StateStore
from llm4retail.risk.thresholds import ThresholdPolicy

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)


def state_store(settings: RiskSettings) -> StateStore:
    """Redis when `redis_url` is set (server mode), else in-process state."""
    if settings.redis_url:
        return RedisStateStore(settings.redis_url, prefix=settings.redis_prefix)
    return MemoryStateStore()


class RiskService(CapabilityService):
    """Trains, versions and serves the payment-risk model of one store.

    Args:
        settings: the one `Settings`; `settings.risk` holds the state backend, threshold
            policy, reason count and rules file (`LLM4RETAIL_RISK__*`, `[risk]` in the TOML file).
        store: the store whose `payments` table trains the model and seeds customer state.
        services: the container (unused; the shared constructor).
    """

    capability = "risk"
    train_command = "llm4retail risk train"

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None) -> None:
        super().__init__(settings, store, services=services)
        self._model: RiskModel | None = None
        self._scorer: RiskScorer | None = None
        self._queue: tuple[tuple[Any, ...], list[ReviewItem]] | None = None  # the last review queue and its key

    def store_payments(self) -> pd.DataFrame:
        """The store's payments table."""
        return self.store.read_frame(Table.PAYMENTS)

    def train(self, payments: pd.DataFrame | None = None, *, rules_file: Path | None = None) -> dict[str, Any]:
        """Fits on `payments` (default: the store's), saves a new version and serves it from now on.

        Args:
            payments: payments to learn from (default: the store's `payments` table).
            rules_file: JSON list of rules (default: `settings.risk.rules_file`, else the default rules).

        Returns:
            The report (`RiskModel.summary()` plus the saved `version`).

        Raises:
            DataValidationError: there are no payments to learn from.
            ConfigError: the rules file is missing or malformed.
        """
        frame = self.store_payments() if payments is None else payments
        if frame.empty:
            raise DataValidationError(
                "no payments to train the risk model on: import a payments file (llm4retail data import) "
                "or pass --payments"
            )
        risk = self.settings.risk
        rules_path = rules_file or risk.rules_file
        rules = load_rules(rules_path) if rules_path else None
        model = RiskModel(rules=rules, policy=ThresholdPolicy(risk.policy), target=risk.target).fit(frame)
        report = model.summary()
        supervised = model.detectors_.get(DetectorKind.SUPERVISED)
        pr_auc = None if supervised is None else supervised.selection_["validation_pr_auc"]  # type: ignore[attr-defined]
        metrics = {} if pr_auc is None else {"validation_pr_auc": pr_auc}
        report["version"] = self.models.save(model, report=report, data_hash=report["data_hash"], metrics=metrics)
        with self.lock:
            self._model, self._scorer = model, None
        logger.info("risk model %s trained on %d payments, active detector %s", report["version"], len(frame),
                    model.active_.value)
        return report

    def evaluate(self, payments: pd.DataFrame | None = None, *, dataset: str = "store") -> EvalReport:
        """`llm4retail risk eval` on `payments` (default: the store's labelled payments); saves nothing."""
        frame = self.store_payments() if payments is None else payments
        return evaluate_risk(frame, dataset=dataset)

    def warm_up(self) -> None:
        """Loads the LATEST model now rather than on the first request (never trains)."""
        self.model()

    def model(self) -> RiskModel:
        """The served model: the `LATEST` version, loaded once.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail risk train`).
        """
        with self.lock:
            if self._model is None:
                self._model = self.models.load(expected=RiskModel)
            return self._model

    def scorer(self) -> RiskScorer:
        """The real-time scorer; on first use customer state is seeded from the store's payments once.

        Raises:
            NotTrainedError: no version is saved (run `llm4retail risk train`).
        """
        with self.lock:
            if self._scorer is None:
                model = self.model()
                risk = self.settings.risk
                scorer = RiskScorer(model, state=state_store(risk), top_reasons=risk.top_reasons)
                # One replay per training data, even with several workers sharing a Redis state.
                if scorer.state.claim(f"replayed:{model.training_['data_hash']}"):
                    replayed = scorer.replay(self.store_payments())
                    logger.info("risk state seeded for %d customers", replayed)
                self._scorer = scorer
            return self._scorer

    def review_queue(self, *, limit: int = 50, unlabelled_only: bool = False) -> list[ReviewItem]:
        """The store's payments the served model sends to review or decline, highest score first, with reason
        codes and their label so far (`risk.batch.review_queue`).

        Scoring every payment takes a moment, so the queue is kept for the same model and payments (a new
        payment, a label or a new version computes it again).

        Raises:
            NotTrainedError: no version is saved (run `llm4retail risk train`).
        """
        model, payments = self.model(), self.store_payments()
        watched = payments.reindex(columns=["payment_id", "timestamp", "amount", "label"]).astype(str)
        key = (model, data_fingerprint(watched), limit, unlabelled_only)  # the model itself: compared by identity
        with self.lock:
            if self._queue is not None and self._queue[0] == key:
                return list(self._queue[1])
        items = review_queue(model, payments, limit=limit, unlabelled_only=unlabelled_only,
                             top_reasons=self.settings.risk.top_reasons)  # fmt: skip
        with self.lock:
            self._queue = (key, items)
        return list(items)

    def label(self, payment_id: str, *, fraud: bool) -> dict[str, Any]:
        """Records a person's verdict on a payment as its `label` (1 fraud, 0 legitimate), which the next
        `llm4retail risk train` learns from; the payment record as stored.

        Raises:
            NotFoundError: no payment has this id.
        """
        record = self.store.update(Table.PAYMENTS, [payment_id], {"label": 1 if fraud else 0})
        logger.info("payment %s labelled %s", payment_id, "fraud" if fraud else "legitimate")
        return record

    def score(self, payment: PaymentRequest | dict[str, Any], *, record: bool = True) -> RiskScore:
        """Scores one payment (see `RiskScorer.score`).

        Raises:
            NotTrainedError: no version is saved (run `llm4retail risk train`).
            DataValidationError: the payment is invalid.
        """
        return self.scorer().score(payment, record=record)
