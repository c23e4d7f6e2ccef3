"""The output convention of every `llm4retail <capability> eval` command."""

from __future__ import annotations

import json
import math
import time
from types import TracebackType
from typing import Any, Self

import numpy as np
import typer
from pydantic import BaseModel, Field, model_validator

from llm4retail.errors import DataValidationError

SIGNIFICANT_DIGITS = 6
_HEADER_KEYS = ("capability", "dataset", "n", "seconds", "models", "best")


class EvalReport(BaseModel):
    """The result of one evaluation run, printed as JSON or as a table.

    Example:
        >>> with Timer() as timer:
        ...     metrics = {"ndcg@10": 0.41, "hr@10": 0.62}
        >>> report = EvalReport(capability="search", dataset="wands", n=480, seconds=timer.seconds, metrics=metrics)
        >>> emit(report, as_json=True)  # doctest: +SKIP
    """

    capability: str
    dataset: str
    n: int = Field(ge=0)
    seconds: float = Field(ge=0)
    metrics: dict[str, float]
    models: dict[str, dict[str, float]] | None = None
    best: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_keys(self) -> Self:
        """Refuses metric keys that are not lower-case or that collide in the flat JSON object."""
        _check_metric_keys(self.metrics, where="metrics")
        for model_name, model_metrics in (self.models or {}).items():
            _check_metric_keys(model_metrics, where=f"models[{model_name!r}]")
        clashes = sorted((set(self.metrics) | set(_HEADER_KEYS)) & set(self.extra))
        clashes += sorted(set(self.metrics) & set(_HEADER_KEYS))
        if clashes:
            raise DataValidationError(f"keys {clashes} appear twice in the report; rename the extra or metric keys")
        if self.best is not None and self.models is not None and self.best not in self.models:
            raise DataValidationError(f"best model {self.best!r} is not among the compared models {sorted(self.models)}")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """Returns one flat JSON-ready object.

        Layout: `capability`, `dataset`, `n`, `seconds`, the metrics, then `models`
        and `best` when set, then the extra entries. Floats are rounded to 6
        significant digits; NaN and infinities become None (JSON null); numpy
        values become plain Python values.

        Raises:
            DataValidationError: If a metric key is not lower-case or keys collide.
        """
        self._check_keys()
        flat: dict[str, Any] = {"capability": self.capability, "dataset": self.dataset, "n": self.n}
        flat["seconds"] = self.seconds
        flat.update(self.metrics)
        if self.models is not None:
            flat["models"] = self.models
        if self.best is not None:
            flat["best"] = self.best
        flat.update(self.extra)
        return {key: _json_value(value) for key, value in flat.items()}

    def to_table(self) -> str:
        """Returns a fixed-width text table.

        One row per metric, or, when `models` is set, one row per model (the best
        one marked `*`) with the metrics as columns. A header line names the
        capability, dataset, size and time.
        """
        header = f"{self.capability} on {self.dataset}: n={self.n}, {self.seconds:.2f}s"
        if self.models:
            columns = list(dict.fromkeys(key for metrics in self.models.values() for key in metrics))
            rows = [
                [f"{name}{' *' if name == self.best else ''}", *(_format(metrics.get(key)) for key in columns)]
                for name, metrics in self.models.items()
            ]
            table = _aligned_table(["model", *columns], rows)
        else:
            table = _aligned_table(["metric", "value"], [[key, _format(value)] for key, value in self.metrics.items()])
        return f"{header}\n{table}"


def emit(report: EvalReport, *, as_json: bool) -> None:
    """Writes the report to stdout, as one JSON line or as a table.

    Args:
        report: The report to write.
        as_json: Write `json.dumps(report.to_json_dict())` instead of the table.
    """
    text = json.dumps(report.to_json_dict(), ensure_ascii=False) if as_json else report.to_table()
    typer.echo(text)


class Timer:
    """Measures wall-clock seconds with `time.perf_counter`.

    `seconds` is 0.0 before the block starts, the running time inside it and the
    final duration after it.

    Example:
        >>> with Timer() as timer:
        ...     pass
        >>> timer.seconds >= 0
        True
    """

    def __init__(self) -> None:
        self._start: float | None = None
        self._stop: float | None = None

    def __enter__(self) -> Self:
        self._start = time.perf_counter()
        self._stop = None
        return self

    def __exit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop = time.perf_counter()

    @property
    def seconds(self) -> float:
        """The measured wall-clock seconds."""
        if self._start is None:
            return 0.0
        end = self._stop if self._stop is not None else time.perf_counter()
        return end - self._start


def _check_metric_keys(metrics: dict[str, float], *, where: str) -> None:
    """Raises when a metric key is empty or not lower-case."""
    bad = [key for key in metrics if not key or key != key.lower()]
    if bad:
        raise DataValidationError(
            f"{where}: metric keys must be lower-case like 'ndcg@10' or 'macro_f1', got {bad}; use key.lower()"
        )


def _json_value(value: Any) -> Any:
    """Turns a value into plain JSON types, rounding floats and mapping non-finite numbers to None."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(item) for item in value]
    return str(value)


def _format(value: float | None) -> str:
    """Formats one table cell."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else str(value)
    return f"{value:.4f}" if abs(value) < 1e4 else f"{value:.6g}"


def _aligned_table(header: list[str], rows: list[list[str]]) -> str:
    """Lays out text cells in columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(header))]

    def line(cells: list[str]) -> str:
        first, *others = cells
        parts = [first.ljust(widths[0]), *(cell.rjust(width) for cell, width in zip(others, widths[1:], strict=True))]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
