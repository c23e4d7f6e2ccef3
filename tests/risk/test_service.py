"""The risk service: nothing served before `train()`, versions in the model store, settings from `Settings.risk`."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import NotFoundError, NotTrainedError
from llm4retail.risk.model import MIN_FRAUDS, RiskModel
from llm4retail.risk.service import RiskService
from llm4retail.risk.thresholds import ThresholdPolicy
from tests.risk.conftest import labelled_payments

pytestmark = pytest.mark.unit
PAYMENT = {"amount": 40.0, "currency": "EUR", "customer_id": "c1", "features": {"signal": 6.0, "noise": 0.0}}


@pytest.fixture
def services(tmp_path: Path) -> Services:
    settings = get_settings(data_dir=tmp_path / "data")
    services = Services(settings)
    services.store.create_schema()
    return services


def test_serving_waits_for_train_then_serves_the_latest_version(services: Services) -> None:
    service = services.risk
    assert isinstance(service, RiskService) and service.needs_training()
    with pytest.raises(NotTrainedError, match="llm4retail risk train"):
        service.score(PAYMENT)
    with pytest.raises(NotTrainedError, match="llm4retail risk train"):
        service.model()
    assert service.status().state == "not_trained"
    report = service.train(labelled_payments(600))
    assert report["version"] == "v0001" and report["active"] == "supervised"
    assert {**service.models.report(), "version": "v0001"} == report
    saved = service.models.versions()[0]
    assert saved.model_type == "risk.model" and saved.data_hash == report["data_hash"]
    assert "validation_pr_auc" in saved.metrics
    assert service.score(PAYMENT).decision.value in {"review", "decline"}
    fresh = RiskService(services.settings, services.store)  # another process: loads LATEST
    anonymous = {key: value for key, value in PAYMENT.items() if key != "customer_id"}
    assert fresh.score(anonymous).score == service.score(anonymous).score
    assert service.train(labelled_payments(600, seed=3))["version"] == "v0002"
    assert service.status().version == "v0002"


def test_train_on_start_uses_the_store_payments(services: Services) -> None:
    services.store.upsert(Table.PAYMENTS, labelled_payments(300).drop(columns=["label"]))
    report = services.risk.run_training(on_start=True)
    assert report is not None and report["active"] == "unsupervised" and report["n_payments"] == 300


def test_risk_settings_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_RISK__POLICY", "cost_ratio")
    monkeypatch.setenv("LLM4RETAIL_RISK__TARGET", "20")
    monkeypatch.setenv("LLM4RETAIL_RISK__TOP_REASONS", "5")
    settings = get_settings(data_dir=tmp_path / "data")
    assert settings.risk.policy == "cost_ratio" and settings.risk.target == 20.0 and settings.risk.top_reasons == 5
    services = Services(settings)
    services.store.create_schema()
    services.risk.train(labelled_payments(600))
    model = services.risk.model()
    assert isinstance(model, RiskModel) and model.thresholds_.policy is ThresholdPolicy.COST_RATIO
    assert model.thresholds_.target == 20.0 and services.risk.scorer().top_reasons == 5


def test_risk_settings_come_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "llm4retail.toml"
    config.write_text('[risk]\npolicy = "cost_ratio"\ntarget = 5.0\ntop_reasons = 4\n', encoding="utf-8")
    settings = get_settings(config_file=config, data_dir=tmp_path / "data")
    service = RiskService(settings, Services(settings).store)
    assert service.settings.risk.policy == "cost_ratio" and service.settings.risk.top_reasons == 4


def test_partly_labelled_payments_still_train_the_supervised_detector(services: Services) -> None:
    payments = labelled_payments(800)
    payments["label"] = payments["label"].astype(float)
    payments.loc[payments.index[-200:], "label"] = float("nan")  # the latest ones: no chargeback known yet
    report = services.risk.train(payments)
    assert report["active"] == "supervised"
    model = services.risk.model()
    assert model.training_["n_labelled"] == 600 and model.training_["n_payments"] == 800


def test_review_queue_ranks_flagged_payments_and_labels_train_the_next_model(services: Services) -> None:
    payments = labelled_payments(600)
    truth = payments.set_index("payment_id")["label"]
    payments["label"] = float("nan")  # nobody has reviewed anything yet: the unsupervised detector serves
    services.store.upsert(Table.PAYMENTS, payments)
    services.risk.train()
    queue = services.risk.review_queue(limit=30)
    assert 0 < len(queue) <= 30
    scores = [item.score for item in queue]
    assert scores == sorted(scores, reverse=True)
    assert {item.decision for item in queue} <= {"review", "decline"}
    assert all(item.reasons and item.label is None for item in queue)
    assert sum(truth[item.payment_id] for item in queue) / len(queue) > 3 * truth.mean()  # flags find fraud
    # a reviewer labels the queue with the truth; the labels are stored on the payments
    for item in services.risk.review_queue(limit=500):
        services.risk.label(item.payment_id, fraud=bool(truth[item.payment_id]))
    assert services.risk.review_queue(limit=500, unlabelled_only=True) == []
    for payment_id in payments["payment_id"].sample(60, random_state=1):  # and a sample of the rest, as teams do
        services.risk.label(payment_id, fraud=bool(truth[payment_id]))
    labelled = services.store.read_frame(Table.PAYMENTS).dropna(subset=["label"])
    assert len(labelled) > 0 and set(labelled["label"].astype(int)) <= {0, 1}
    assert (labelled.set_index("payment_id")["label"].astype(int) == truth[labelled["payment_id"]]).all()
    with pytest.raises(NotFoundError):
        services.risk.label("no-such-payment", fraud=True)
    report = services.risk.train()  # the next training learns from the reviewed payments
    assert services.risk.model().training_["n_labelled"] == len(labelled)
    frauds = int(labelled["label"].sum())
    assert frauds >= MIN_FRAUDS and len(labelled) - frauds >= MIN_FRAUDS, "the queue should hold both kinds"
    assert report["active"] == "supervised"
