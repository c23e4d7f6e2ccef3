"""SASRec: a known next-item answer on cyclic histories, early stopping, a budget in epochs that a busy machine
does not change, the reported time safety stop, persistence, errors."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from llm4retail.errors import DataValidationError, NotFittedError, NotTrainedError
from llm4retail.eval.ranking import metrics_from_ranks, rank_of_targets
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.sasrec import SASRec

pytestmark = pytest.mark.unit

N_ITEMS = 30
TINY = {
    "hidden_size": 16, "n_layers": 1, "n_heads": 1, "dropout": 0.1,
    "learning_rate": 1e-2, "batch_size": 64, "threads": 1,
}  # fmt: skip


def cyclic_histories(n_customers: int = 300, *, seed: int = 0) -> list[np.ndarray]:
    """Item i is always followed by item (i + 1) % 30; random start, 5 to 12 items."""
    rng = np.random.default_rng(seed)
    return [(rng.integers(N_ITEMS) + np.arange(rng.integers(5, 13))) % N_ITEMS for _ in range(n_customers)]


@pytest.fixture(scope="module")
def histories() -> list[np.ndarray]:
    return cyclic_histories()


@pytest.fixture(scope="module")
def train(histories: list[np.ndarray]) -> Interactions:
    """Every history without its last item, which is the next-item answer."""
    return Interactions(np.arange(len(histories)), np.arange(N_ITEMS), [h[:-1] for h in histories])


@pytest.fixture(scope="module")
def fitted(train: Interactions) -> SASRec:
    return SASRec(**TINY, max_epochs=15).fit(train)


def hit_rate_at_1(model: SASRec, histories: list[np.ndarray]) -> float:
    scores = model.score([h[:-1] for h in histories])
    ranks = rank_of_targets(scores, np.array([h[-1] for h in histories]))
    return metrics_from_ranks(ranks, cutoffs=(1,))["hr@1"]


def test_learns_the_cycle(fitted: SASRec, histories: list[np.ndarray]) -> None:
    assert hit_rate_at_1(fitted, histories) >= 0.9
    assert hit_rate_at_1(fitted, cyclic_histories(100, seed=1)) >= 0.9  # unseen customers


def test_sampled_softmax_learns_the_cycle(train: Interactions, histories: list[np.ndarray]) -> None:
    """Against a fifth of the items per step (the ablation option of issue 19), the cycle is still learnt
    (in more epochs than with the full softmax: sampled negatives teach less per step)."""
    model = SASRec(**TINY, max_epochs=25, negatives=max(1, N_ITEMS // 5)).fit(train)
    assert model.params["negatives"] == N_ITEMS // 5
    assert hit_rate_at_1(model, histories) >= 0.9


def test_scores_are_float32_one_row_per_history(fitted: SASRec, histories: list[np.ndarray]) -> None:
    scores = fitted.score(histories[:7])
    assert scores.shape == (7, N_ITEMS)
    assert scores.dtype == np.float32


def test_score_of_a_history_does_not_depend_on_its_batch(fitted: SASRec) -> None:
    short, long = np.array([3, 4]), np.arange(40) % N_ITEMS
    alone = fitted.score([short])
    together = fitted.score([long, short, np.array([], dtype=np.int64)])
    np.testing.assert_allclose(together[1], alone[0], rtol=1e-5, atol=1e-5)


def test_empty_history_is_scored(fitted: SASRec) -> None:
    scores = fitted.score([np.array([], dtype=np.int64)])
    assert scores.shape == (1, N_ITEMS)
    assert np.isfinite(scores).all()


def test_without_validation_trains_every_epoch(fitted: SASRec) -> None:
    assert len(fitted.history_) == 15
    assert fitted.best_epoch_ == 15
    assert fitted.history_[-1]["loss"] < fitted.history_[0]["loss"]


def test_fit_leaves_the_torch_thread_setting_alone(train: Interactions) -> None:
    before = torch.get_num_threads()
    SASRec(**TINY, max_epochs=1).fit(train)
    assert torch.get_num_threads() == before


def test_early_stopping_restores_the_best_epoch(train: Interactions, histories: list[np.ndarray]) -> None:
    valid_histories = [h[:-1] for h in histories[:100]]
    valid_targets = np.array([h[-1] for h in histories[:100]])
    model = SASRec(**TINY, max_epochs=60, patience=2).fit(
        train, valid_histories=valid_histories, valid_targets=valid_targets
    )
    epochs = len(model.history_)
    assert 1 <= model.best_epoch_ <= epochs < 60  # a perfect NDCG cannot improve, so patience ends it
    assert epochs == model.best_epoch_ + 2
    best = model.history_[model.best_epoch_ - 1]["valid_ndcg@10"]
    assert best == max(record["valid_ndcg@10"] for record in model.history_)
    ranks = rank_of_targets(model.score(valid_histories), valid_targets, exclude=valid_histories)
    assert metrics_from_ranks(ranks, cutoffs=(10,))["ndcg@10"] == pytest.approx(best, abs=1e-9)


def test_time_limit_is_a_reported_safety_stop(train: Interactions) -> None:
    model = SASRec(**TINY, max_epochs=50, max_seconds=1e-3).fit(train)
    assert len(model.history_) == 1
    assert model.best_epoch_ == 1
    assert model.training_["stopped"] == "time" and model.training_["epochs"] == 1


def _burn(stop: Any) -> None:
    while not stop.is_set():
        sum(i * i for i in range(10_000))


def test_the_budget_is_work_so_a_busy_machine_gives_the_same_model(train: Interactions) -> None:
    """Same seed, same epochs: identical losses and scores, the second fit beside two CPU-bound processes."""
    two_threads = {**TINY, "threads": 2}  # the default: intra-op threads split sums, yet in a fixed way
    quiet = SASRec(**two_threads, max_epochs=4).fit(train)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    burners = [context.Process(target=_burn, args=(stop,), daemon=True) for _ in range(2)]
    for burner in burners:
        burner.start()
    try:
        busy = SASRec(**two_threads, max_epochs=4).fit(train)
    finally:
        stop.set()
        for burner in burners:
            burner.join(timeout=10)
    assert quiet.training_["stopped"] == busy.training_["stopped"] == "epochs"
    assert [r["loss"] for r in quiet.history_] == [r["loss"] for r in busy.history_]
    inputs = [history[:-1] for history in train.histories[:40]]
    np.testing.assert_array_equal(quiet.score(inputs), busy.score(inputs))


def test_save_and_load_give_identical_scores(fitted: SASRec, histories: list[np.ndarray], tmp_path: Path) -> None:
    fitted.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    assert meta["type"] == "recommend.sasrec" and meta["params"]["hidden_size"] == 16
    assert json.loads((tmp_path / "state.json").read_text(encoding="utf-8"))["n_items"] == N_ITEMS
    assert not list(tmp_path.glob("*.pt"))  # weights are plain arrays, no torch pickle
    loaded = SASRec.load(tmp_path)
    assert loaded.params == fitted.params and loaded.best_epoch_ == fitted.best_epoch_
    inputs = [h[:-1] for h in histories[:50]] + [np.array([], dtype=np.int64)]
    np.testing.assert_array_equal(loaded.score(inputs), fitted.score(inputs))


def test_load_without_a_saved_model_raises(tmp_path: Path) -> None:
    with pytest.raises(NotTrainedError, match="no saved model.*llm4retail recommend train"):
        SASRec.load(tmp_path)


def test_score_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match="sasrec is not fitted"):
        SASRec().score([np.array([1, 2])])


def test_unknown_item_index_raises(fitted: SASRec) -> None:
    with pytest.raises(DataValidationError, match="vocabulary has 30 items"):
        fitted.score([np.array([1, N_ITEMS])])


def test_validation_needs_histories_and_targets(train: Interactions) -> None:
    with pytest.raises(DataValidationError, match="both valid_histories and valid_targets"):
        SASRec(**TINY).fit(train, valid_histories=[np.array([1])])


def test_histories_too_short_to_train_raise() -> None:
    interactions = Interactions(np.arange(2), np.arange(5), [np.array([1]), np.array([], dtype=np.int64)])
    with pytest.raises(DataValidationError, match="two or more items"):
        SASRec(**TINY).fit(interactions)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"hidden_size": 0}, "hidden_size must be a positive integer"),
        ({"max_length": 2.5}, "max_length must be a positive integer"),
        ({"hidden_size": 64, "n_heads": 3}, "must be a multiple of n_heads"),
        ({"dropout": 1.0}, r"dropout must lie in \[0, 1\)"),
        ({"learning_rate": 0.0}, "learning_rate > 0"),
        ({"weight_decay": -0.1}, "weight_decay >= 0"),
        ({"max_seconds": 0.0}, "max_seconds > 0"),
        ({"patience": 0}, "patience must be a positive integer"),
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"negatives": 0}, "negatives must be None or a positive integer"),
    ],
)
def test_invalid_hyperparameters_raise(params: dict[str, float], message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        SASRec(**params)  # type: ignore[arg-type]
