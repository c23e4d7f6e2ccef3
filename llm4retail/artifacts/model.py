"""The one model contract: every trained model saves and loads through `Artifact`.

A saved model is a folder:

- `meta.json`: validated by `ArtifactMeta` — the registered `type` (``"<capability>.<name>"``),
  its `format_version`, the llm4retail version that wrote it, a hash of the training data,
  the constructor parameters, the evaluation metrics and the names of the files below;
- `arrays.npz`: dense numpy arrays (read with ``allow_pickle=False``: no pickle anywhere);
- `<name>.sparse.npz`: one file per scipy sparse matrix;
- `state.json`: JSON-able fitted facts (class labels, vocabularies, chosen values);
- `<name>.txt`: text blobs (LightGBM model dumps);
- `parts/<name>/`: sub-models of a composite model, each a folder of the same shape.

A model class implements three hooks and registers itself:

    @register_model("ease")
    class EASE(Recommender):            # Recommender sets capability = "recommend"
        def get_params(self): return {"l2": self.l2}
        def _state(self): return ModelState(arrays={"weights": self.weights_})
        def _restore(self, state): self.weights_ = state.arrays["weights"]

`EASE.load(folder)`, `Recommender.load(folder)` and `load_model(folder)` then all rebuild it;
loading through a base class dispatches on the saved `type`.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, Field, ValidationError

from llm4retail import __version__
from llm4retail.errors import ArtifactFormatError, DataValidationError, NotFittedError, NotTrainedError, storage_faults

META_FILE = "meta.json"
ARRAYS_FILE = "arrays.npz"
STATE_FILE = "state.json"
PARTS_FOLDER = "parts"
SPARSE_SUFFIX = ".sparse.npz"
TEXT_SUFFIX = ".txt"


class ArtifactMeta(BaseModel):
    """`meta.json` of a saved model."""

    type: str = Field(description="registered model type, '<capability>.<name>'")
    model_class: str = Field(description="'module:QualifiedName' of the class that wrote it")
    format_version: int = Field(ge=1, description="version of the class's saved layout")
    library_version: str = Field(description="llm4retail version that wrote it")
    data_hash: str | None = Field(None, description="hash of the training data (data_fingerprint)")
    params: dict[str, Any] = Field(default_factory=dict, description="constructor arguments")
    metrics: dict[str, Any] = Field(default_factory=dict, description="evaluation figures at training time")
    arrays: list[str] = Field(default_factory=list)
    sparse: list[str] = Field(default_factory=list)
    texts: list[str] = Field(default_factory=list)
    parts: list[str] = Field(default_factory=list)


@dataclass
class ModelState:
    """What a fitted model saves beyond its constructor parameters.

    Attributes:
        arrays: dense numpy arrays and scipy sparse matrices, by name.
        facts: JSON-able fitted values (labels, vocabularies, chosen hyperparameters).
        texts: text blobs, e.g. a LightGBM model dump, by name.
        parts: sub-models, each saved through its own `Artifact.save`.
    """

    arrays: dict[str, np.ndarray | sp.spmatrix] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    parts: dict[str, Artifact] = field(default_factory=dict)


_REGISTRY: dict[str, type[Artifact]] = {}
ArtifactType = TypeVar("ArtifactType", bound="type[Artifact]")


class Artifact:
    """A trained model that saves to and loads from a folder (see the module docstring).

    Capability base classes set `capability` and `train_command`; concrete classes are
    decorated with `register_model` and implement `get_params`, `_state` and `_restore`
    (or `_from_state` when the constructor cannot be called with the saved parameters).
    Bump `format_version` when the saved layout of a class changes: older folders are then
    refused with a "retrain with ..." error instead of being misread.
    """

    capability: ClassVar[str] = "model"
    train_command: ClassVar[str] = "the capability's train command"
    model_type: ClassVar[str] = ""
    format_version: ClassVar[int] = 1

    def get_params(self) -> dict[str, Any]:
        """Constructor arguments (JSON-able) that rebuild this configuration."""
        return {}

    def _state(self) -> ModelState:
        """The fitted state to save.

        Raises:
            NotFittedError: the model is not fitted.
        """
        raise NotImplementedError(f"{type(self).__name__} does not define _state(); it cannot be saved")

    def _restore(self, state: ModelState) -> None:
        """Sets the fitted state read back from a folder on a freshly constructed instance."""
        raise NotImplementedError(f"{type(self).__name__} does not define _restore(); it cannot be loaded")

    @classmethod
    def _from_state(cls, params: dict[str, Any], state: ModelState) -> Self:
        """A fitted model from its saved parameters and state (override for composite constructors)."""
        model = cls(**params)
        model._restore(state)
        return model

    def save(self, directory: Path, *, data_hash: str | None = None, metrics: dict[str, Any] | None = None) -> Path:
        """Writes the model into `directory` (created if needed) and returns it.

        Args:
            directory: the target folder; files of an earlier save there are overwritten.
            data_hash: a fingerprint of the training data (`data_fingerprint`), recorded in `meta.json`.
            metrics: evaluation figures to record with the model.

        Raises:
            NotFittedError: the model is not fitted.
            StorageFullError: the disk is full.
            StorageReadOnlyError: `directory` refuses writes.
        """
        if not self.model_type:
            raise NotImplementedError(f"{type(self).__name__} is not registered: decorate it with @register_model")
        state = self._state()
        directory = Path(directory)
        with storage_faults(directory):  # a full or read-only disk: a clear error, not a traceback
            directory.mkdir(parents=True, exist_ok=True)
            dense = {name: np.asarray(value) for name, value in state.arrays.items() if not sp.issparse(value)}
            sparse = {name: value for name, value in state.arrays.items() if sp.issparse(value)}
            if dense:
                np.savez(directory / ARRAYS_FILE, **dense)
            for name, matrix in sparse.items():
                sp.save_npz(directory / f"{name}{SPARSE_SUFFIX}", sp.csr_matrix(matrix))
            for name, text in state.texts.items():
                (directory / f"{name}{TEXT_SUFFIX}").write_text(text, encoding="utf-8")
            if state.facts:
                (directory / STATE_FILE).write_text(json.dumps(state.facts, ensure_ascii=False, default=_json_default), "utf-8")
            for name, part in state.parts.items():
                part.save(directory / PARTS_FOLDER / name)
            meta = ArtifactMeta(
                type=self.model_type,
                model_class=f"{type(self).__module__}:{type(self).__qualname__}",
                format_version=self.format_version,
                library_version=__version__,
                data_hash=data_hash,
                params=json.loads(json.dumps(self.get_params(), default=_json_default)),
                metrics=json.loads(json.dumps(metrics or {}, default=_json_default)),
                arrays=sorted(dense),
                sparse=sorted(sparse),
                texts=sorted(state.texts),
                parts=sorted(state.parts),
            )
            (directory / META_FILE).write_text(meta.model_dump_json(indent=1), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: Path) -> Self:
        """Rebuilds a model written by `save`; through a base class, whichever registered subclass it holds.

        Raises:
            NotTrainedError: `directory` holds no saved model.
            ArtifactFormatError: it holds another kind of model, or one written in another format
                (the message names the command that retrains it).
        """
        directory = Path(directory)
        meta = read_meta(directory, expected=cls)
        model_class = model_class_of(meta, directory=directory)
        if not issubclass(model_class, cls):
            raise ArtifactFormatError(
                f"{directory} holds a '{meta.type}' model, not a {cls.__name__}; retrain with `{cls.train_command}`"
            )
        if meta.format_version != model_class.format_version:
            raise ArtifactFormatError(
                f"{directory} holds a '{meta.type}' model in format {meta.format_version}, but this llm4retail "
                f"({__version__}) reads format {model_class.format_version}; retrain with `{model_class.train_command}`"
            )
        state = ModelState()
        if meta.arrays:
            with np.load(directory / ARRAYS_FILE, allow_pickle=False) as stored:
                state.arrays = {name: stored[name] for name in stored.files}
        for name in meta.sparse:
            state.arrays[name] = sp.load_npz(directory / f"{name}{SPARSE_SUFFIX}").tocsr()
        for name in meta.texts:
            state.texts[name] = (directory / f"{name}{TEXT_SUFFIX}").read_text(encoding="utf-8")
        if (directory / STATE_FILE).is_file():
            state.facts = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        for name in meta.parts:
            state.parts[name] = Artifact.load(directory / PARTS_FOLDER / name)
        return model_class._from_state(dict(meta.params), state)

    def _require_fitted(self, fitted: object) -> None:
        """Raises NotFittedError when `fitted` (a fitted attribute) is None."""
        if fitted is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(...) first")


def register_model(name: str) -> Callable[[ArtifactType], ArtifactType]:
    """Class decorator: registers a model class as `'<capability>.<name>'` for `load`.

    Raises:
        DataValidationError: the type is already registered to another class.
    """

    def decorate(model_class: ArtifactType) -> ArtifactType:
        model_type = f"{model_class.capability}.{name}"
        known = _REGISTRY.get(model_type)
        if known is not None and known.__qualname__ != model_class.__qualname__:
            raise DataValidationError(f"model type '{model_type}' is already registered to {known.__qualname__}")
        model_class.model_type = model_type
        _REGISTRY[model_type] = model_class
        return model_class

    return decorate


def registered_models() -> dict[str, type[Artifact]]:
    """Every registered model class by type (of the modules imported so far)."""
    return dict(_REGISTRY)


def load_model(directory: Path) -> Artifact:
    """The model saved in `directory`, whatever its type (see `Artifact.load`)."""
    return Artifact.load(directory)


def read_meta(directory: Path, *, expected: type[Artifact] = Artifact) -> ArtifactMeta:
    """The validated `meta.json` of a saved model.

    Args:
        directory: the model folder.
        expected: the class the caller wants, for the retrain command named in errors.

    Raises:
        NotTrainedError: there is no `meta.json`.
        ArtifactFormatError: it was written before the shared format, or is malformed.
    """
    path = Path(directory) / META_FILE
    if not path.is_file():
        raise NotTrainedError(f"no saved model in {directory}; train one with `{expected.train_command}`")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ArtifactFormatError(f"{path} is not valid JSON ({error}); retrain with `{expected.train_command}`") from error
    if not isinstance(raw, dict) or "type" not in raw or "format_version" not in raw:
        raise ArtifactFormatError(
            f"{directory} was saved by an earlier llm4retail, before the shared model format; "
            f"retrain with `{expected.train_command}`"
        )
    try:
        return ArtifactMeta.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, item['loc']))}: {item['msg']}" for item in error.errors())
        raise ArtifactFormatError(f"{path} is malformed ({problems}); retrain with `{expected.train_command}`") from None


def model_class_of(meta: ArtifactMeta, *, directory: Path) -> type[Artifact]:
    """The registered class of `meta.type`, importing its module (only modules of this package) if needed.

    Raises:
        ArtifactFormatError: the type is unknown to this llm4retail.
    """
    if meta.type not in _REGISTRY:
        module = meta.model_class.partition(":")[0]
        if module == "llm4retail" or module.startswith("llm4retail."):
            try:
                importlib.import_module(module)
            except ImportError:
                pass  # moved or removed: reported below as an unknown type
    if meta.type not in _REGISTRY:
        raise ArtifactFormatError(
            f"{directory} holds a '{meta.type}' model that this llm4retail ({__version__}) does not know; "
            "retrain it with the train command of its capability"
        )
    return _REGISTRY[meta.type]


def data_fingerprint(*parts: Any) -> str:
    """A short, stable hash of training data: arrays, data frames, strings, numbers or lists of them.

    Example:
        >>> data_fingerprint(np.arange(3), "beauty") == data_fingerprint(np.arange(3), "beauty")
        True
    """
    digest = hashlib.sha256()
    for part in _flatten(parts):
        digest.update(_bytes_of(part))
        digest.update(b"\x1f")
    return digest.hexdigest()[:16]


def _flatten(parts: Iterable[Any]) -> Iterable[Any]:
    for part in parts:
        if isinstance(part, list | tuple):
            yield from _flatten(part)
        else:
            yield part


def _bytes_of(part: Any) -> bytes:
    if isinstance(part, np.ndarray):
        if part.dtype == object:
            return "\x1e".join(map(str, part.ravel().tolist())).encode("utf-8")
        return str(part.dtype).encode() + str(part.shape).encode() + np.ascontiguousarray(part).tobytes()
    if sp.issparse(part):
        matrix = sp.csr_matrix(part)
        return b"".join(_bytes_of(array) for array in (matrix.indptr, matrix.indices, matrix.data))
    if hasattr(part, "to_numpy") and hasattr(part, "columns"):  # a pandas DataFrame
        import pandas as pd

        hashed = pd.util.hash_pandas_object(part, index=False).to_numpy()
        return ",".join(map(str, part.columns)).encode("utf-8") + hashed.tobytes()
    if hasattr(part, "to_numpy"):  # a pandas Series
        return _bytes_of(np.asarray(part.to_numpy()))
    return repr(part).encode("utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "value"):  # an Enum
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
