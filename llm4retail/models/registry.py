"""Versioned trained models in the data directory: `<data_dir>/models/<family>/vNNNN/`, `LATEST` pointer.

Families used here: `encoders` (pre-trained MLM encoders), `sentiment`
(fine-tuned or distilled classifiers), `catalog` (attribute taggers).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from llm4retail.errors import DataValidationError, NotFittedError


class ModelRegistry:
    """The versions of one model family.

    Args:
        data_dir: the data directory.
        family: sub-folder of `<data_dir>/models`.
        keep: versions kept on disk (the newest).

    Example:
        >>> registry = ModelRegistry(settings.data_dir, "sentiment")
        >>> directory = registry.new_version()
        >>> model.save(directory); registry.publish(directory, report={"accuracy": 0.94})
    """

    def __init__(self, data_dir: Path, family: str, *, keep: int = 5) -> None:
        if keep < 1:
            raise DataValidationError(f"keep must be at least 1, got {keep}")
        if not family or "/" in family or family.startswith("."):
            raise DataValidationError(f"family must be a plain folder name, got {family!r}")
        self.root = Path(data_dir) / "models" / family
        self.family = family
        self.keep = keep

    def new_version(self) -> Path:
        """Creates and returns the next empty version folder (not yet LATEST)."""
        self.root.mkdir(parents=True, exist_ok=True)
        numbers = [int(path.name[1:]) for path in self.root.glob("v[0-9]*") if path.name[1:].isdigit()]
        directory = self.root / f"v{max(numbers, default=0) + 1:04d}"
        directory.mkdir()
        return directory

    def publish(self, directory: Path, *, report: dict[str, Any]) -> str:
        """Writes `report.json`, points LATEST at `directory` atomically, prunes old versions; returns the version."""
        (directory / "report.json").write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False), "utf-8")
        temporary = self.root / "LATEST.tmp"
        temporary.write_text(directory.name, encoding="utf-8")
        os.replace(temporary, self.root / "LATEST")
        versions = sorted((p for p in self.root.glob("v[0-9]*") if p.is_dir()), key=lambda p: int(p.name[1:]))
        for old in versions[: -self.keep]:
            shutil.rmtree(old)
        return directory.name

    def latest(self) -> Path | None:
        """The LATEST version folder, or None."""
        pointer = self.root / "LATEST"
        if not pointer.is_file():
            return None
        directory = self.root / pointer.read_text(encoding="utf-8").strip()
        return directory if directory.is_dir() else None

    def resolve(self, version: str | None = None) -> Path:
        """The folder of `version` (default LATEST).

        Raises:
            NotFittedError: nothing is saved, or the version does not exist.
        """
        directory = self.root / version if version else self.latest()
        if directory is None or not directory.is_dir():
            raise NotFittedError(
                f"no saved {self.family} model {version or ''} in {self.root}; train one first (llm4retail models ...)"
            )
        return directory
