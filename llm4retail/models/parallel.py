"""Independent pieces of work, in this process or as Ray tasks: model selection's candidates, backtest windows,
batch chunks. One switch (`ray`: None, `local`, `auto` or a cluster address) decides where they run; the
results are the same either way (each piece is a pure function of its arguments and seeds).

Example:
    >>> results = parallel_map(fit_candidate, ["ease", "itemknn"], shared=data, ray="local")
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from llm4retail.errors import ConfigError, MissingExtraError

logger = logging.getLogger(__name__)
Item = TypeVar("Item")
Result = TypeVar("Result")
LOCAL_RAY = "local"  # start a Ray instance on this machine for the work


@contextmanager
def ray_session(address: str) -> Iterator[Any]:
    """The `ray` module, connected: to a Ray already initialised in this process, else a local instance
    (`local`, all this machine's CPUs) or a cluster (`auto` = the one `RAY_ADDRESS` or a local head names,
    or `ray://host:port` / `host:port`). A connection made here is closed at the end.

    Raises:
        MissingExtraError: Ray is not installed (`pip install 'llm4retail[ray]'`).
        ConfigError: the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError as error:
        raise MissingExtraError("work on Ray needs Ray: pip install 'llm4retail[ray]'") from error
    started = False
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        try:
            if address == LOCAL_RAY:
                ray.init(num_cpus=os.cpu_count() or 1, **options)
            else:
                ray.init(address=address, **options)
        except ConnectionError as error:
            raise ConfigError(f"cannot reach the Ray cluster at '{address}': {error}") from error
        started = True
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def parallel_map(function: Callable[[Item, Any], Result], items: Sequence[Item], *, shared: Any = None,
                 ray: str | None = None, cpus_per_task: int = 1, label: str = "task") -> list[Result]:  # fmt: skip
    """`[function(item, shared) for item in items]`, in this process (`ray=None`) or as one Ray task per item.

    `function` must be importable by the Ray workers (a module-level function), and items, `shared` and
    results picklable; `shared` (the data every task reads) goes to Ray's object store once.

    Raises:
        MissingExtraError, ConfigError: see `ray_session`.
    """
    if ray is None or len(items) <= 1:
        return [function(item, shared) for item in items]
    with ray_session(ray) as ray_module:
        remote = ray_module.remote(num_cpus=cpus_per_task, max_retries=1)(function)
        shared_ref = ray_module.put(shared)
        logger.info("%d %ss on Ray (%s CPUs)", len(items), label, int(ray_module.cluster_resources().get("CPU", 0)))
        return list(ray_module.get([remote.remote(item, shared_ref) for item in items]))
