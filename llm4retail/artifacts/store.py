"""The one model store: `<models_dir>/<capability>/vNNNN/` per trained version, `LATEST` naming the served one.

A capability that changes its served model live (the search index follows catalog writes and
events) can also keep a *checkpoint* of it: `checkpoint-<id>/` beside the versions, named by the
`CHECKPOINT` pointer and tied to the version it grew from; written the same way (staging folder,
rename, pointer replaced atomically), so a crash at any moment leaves the previous checkpoint or
the new one, whole. A checkpoint of another version than `LATEST` is ignored (a newer training won).

A version folder holds the model (`model/`, an `Artifact` folder), the training report
(`report.json`) and any files the capability adds beside them (a search index's documents,
a recommender's item vocabulary). A version is written into a hidden staging folder and
renamed into place only when complete, and `LATEST` is replaced atomically, so a reader
never sees half a version, and a crash mid-training leaves the served version intact.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from llm4retail.artifacts.model import META_FILE, Artifact, read_meta
from llm4retail.errors import DataValidationError, NotTrainedError

logger = logging.getLogger(__name__)

MODEL_FOLDER = "model"
REPORT_FILE = "report.json"
LATEST_FILE = "LATEST"
CHECKPOINT_FILE = "CHECKPOINT"
CHECKPOINT_BASE_FILE = "base.json"
ModelType = TypeVar("ModelType", bound=Artifact)


class ModelVersion(BaseModel):
    """One saved version, as `llm4retail models list` shows it."""

    capability: str
    version: str
    latest: bool
    model_type: str | None
    created: str
    data_hash: str | None
    metrics: dict[str, Any]
    size_bytes: int


class ModelStore:
    """The trained versions of one capability.

    Args:
        models_dir: `Settings.models_dir` (`<data_dir>/models`).
        capability: sub-folder name, e.g. `recommend`.
        train_command: the command that trains this capability, named in "not trained yet" errors.
        keep: versions kept on disk (the newest; `LATEST` is never pruned).

    Example:
        >>> models = ModelStore(settings.models_dir, "risk", train_command="llm4retail risk train")
        >>> version = models.save(model, report={"roc_auc": 0.98})
        >>> models.load(expected=RiskModel)
    """

    def __init__(self, models_dir: Path, capability: str, *, train_command: str, keep: int = 5) -> None:
        if keep < 1:
            raise DataValidationError(f"keep must be at least 1, got {keep}")
        if not capability or "/" in capability or capability.startswith("."):
            raise DataValidationError(f"capability must be a plain folder name, got {capability!r}")
        self.root = Path(models_dir) / capability
        self.capability = capability
        self.train_command = train_command
        self.keep = keep

    @contextmanager
    def stage(self, *, report: dict[str, Any] | None = None) -> Iterator[Path]:
        """A staging folder to write a new version into; published as the next version when the block ends.

        An exception inside the block discards the folder and leaves `LATEST` as it was.
        `report` is written as `report.json` (the block may also write or replace it).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".staging-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        try:
            if report is not None:
                _write_json(staging / REPORT_FILE, report)
            yield staging
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._publish(staging)

    def save(
        self, model: Artifact, *, report: dict[str, Any], data_hash: str | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> str:  # fmt: skip
        """Saves `model` as a new version, points `LATEST` at it, prunes old versions; returns the version name."""
        with self.stage(report=report) as staging:
            model.save(staging / MODEL_FOLDER, data_hash=data_hash, metrics=metrics)
        return self.latest() or ""

    def latest(self) -> str | None:
        """The name of the served version, or None when nothing is trained."""
        pointer = self.root / LATEST_FILE
        if not pointer.is_file():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        return version if (self.root / version).is_dir() else None

    def path(self, version: str | None = None) -> Path:
        """The folder of `version` (default: `LATEST`).

        Raises:
            NotTrainedError: nothing is trained, or `version` does not exist.
        """
        name = version or self.latest()
        if name is None:
            raise NotTrainedError(f"no {self.capability} model is trained yet; run `{self.train_command}`")
        directory = self.root / name
        if not directory.is_dir() or name.startswith("."):
            known = ", ".join(info.version for info in self.versions()) or "none"
            raise NotTrainedError(f"no {self.capability} model version '{name}' (saved: {known}); run `{self.train_command}`")
        return directory

    def load(self, version: str | None = None, *, expected: type[ModelType] = Artifact) -> ModelType:  # type: ignore[assignment]
        """The model of `version` (default `LATEST`), checked to be an `expected`.

        Raises:
            NotTrainedError: nothing is trained, or the version does not exist.
            ArtifactFormatError: the saved model is of another kind or format (the message says how to retrain).
        """
        return expected.load(self.path(version) / MODEL_FOLDER)

    def report(self, version: str | None = None) -> dict[str, Any]:
        """The training report of `version` (default `LATEST`); empty when none was written."""
        path = self.path(version) / REPORT_FILE
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def versions(self) -> list[ModelVersion]:
        """Every saved version, oldest first."""
        latest = self.latest()
        return [self._describe(folder, latest=folder.name == latest) for folder in self._folders()]

    def prune(self, keep: int | None = None) -> list[str]:
        """Deletes all but the newest `keep` versions (default: the store's `keep`), never `LATEST`; returns them."""
        keep = self.keep if keep is None else keep
        if keep < 1:
            raise DataValidationError(f"keep must be at least 1, got {keep}")
        latest = self.latest()
        removed = []
        for folder in self._folders()[:-keep]:
            if folder.name != latest:
                shutil.rmtree(folder)
                removed.append(folder.name)
        return removed

    def save_checkpoint(self, model: Artifact, *, base: str, report: dict[str, Any] | None = None) -> Path:
        """Saves `model`, the live state of version `base`, as the checkpoint (replacing the previous one
        atomically); returns its folder. Not a version: `LATEST` and the versions are untouched."""
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".staging-{uuid.uuid4().hex[:12]}"
        staging.mkdir()
        try:
            model.save(staging / MODEL_FOLDER)
            _write_json(staging / CHECKPOINT_BASE_FILE, {"base": base, **(report or {})})
            folder = self.root / f"checkpoint-{uuid.uuid4().hex[:12]}"
            staging.rename(folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._point(CHECKPOINT_FILE, folder.name)
        for old in self.root.glob("checkpoint-*"):
            if old != folder:
                shutil.rmtree(old, ignore_errors=True)
        return folder

    def checkpoint(self, *, base: str) -> Path | None:
        """The model folder of the checkpoint grown from version `base`, or None (none saved, or of another version)."""
        pointer = self.root / CHECKPOINT_FILE
        if not pointer.is_file():
            return None
        folder = self.root / pointer.read_text(encoding="utf-8").strip()
        meta = folder / CHECKPOINT_BASE_FILE
        if not folder.name.startswith("checkpoint-") or not meta.is_file():
            return None
        if json.loads(meta.read_text(encoding="utf-8")).get("base") != base:
            return None
        return folder / MODEL_FOLDER

    def drop_checkpoint(self) -> None:
        """Deletes the checkpoint (once its state is saved as a version)."""
        (self.root / CHECKPOINT_FILE).unlink(missing_ok=True)
        for folder in self.root.glob("checkpoint-*"):
            shutil.rmtree(folder, ignore_errors=True)

    def _point(self, name: str, target: str) -> None:
        """Replaces the pointer file `name` atomically (a reader sees the old target or the new one)."""
        pointer = self.root / f"{name}.{uuid.uuid4().hex[:8]}.tmp"
        pointer.write_text(target, encoding="utf-8")
        os.replace(pointer, self.root / name)

    def _publish(self, staging: Path) -> None:
        numbers = [int(folder.name[1:]) for folder in self._folders()]
        while True:  # two processes may publish at once: the rename of the loser fails and it takes the next number
            version = f"v{max(numbers, default=0) + 1:04d}"
            try:
                staging.rename(self.root / version)
                break
            except OSError:
                numbers.append(max(numbers, default=0) + 1)
        self._point(LATEST_FILE, version)
        removed = self.prune()
        logger.info("published %s model %s (pruned %s)", self.capability, version, removed or "nothing")

    def _folders(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        folders = [path for path in self.root.glob("v[0-9]*") if path.is_dir() and path.name[1:].isdigit()]
        return sorted(folders, key=lambda path: int(path.name[1:]))

    def _describe(self, folder: Path, *, latest: bool) -> ModelVersion:
        model_type = data_hash = None
        metrics: dict[str, Any] = {}
        if (folder / MODEL_FOLDER / META_FILE).is_file():
            try:
                meta = read_meta(folder / MODEL_FOLDER)
                model_type, data_hash, metrics = meta.type, meta.data_hash, meta.metrics
            except NotTrainedError:  # an artefact of an earlier format: listed, type unknown
                model_type = None
        size = sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
        created = _iso_time(folder.stat().st_mtime)
        return ModelVersion(capability=self.capability, version=folder.name, latest=latest, model_type=model_type,
                            created=created, data_hash=data_hash, metrics=metrics, size_bytes=size)  # fmt: skip


def list_models(models_dir: Path, *, train_commands: dict[str, str] | None = None) -> list[ModelVersion]:
    """Every saved version of every capability under `models_dir`, by capability then version."""
    root = Path(models_dir)
    if not root.is_dir():
        return []
    commands = train_commands or {}
    rows: list[ModelVersion] = []
    for folder in sorted(path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")):
        store = ModelStore(root, folder.name, train_command=commands.get(folder.name, f"llm4retail {folder.name} train"))
        rows.extend(store.versions())
    return rows


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=str), encoding="utf-8")


def _iso_time(timestamp: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")
