"""Every `llm4retail … eval` report, kept in the store's data folder so the console can show the latest.

Reports go to `<data-dir>/evals/<capability>/<UTC time>-<dataset>.json` (the JSON each command prints,
plus `recorded_at`). Nothing else reads them: they are a record, not an input.

Example:
    >>> save_report(report, data_dir / "evals")
    >>> latest_reports(data_dir / "evals")["search"][0]["ndcg@10"]
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

from llm4retail.errors import StorageError, storage_faults
from llm4retail.eval.report import EvalReport

logger = logging.getLogger(__name__)
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def save_report(report: EvalReport, folder: Path) -> Path | None:
    """Writes the report under `folder/<capability>/`; None (and a warning) when the folder cannot be written,
    since an evaluation's result matters more than its record."""
    now = dt.datetime.now(dt.UTC)
    dataset = _SLUG.sub("_", Path(report.dataset.rstrip("/")).name or report.dataset).strip("_")[:60] or "data"
    path = folder / _SLUG.sub("_", report.capability) / f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{dataset}.json"
    payload = {**report.to_json_dict(), "recorded_at": now.isoformat(timespec="seconds")}
    try:
        with storage_faults(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    except StorageError as error:
        logger.warning("the eval report was not recorded: %s", error)
        return None
    return path


def latest_reports(folder: Path, *, per_capability: int = 5) -> dict[str, list[dict[str, Any]]]:
    """Capability -> its latest reports, newest first (unreadable files are skipped)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not folder.is_dir():
        return found
    for capability_folder in sorted(path for path in folder.iterdir() if path.is_dir()):
        reports = []
        for path in sorted(capability_folder.glob("*.json"), reverse=True)[:per_capability]:
            try:
                reports.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as error:
                logger.warning("skipping eval record %s: %s", path, error)
        if reports:
            found[capability_folder.name] = reports
    return found
