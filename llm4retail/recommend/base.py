"""The interface every recommender implements, with saving and loading of fitted state.

A saved model is a directory: `meta.json` (format, package version, model name and
the constructor parameters that reproduce it, validation-chosen values included),
`arrays.npz` for dense state and `<attribute>.npz` for each sparse matrix — no pickle.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
import scipy.sparse as sp

from llm4retail import __version__
from llm4retail.errors import DataValidationError, NotFittedError
from llm4retail.recommend.data import Interactions

FORMAT = 1
State = dict[str, np.ndarray | sp.csr_matrix]


class Recommender(ABC):
    """Fit on interaction histories; score every item for given histories.

    Subclasses set `name` and implement `fit`, `score`, `get_params` and, to be saved,
    `state`/`restore`. Scores are float32, higher is better, one row per history;
    callers exclude seen items.
    """

    name: str = "base"

    @abstractmethod
    def fit(
        self,
        interactions: Interactions,
        *,
        valid_histories: Sequence[np.ndarray] | None = None,
        valid_targets: np.ndarray | None = None,
    ) -> Self:
        """Learn from `interactions.histories` (validation data only for early stopping and choices)."""

    @abstractmethod
    def score(self, histories: Sequence[np.ndarray], *, customers: np.ndarray | None = None) -> np.ndarray:
        """Scores (len(histories) × n_items); `customers` are indices into the fitted customers."""

    @abstractmethod
    def get_params(self) -> dict[str, Any]:
        """Constructor arguments that rebuild this configuration, including values chosen on validation,
        so that `type(model)(**model.get_params()).fit(all_data)` refits it without validation data."""

    def state(self) -> State:
        """The fitted arrays `save` writes (override to make a model saveable)."""
        raise NotImplementedError(f"{self.name} cannot be saved")

    def restore(self, state: State) -> None:
        """Set the fitted arrays read by `load`."""
        raise NotImplementedError(f"{self.name} cannot be loaded")

    def save(self, directory: Path) -> None:
        """Write the fitted model to `directory` (created if needed)."""
        state = self.state()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        dense = {key: value for key, value in state.items() if not sp.issparse(value)}
        np.savez(directory / "arrays.npz", **dense)
        for key, value in state.items():
            if sp.issparse(value):
                sp.save_npz(directory / f"{key}.npz", sp.csr_matrix(value))
        meta = {"format": FORMAT, "version": __version__, "model": self.name, "params": self.get_params(),
                "sparse": sorted(key for key, value in state.items() if sp.issparse(value))}  # fmt: skip
        (directory / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Rebuild a model written by `save`.

        Raises:
            NotFittedError: `directory` holds no saved model.
            DataValidationError: it holds a different kind of model.
        """
        meta = read_meta(directory)
        if meta["model"] != cls.name:
            raise DataValidationError(f"{directory} holds a '{meta['model']}' model, not '{cls.name}'")
        model = cls(**meta["params"])
        with np.load(Path(directory) / "arrays.npz", allow_pickle=False) as arrays:
            state: State = {key: arrays[key] for key in arrays.files}
        for key in meta.get("sparse", []):
            state[key] = sp.load_npz(Path(directory) / f"{key}.npz").tocsr()
        model.restore(state)
        return model

    def _require_fitted(self, fitted: object) -> None:
        if fitted is None:
            raise NotFittedError(f"{self.name} is not fitted: call fit(interactions) first")


def read_meta(directory: Path) -> dict[str, Any]:
    """`meta.json` of a saved model.

    Raises:
        NotFittedError: there is none.
    """
    path = Path(directory) / "meta.json"
    if not path.is_file():
        raise NotFittedError(f"no saved recommender in {directory}: train one first (llm4retail recommend train)")
    return json.loads(path.read_text(encoding="utf-8"))
