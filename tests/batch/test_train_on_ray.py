"""Data-parallel SASRec on a real local Ray Train (2 CPU workers, gloo): the same steps as one process, hence
the same losses and quality; a cluster too small for the workers is a clear error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from llm4retail.errors import ConfigError
from llm4retail.eval.ranking import metrics_from_ranks, rank_of_targets
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.sasrec import SASRec

pytestmark = pytest.mark.integration

N_ITEMS = 40
# No dropout: then one process and two workers compute the same function, and only the order of float sums
# differs; with dropout each worker draws its own masks.
SMALL = {"hidden_size": 16, "n_layers": 1, "n_heads": 1, "max_length": 12, "dropout": 0.0, "learning_rate": 5e-3,
         "batch_size": 50, "threads": 1, "max_epochs": 6, "patience": 6, "seed": 3}  # fmt: skip


def noisy_histories(n_customers: int, *, seed: int) -> list[np.ndarray]:
    """Item i is followed by i + 1 (mod 40) 70% of the time, else by a random item; 4 to 14 items each."""
    rng = np.random.default_rng(seed)
    histories = []
    for _ in range(n_customers):
        items = [int(rng.integers(N_ITEMS))]
        for _ in range(int(rng.integers(3, 14))):
            items.append((items[-1] + 1) % N_ITEMS if rng.random() < 0.7 else int(rng.integers(N_ITEMS)))
        histories.append(np.array(items))
    return histories


@pytest.fixture(scope="module")
def data() -> tuple[Interactions, list[np.ndarray], np.ndarray, list[np.ndarray]]:
    """Training interactions (237 histories: the last batch is short), validation histories and targets, test."""
    histories = noisy_histories(237, seed=0)
    train = Interactions(np.arange(len(histories)), np.arange(N_ITEMS), [h[:-2] for h in histories])
    return train, [h[:-2] for h in histories], np.array([h[-2] for h in histories]), histories


def test_two_workers_take_the_steps_of_one_process(data, local_ray: None) -> None:  # noqa: ANN001
    train, valid_histories, valid_targets, histories = data
    alone = SASRec(**SMALL).fit(train, valid_histories=valid_histories, valid_targets=valid_targets)
    shared = SASRec(**SMALL, workers=2, ray="auto").fit(train, valid_histories=valid_histories,
                                                         valid_targets=valid_targets)  # fmt: skip
    assert shared.training_["workers"] == 2 and "workers" not in alone.training_
    assert len(shared.history_) == len(alone.history_) == SMALL["max_epochs"]
    # the loss of every epoch and the validation figure agree: the gradient of each step is the whole batch's
    # (checked against mistakes: without the all-reduce the first epoch's loss is off by 0.3%, and weighting
    # each part by its own position count instead of the batch's moves the validation NDCG by 0.007; a
    # constant factor on the gradient cannot be seen, Adam's steps do not depend on it)
    for one, two in zip(alone.history_, shared.history_, strict=True):
        assert two["loss"] == pytest.approx(one["loss"], rel=1e-3)
        assert two["valid_ndcg@10"] == pytest.approx(one["valid_ndcg@10"], abs=5e-3)
    assert shared.best_epoch_ == alone.best_epoch_
    assert alone.history_[-1]["loss"] < alone.history_[0]["loss"] - 0.3  # it did learn
    # and the trained models rank the next items alike
    targets = np.array([h[-1] for h in histories])
    ranks = {name: rank_of_targets(model.score([h[:-1] for h in histories]), targets)
             for name, model in (("alone", alone), ("shared", shared))}  # fmt: skip
    ndcg = {name: metrics_from_ranks(value, cutoffs=(10,))["ndcg@10"] for name, value in ranks.items()}
    assert ndcg["shared"] == pytest.approx(ndcg["alone"], abs=5e-3)
    assert ndcg["alone"] > 0.4


def test_with_dropout_the_quality_is_the_same(data, local_ray: None) -> None:  # noqa: ANN001
    """Dropout masks differ between one process and two workers: the figures agree within noise."""
    train, valid_histories, valid_targets, _ = data
    params = {**SMALL, "dropout": 0.2, "max_epochs": 8, "patience": 8}
    alone = SASRec(**params).fit(train, valid_histories=valid_histories, valid_targets=valid_targets)
    shared = SASRec(**params, workers=2, ray="auto").fit(train, valid_histories=valid_histories,
                                                          valid_targets=valid_targets)  # fmt: skip
    best = {name: max(record["valid_ndcg@10"] for record in model.history_)
            for name, model in (("alone", alone), ("shared", shared))}  # fmt: skip
    assert best["shared"] == pytest.approx(best["alone"], abs=0.03)


def test_more_workers_than_the_cluster_has_cpus_is_a_clear_error(data, local_ray: None) -> None:  # noqa: ANN001
    train, valid_histories, valid_targets, _ = data
    with pytest.raises(ConfigError, match="needs 3 workers of at least one CPU each; the Ray cluster has 2 CPUs"):
        SASRec(**SMALL, workers=3, ray="auto").fit(train, valid_histories=valid_histories, valid_targets=valid_targets)


def test_recommend_eval_trains_sasrec_on_ray_train_workers(tmp_path, data, local_ray: None) -> None:  # noqa: ANN001
    """`recommend eval --sasrec-workers 2`: SASRec trained data-parallel beside the other candidates' tasks."""
    from typer.testing import CliRunner

    from llm4retail.cli import app

    histories = data[3]
    rows = [(f"c{customer}", f"p{item}", position) for customer, history in enumerate(histories)
            for position, item in enumerate(history)]  # fmt: skip
    events = tmp_path / "events.csv"
    events.write_text("customer_id,product_id,seq\n" + "".join(f"{c},{p},{s}\n" for c, p, s in rows))
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "recommend", "eval", "--events",
                                      str(events), "--models", "popularity,sasrec", "--ray", "auto",
                                      "--sasrec-workers", "2", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["training"]["sasrec"]["workers"] == 2
    assert report["best"] == "sasrec" and report["models"]["sasrec"]["ndcg@10"] > report["models"]["popularity"]["ndcg@10"]
