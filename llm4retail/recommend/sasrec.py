"""SASRec: a causal Transformer over each customer's item sequence, trained with full-softmax cross-entropy.

Self-attentive sequential recommendation (Kang & McAuley, ICDM 2018), with the loss
replaced by cross-entropy over the whole catalogue instead of one sampled negative
per position with binary cross-entropy, as in "SASRec+" (Klenitskiy & Vasilev,
RecSys 2023); `bench/sasrec_beauty.py` compares it with published Beauty numbers.
The output layer is tied to the item embeddings, so the model has no extra
per-item parameters.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator, Sequence
from typing import Any, Self, cast

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from llm4retail.artifacts import ModelState, register_model
from llm4retail.errors import DataValidationError
from llm4retail.eval.ranking import metrics_from_ranks, rank_of_targets
from llm4retail.models.threads import torch_threads
from llm4retail.recommend.base import Recommender
from llm4retail.recommend.data import Interactions
from llm4retail.recommend.sequences import World, as_index_arrays, check_validation, left_padded, training_windows

logger = logging.getLogger(__name__)

SCORE_BATCH = 1024
SERVING_ROWS = 16  # histories scored in one call at or below which one thread is used
# Rows per Transformer call within a batch; see `_grouped_forward`.
GROUP_ROWS = 32
# Positions per logits block of the training loss; see `_full_softmax_loss`.
LOSS_BLOCK = 256
# Items are shifted by one inside the network; row 0 of the embedding table is padding.
PADDING = 0


class _Network(nn.Module):
    """Item + position embeddings, pre-LN causal Transformer blocks, final LayerNorm, tied output."""

    def __init__(
        self, *, n_items: int, hidden_size: int, n_layers: int, n_heads: int, max_length: int, dropout: float
    ) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.max_length = max_length
        self.item_embedding = nn.Embedding(n_items + 1, hidden_size, padding_idx=PADDING)
        self.position_embedding = nn.Embedding(max_length, hidden_size)
        # Small embeddings keep the tied-output logits near zero at the start (a uniform softmax).
        nn.init.normal_(self.item_embedding.weight, std=0.02)
        nn.init.normal_(self.position_embedding.weight, std=0.02)
        with torch.no_grad():
            self.item_embedding.weight[PADDING].zero_()
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(
            hidden_size,
            n_heads,
            dim_feedforward=4 * hidden_size,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.final_norm = nn.LayerNorm(hidden_size)

    def forward(self, items: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch × width × hidden) of left-padded shifted item indices (batch × width).

        The last column always gets the last position embedding, so a batch may be cut
        to its longest sequence: padding never influences real positions (see `_mask`).
        """
        width = items.shape[1]
        positions = torch.arange(self.max_length - width, self.max_length, device=items.device)
        states = self.dropout(self.item_embedding(items) + self.position_embedding(positions))
        states = self.encoder(states, mask=self._mask(items))
        return self.final_norm(states)

    def item_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """Scores of every real item (the padding row is left out, i.e. masked) for hidden states (n × hidden)."""
        return hidden @ self.item_embedding.weight[1:].T

    def _mask(self, items: torch.Tensor) -> torch.Tensor:
        """Attention mask (batch·heads × width × width), True = blocked: the future and padded keys.

        A padded position may still attend to itself, so no row is fully blocked (that
        would give NaN, which leaks into real positions through the value products).
        """
        width = items.shape[1]
        future = torch.triu(torch.ones(width, width, dtype=torch.bool, device=items.device), diagonal=1)
        padded_key = (items == PADDING)[:, None, :]
        itself = torch.eye(width, dtype=torch.bool, device=items.device)
        blocked = future | (padded_key & ~itself)
        return blocked.repeat_interleave(self.n_heads, dim=0)


@register_model("sasrec")
class SASRec(Recommender):
    """Next-item recommender: a causal Transformer over the last `max_length` items of a history.

    Args:
        hidden_size: embedding and Transformer width (a multiple of `n_heads`).
        n_layers: Transformer blocks.
        n_heads: attention heads per block.
        max_length: most recent items a history is cut to.
        dropout: dropout on embeddings, attention and feed-forward layers (0.5 suits sparse Amazon sets).
        learning_rate: AdamW step size.
        weight_decay: AdamW decoupled weight decay.
        batch_size: histories per training step.
        max_epochs: most passes over the training histories: the training budget, in work, so that the same
            seed gives the same model on an idle or a busy machine.
        patience: epochs without a better validation NDCG@10 before stopping.
        max_seconds: an optional safety stop on wall-clock time (None: none), checked after each epoch; a
            model stopped by it says so (`training_["stopped"] == "time"`) and depends on the machine's load.
        negatives: None for cross-entropy over the whole catalogue; K for sampled softmax against K items
            drawn uniformly per step and shared by the batch (their logits corrected by log(n_items / K), so the
            loss estimates the full one), which makes a step's output layer n_items / K times cheaper.
        seed: seeds initialisation, dropout, shuffling and negative sampling.
        threads: torch CPU threads during fit and score (per worker when data-parallel, as far as the cluster's
            CPUs go round).
        workers: training processes: 1 trains here; N > 1 trains data-parallel on N Ray Train workers (gloo),
            each computing 1/N of every batch, with the same steps as one process (`recommend/distributed.py`).
        ray: the Ray cluster for `workers` > 1 (`local`, `auto` or an address; None: `local`).

    Raises:
        DataValidationError: a hyperparameter is out of range.

    Example:
        >>> model = SASRec(hidden_size=32, max_epochs=20).fit(interactions, valid_histories=h, valid_targets=t)
        >>> scores = model.score(split.test_histories())  # (n_histories, n_items), float32
    """

    name = "sasrec"

    def __init__(
        self,
        *,
        hidden_size: int = 64,
        n_layers: int = 2,
        n_heads: int = 2,
        max_length: int = 50,
        dropout: float = 0.5,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        batch_size: int = 256,
        max_epochs: int = 100,
        patience: int = 10,
        max_seconds: float | None = None,
        negatives: int | None = None,
        seed: int = 0,
        threads: int = 2,
        workers: int = 1,
        ray: str | None = None,
    ) -> None:
        for label, value in (("hidden_size", hidden_size), ("n_layers", n_layers), ("n_heads", n_heads),
                             ("max_length", max_length), ("batch_size", batch_size), ("max_epochs", max_epochs),
                             ("patience", patience), ("threads", threads), ("workers", workers)):  # fmt: skip
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DataValidationError(f"SASRec {label} must be a positive integer, got {value!r}")
        if hidden_size % n_heads:
            raise DataValidationError(f"SASRec hidden_size ({hidden_size}) must be a multiple of n_heads ({n_heads})")
        if not 0.0 <= dropout < 1.0:
            raise DataValidationError(f"SASRec dropout must lie in [0, 1), got {dropout!r}")
        if not learning_rate > 0 or not weight_decay >= 0 or (max_seconds is not None and not max_seconds > 0):
            raise DataValidationError(
                "SASRec needs learning_rate > 0, weight_decay >= 0 and max_seconds > 0, got "
                f"learning_rate={learning_rate!r}, weight_decay={weight_decay!r}, max_seconds={max_seconds!r}"
            )
        if negatives is not None and (isinstance(negatives, bool) or not isinstance(negatives, int) or negatives < 1):
            raise DataValidationError(f"SASRec negatives must be None or a positive integer, got {negatives!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise DataValidationError(f"SASRec seed must be a non-negative integer, got {seed!r}")
        self.params: dict[str, Any] = {
            "hidden_size": hidden_size, "n_layers": n_layers, "n_heads": n_heads, "max_length": max_length,
            "dropout": dropout, "learning_rate": learning_rate, "weight_decay": weight_decay,
            "batch_size": batch_size, "max_epochs": max_epochs, "patience": patience,
            "max_seconds": max_seconds, "negatives": negatives, "seed": seed, "threads": threads,
            "workers": workers, "ray": ray,
        }  # fmt: skip
        self.network_: _Network | None = None
        self.n_items_ = 0
        self.history_: list[dict[str, float]] = []
        self.best_epoch_ = 0
        self.training_: dict[str, Any] = {}

    def fit(
        self,
        interactions: Interactions,
        *,
        valid_histories: Sequence[np.ndarray] | None = None,
        valid_targets: np.ndarray | None = None,
    ) -> Self:
        """Train on `interactions.histories`; with validation data, stop early on validation NDCG@10.

        Each history h gives inputs h[:-1] and next-item targets h[1:] (its last
        `max_length` positions); the loss is cross-entropy over all items at every
        real position. The best epoch's weights are kept.

        Raises:
            DataValidationError: no history has two items, or the validation data is malformed.
        """
        n_items = interactions.n_items
        validation = check_validation(valid_histories, valid_targets, n_items=n_items)
        histories = as_index_arrays(interactions.histories, n_items=n_items, label="training histories")
        inputs, targets = training_windows(histories, width=int(self.params["max_length"]))
        if len(inputs) == 0:
            raise DataValidationError("SASRec needs at least one training history with two or more items")
        workers = int(self.params["workers"])
        if workers > 1:
            from llm4retail.models.parallel import LOCAL_RAY
            from llm4retail.recommend.distributed import fit_data_parallel

            network, self.history_, self.best_epoch_, stopped = fit_data_parallel(
                self, inputs, targets, validation, n_items=n_items, workers=workers, ray=self.params["ray"] or LOCAL_RAY
            )
            self._fitted(network, n_items, stopped=stopped, workers=workers)
            return self
        with torch_threads(int(self.params["threads"])), torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(self.params["seed"]))
            network = self._new_network(n_items)
            self.history_, self.best_epoch_, stopped = self._train(network, inputs, targets, validation, World())
        self._fitted(network, n_items, stopped=stopped)
        return self

    def _fitted(self, network: _Network, n_items: int, *, stopped: str, workers: int = 1) -> None:
        """Keeps a trained network and the facts of its training."""
        self.training_ = {
            "epochs": len(self.history_), "best_epoch": self.best_epoch_, "stopped": stopped,
            "seconds": round(self.history_[-1]["seconds"], 1) if self.history_ else 0.0,
        }  # fmt: skip
        if workers > 1:
            self.training_["workers"] = workers
        network.eval()
        self.network_, self.n_items_ = network, n_items

    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        """Next-item logits (len(histories) × n_items, float32) after each history's last item.

        `customers` is ignored: the model needs only the sequence. An empty history gets
        the scores of a padding-only input (no position of it was trained, so they are arbitrary).

        Raises:
            NotFittedError: before `fit`.
            DataValidationError: an item index is outside the fitted vocabulary.
        """
        network = self._fitted_network()
        arrays = as_index_arrays(histories, n_items=self.n_items_, label="histories")
        scores = np.empty((len(arrays), self.n_items_), dtype=np.float32)
        # One request's forward pass is too small to split: a second thread only adds a barrier
        # that a busy machine turns into a long tail.
        threads = 1 if len(arrays) <= SERVING_ROWS else int(self.params["threads"])
        with torch_threads(threads):
            for start, chunk in _score_chunks(network, arrays):
                scores[start : start + len(chunk)] = chunk
        return scores

    def get_params(self) -> dict[str, Any]:
        """The hyperparameters; after early stopping, `max_epochs` is the best epoch (for a refit without validation)."""
        return {**self.params, "max_epochs": self.best_epoch_ or self.params["max_epochs"]}

    def _state(self) -> ModelState:
        """The network's weights (its state_dict as float arrays) and the fitted vocabulary size."""
        network = self._fitted_network()
        weights = {key: value.detach().cpu().numpy() for key, value in network.state_dict().items()}
        facts = {"n_items": self.n_items_, "best_epoch": self.best_epoch_, "max_epochs": self.params["max_epochs"],
                 "training": self.training_}  # fmt: skip
        return ModelState(arrays=weights, facts=facts)

    def _restore(self, state: ModelState) -> None:
        # get_params() saved the best epoch as max_epochs (for a refit); the configured cap is a fact.
        self.params["max_epochs"] = int(state.facts["max_epochs"])
        network = self._new_network(int(state.facts["n_items"]))
        network.load_state_dict({key: torch.from_numpy(np.asarray(value)) for key, value in state.arrays.items()})
        network.eval()
        self.network_, self.n_items_ = network, int(state.facts["n_items"])
        self.best_epoch_ = int(state.facts["best_epoch"])
        self.training_ = dict(state.facts.get("training") or {})

    def _fitted_network(self) -> _Network:
        self._require_fitted(self.network_)
        return cast(_Network, self.network_)

    def _new_network(self, n_items: int) -> _Network:
        return _Network(
            n_items=n_items,
            hidden_size=int(self.params["hidden_size"]),
            n_layers=int(self.params["n_layers"]),
            n_heads=int(self.params["n_heads"]),
            max_length=int(self.params["max_length"]),
            dropout=float(self.params["dropout"]),
        )

    def _train(
        self,
        network: _Network,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        validation: tuple[list[np.ndarray], np.ndarray] | None,
        world: World,
    ) -> tuple[list[dict[str, float]], int, str]:
        """Epoch loop with early stopping; leaves the best weights in `network`.

        Every rank of a data-parallel `world` runs it with the same seed: the same shuffles, negatives and
        (summed) validation figures, hence the same decisions and, after each step, the same weights.

        Returns (history, best epoch, why training stopped: "epochs" after `max_epochs`, "patience" on
        early stopping, "time" at the safety stop)."""
        optimizer = torch.optim.AdamW(network.parameters(), lr=float(self.params["learning_rate"]),
                                      weight_decay=float(self.params["weight_decay"]))  # fmt: skip
        generator = torch.Generator().manual_seed(int(self.params["seed"]))
        history: list[dict[str, float]] = []
        best_ndcg, best_epoch, best_state = -math.inf, 0, None
        started = time.perf_counter()
        stopped = "epochs"
        for epoch in range(1, int(self.params["max_epochs"]) + 1):
            loss = _train_epoch(network, optimizer, inputs, targets, generator=generator, world=world,
                                batch_size=int(self.params["batch_size"]), negatives=self.params["negatives"])  # fmt: skip
            record: dict[str, float] = {"epoch": epoch, "loss": loss}
            if validation is not None:
                record["valid_ndcg@10"] = _validation_ndcg(network, *validation, world=world)
            record["seconds"] = time.perf_counter() - started
            history.append(record)
            logger.info("sasrec epoch %d: %s", epoch, {key: round(value, 5) for key, value in record.items()})
            if validation is None or record["valid_ndcg@10"] > best_ndcg:
                best_epoch = epoch
                if validation is not None:
                    best_ndcg = record["valid_ndcg@10"]
                    best_state = {key: value.detach().clone() for key, value in network.state_dict().items()}
            elif epoch - best_epoch >= int(self.params["patience"]):
                stopped = "patience"
                break
            limit = self.params["max_seconds"]
            # rank 0's clock decides for every rank, so that they all stop after the same epoch
            elapsed = float(world.sum(torch.tensor(record["seconds"] if world.rank == 0 else 0.0, dtype=torch.float64)))
            if limit is not None and elapsed > float(limit) and epoch < int(self.params["max_epochs"]):
                logger.warning("sasrec: safety stop after epoch %d: %.0f s spent (max_seconds=%s); the result "
                               "depends on this machine's load", epoch, record["seconds"], limit)  # fmt: skip
                stopped = "time"
                break
        if best_state is not None:
            network.load_state_dict(best_state)
        return history, best_epoch, stopped


def _train_epoch(
    network: _Network,
    optimizer: torch.optim.Optimizer,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    generator: torch.Generator,
    batch_size: int,
    negatives: int | None = None,
    world: World | None = None,
) -> float:
    """One shuffled pass; returns the mean (full or sampled) cross-entropy per predicted position.

    In a data-parallel `world` each rank computes its part of every batch (the same shuffle on every
    rank: one seed) and the step's gradient is that of the whole batch's mean loss.
    """
    world = world or World()
    network.train()
    order = torch.randperm(len(inputs), generator=generator)
    total, count = 0.0, 0
    n_items = network.item_embedding.num_embeddings - 1
    for start in range(0, len(order), batch_size):
        rows = world.part(order[start : start + batch_size])
        # drawn on every rank, used or not, so that the ranks' generators stay in step
        sampled = torch.randint(1, n_items + 1, (negatives,), generator=generator) if negatives is not None else None
        if len(rows):
            hidden, batch_targets = _real_positions(network, inputs[rows], targets[rows])
            if sampled is None or negatives is None or negatives >= n_items:
                loss_sum = _full_softmax_loss(network, hidden, batch_targets)
            else:
                loss_sum = _sampled_softmax_loss(network, hidden, batch_targets, sampled=sampled)
        else:  # a short last batch may leave a rank nothing; it still takes part in the sums
            hidden, loss_sum = inputs.new_zeros((0,)), sum(p.sum() * 0.0 for p in network.parameters())
        positions = int(world.sum(torch.tensor(len(hidden), dtype=torch.float64)))
        optimizer.zero_grad(set_to_none=True)
        (loss_sum / positions).backward()
        world.sum_gradients(network)
        optimizer.step()
        total += float(world.sum(loss_sum.detach().to(torch.float64)))
        count += positions
    return total / count


def _full_softmax_loss(network: _Network, hidden: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed cross-entropy over all items of real positions (hidden: n × hidden, targets shifted by one).

    Only real positions reach the item matmul (never batch × width × n_items), and
    they do so in blocks of `LOSS_BLOCK`: on CPU, one 1,760 × 12,101 logits matrix
    per step made the loss about twice as slow as the same work in ~12 MB blocks,
    which the allocator reuses instead of mapping fresh memory every step.
    """
    total = hidden.new_zeros(())
    for start in range(0, len(hidden), LOSS_BLOCK):
        block = slice(start, start + LOSS_BLOCK)
        logits = network.item_logits(hidden[block])
        total = total + functional.cross_entropy(logits, targets[block] - 1, reduction="sum")
    return total


def _sampled_softmax_loss(
    network: _Network, hidden: torch.Tensor, targets: torch.Tensor, *, sampled: torch.Tensor
) -> torch.Tensor:
    """Summed sampled-softmax cross-entropy: each position's target against the `sampled` uniform items (item
    indices shifted by one) shared by the batch.

    The negatives' logits get + log(n_items / negatives) (the log of their inverse sampling rate), so that their
    sum of exponentials estimates the whole catalogue's; a negative that happens to be a position's own target
    is masked for that position.
    """
    n_items, negatives = network.item_embedding.num_embeddings - 1, len(sampled)
    weights = network.item_embedding.weight
    positive = (hidden * weights[targets]).sum(dim=1, keepdim=True)
    negative = hidden @ weights[sampled].T + math.log(n_items / negatives)
    negative = negative.masked_fill(sampled[None, :] == targets[:, None], -math.inf)
    logits = torch.cat([positive, negative], dim=1)
    return (torch.logsumexp(logits, dim=1) - positive[:, 0]).sum()


def _validation_ndcg(
    network: _Network, histories: list[np.ndarray], targets: np.ndarray, *, world: World | None = None
) -> float:
    """NDCG@10 of the targets under full ranking, each customer's history items excluded.

    In a data-parallel `world` each rank ranks its share of the customers and the sums are added up.
    """
    world = world or World()
    share = slice(world.rank * len(targets) // world.size, (world.rank + 1) * len(targets) // world.size)
    histories, targets = histories[share], targets[share]
    ranks = np.empty(len(targets), dtype=np.int64)
    for start, scores in _score_chunks(network, histories):
        stop = start + len(scores)
        ranks[start:stop] = rank_of_targets(scores, targets[start:stop], exclude=histories[start:stop])
    network.train()
    if world.size == 1:
        return metrics_from_ranks(ranks, cutoffs=(10,))["ndcg@10"]
    local = metrics_from_ranks(ranks, cutoffs=(10,))["ndcg@10"] * len(targets) if len(targets) else 0.0
    total = world.sum(torch.tensor([local, len(targets)], dtype=torch.float64))
    return float(total[0] / total[1])


def _score_chunks(network: _Network, histories: list[np.ndarray]) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, scores) for blocks of `SCORE_BATCH` histories, in eval mode without gradients."""
    network.eval()
    with torch.no_grad():
        for start in range(0, len(histories), SCORE_BATCH):
            chunk = histories[start : start + SCORE_BATCH]
            inputs = torch.from_numpy(left_padded(chunk, width=network.max_length))
            hidden = torch.empty(len(chunk), network.item_embedding.embedding_dim)
            for rows, states in _grouped_forward(network, inputs):
                hidden[rows] = states[:, -1]
            yield start, network.item_logits(hidden).numpy().astype(np.float32, copy=False)


def _real_positions(
    network: _Network, inputs: torch.Tensor, targets: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Hidden states and targets (shifted) of the non-padded positions of a batch."""
    hidden, real_targets = [], []
    for rows, states in _grouped_forward(network, inputs):
        group_targets = targets[rows][:, targets.shape[1] - states.shape[1] :]
        real = group_targets != PADDING
        hidden.append(states[real])
        real_targets.append(group_targets[real])
    return torch.cat(hidden), torch.cat(real_targets)


def _grouped_forward(network: _Network, inputs: torch.Tensor) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """(rows, hidden states) for groups of `GROUP_ROWS` rows of similar length, each cut to its longest row.

    Most histories are short (Beauty: median 4 items) but one long history pads a whole
    batch to `max_length`; grouping by length skips most of that padding. The result is
    the same as one padded forward, because padding never influences real positions.
    """
    lengths = (inputs != PADDING).sum(dim=1)
    order = torch.argsort(lengths, stable=True)
    for rows in torch.split(order, GROUP_ROWS):
        yield rows, network(_trim(inputs[rows]))


def _trim(inputs: torch.Tensor) -> torch.Tensor:
    """Drops the all-padding leading columns of a left-padded batch (keeping at least one)."""
    longest = int((inputs != PADDING).sum(dim=1).max()) if len(inputs) else 0
    return inputs[:, inputs.shape[1] - max(longest, 1) :]
