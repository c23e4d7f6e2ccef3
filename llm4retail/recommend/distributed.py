"""Data-parallel SASRec training on Ray Train (CPU workers, gloo).

Every worker holds the whole (small) model and the training windows, shuffles them with the
common seed and computes its consecutive part of each batch; the loss is the part's sum over
predicted positions divided by the whole batch's count, and one all-reduce per step adds up the
gradients. Each worker therefore takes, step by step, the step that one process takes on the
whole batch (only dropout masks and the order of float sums differ), so quality matches
single-process training while the forward and backward work is shared. Validation is shared the
same way (each worker ranks a part of the customers), and early stopping is decided on the summed
figures, identically on every worker. Rank 0's weights are handed back through a Ray Train
checkpoint.

Example:
    >>> model = SASRec(workers=2, ray="local").fit(interactions, valid_histories=h, valid_targets=t)
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import distributed, nn

from llm4retail.errors import ConfigError, MissingExtraError
from llm4retail.models.parallel import ray_session
from llm4retail.models.threads import torch_threads

if TYPE_CHECKING:
    from llm4retail.recommend.sasrec import SASRec

logger = logging.getLogger(__name__)
WEIGHTS_FILE = "sasrec.pt"


class GlooWorld:
    """One rank of the torch.distributed process group that Ray Train set up (see `sequences.World`)."""

    def __init__(self) -> None:
        self.rank = distributed.get_rank()
        self.size = distributed.get_world_size()

    def part(self, rows: torch.Tensor) -> torch.Tensor:
        return torch.tensor_split(rows, self.size)[self.rank]

    def sum(self, value: torch.Tensor) -> torch.Tensor:
        value = value.clone()
        distributed.all_reduce(value)
        return value

    def sum_gradients(self, network: nn.Module) -> None:
        """One all-reduce of every gradient, flattened into one buffer."""
        grads = [parameter.grad for parameter in network.parameters() if parameter.grad is not None]
        flat = torch.cat([grad.reshape(-1) for grad in grads])
        distributed.all_reduce(flat)
        offset = 0
        for grad in grads:
            grad.copy_(flat[offset : offset + grad.numel()].view_as(grad))
            offset += grad.numel()


def fit_data_parallel(
    model: SASRec,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    validation: tuple[list[np.ndarray], np.ndarray] | None,
    *,
    n_items: int,
    workers: int,
    ray: str,
    storage: str | None = None,
) -> tuple[Any, list[dict[str, float]], int, str]:
    """Trains `model`'s network on `workers` Ray Train workers; returns (network, history, best epoch, stopped).

    `storage` is where Ray Train keeps the checkpoint with the trained weights: a temporary directory by
    default, which suits one machine; on a cluster, a path every node can reach (shared disk, s3://…).

    Raises:
        MissingExtraError: Ray Train is not installed (`pip install 'llm4retail[ray]'`).
        ConfigError: the cluster cannot be reached, or it has fewer CPUs than `workers`.
    """
    try:
        from ray.train import RunConfig, ScalingConfig
        from ray.train.torch import TorchConfig, TorchTrainer
    except ImportError as error:
        raise MissingExtraError("data-parallel training needs Ray Train: pip install 'llm4retail[ray]'") from error
    config = {"model": model, "params": model.params, "inputs": inputs.numpy(), "targets": targets.numpy(),
              "validation": validation, "n_items": n_items}  # fmt: skip
    with ray_session(ray) as ray_module, tempfile.TemporaryDirectory(prefix="llm4retail-sasrec-") as scratch:
        cpus = int(ray_module.cluster_resources().get("CPU", 0))
        if cpus < workers:
            raise ConfigError(f"data-parallel SASRec needs {workers} workers of at least one CPU each; "
                              f"the Ray cluster has {cpus} CPUs")  # fmt: skip
        # the model's thread count per worker, as far as the cluster's CPUs go round
        threads = max(1, min(int(model.params["threads"]), cpus // workers))
        config["params"] = {**model.params, "threads": threads}
        trainer = TorchTrainer(
            _train_loop,
            train_loop_config=config,
            torch_config=TorchConfig(backend="gloo"),
            scaling_config=ScalingConfig(num_workers=workers, use_gpu=False, resources_per_worker={"CPU": threads}),
            run_config=RunConfig(name=f"sasrec-{int(time.time())}", storage_path=storage or scratch),
        )
        logger.info("sasrec: data-parallel training on %d Ray Train workers", workers)
        result = trainer.fit()
        if result.checkpoint is None:
            raise RuntimeError(f"data-parallel SASRec ended without weights: {result.error}")
        with result.checkpoint.as_directory() as directory:
            saved = torch.load(Path(directory) / WEIGHTS_FILE, weights_only=False)
    network = model._new_network(n_items)
    network.load_state_dict(saved["weights"])
    return network, saved["history"], int(saved["best_epoch"]), str(saved["stopped"])


def _train_loop(config: dict[str, Any]) -> None:
    """One Ray Train worker: the SASRec epoch loop on its part of every batch."""
    import ray.train
    from ray.train import Checkpoint

    model = config["model"]  # unfitted: its hyperparameters; this worker trains in its own process
    model.params = {**config["params"], "workers": 1, "ray": None}
    world = GlooWorld()
    inputs, targets = torch.from_numpy(config["inputs"]), torch.from_numpy(config["targets"])
    with torch_threads(int(model.params["threads"])), torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(model.params["seed"]))  # the same initial weights on every rank
        network = model._new_network(int(config["n_items"]))
        torch.manual_seed(int(model.params["seed"]) + 1 + world.rank)  # each rank its own dropout masks
        history, best_epoch, stopped = model._train(network, inputs, targets, config["validation"], world)
    checkpoint = None
    with tempfile.TemporaryDirectory() as directory:
        if world.rank == 0:
            saved = {"weights": network.state_dict(), "history": history, "best_epoch": best_epoch, "stopped": stopped}
            torch.save(saved, Path(directory) / WEIGHTS_FILE)
            checkpoint = Checkpoint.from_directory(directory)
        ray.train.report({"best_epoch": best_epoch, "epochs": len(history)}, checkpoint=checkpoint)
