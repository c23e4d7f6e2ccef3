"""Exact comparison of two sets of eval JSONs (issue 16 parity): every leaf except timings.

    python bench/parity_compare.py OUT_BEFORE OUT_AFTER risk,clv,...
Exits 1 when any figure differs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Leaves whose names contain these are wall-clock measurements or paths, not figures.
NOT_FIGURES = ("seconds", "time", "latency", "qps", "per_second", "_ms", "dataset", "elapsed")


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def main(before: Path, after: Path, names: list[str]) -> int:
    differing = 0
    for name in names:
        old = dict(leaves(json.loads((before / f"{name}.json").read_text())))
        new = dict(leaves(json.loads((after / f"{name}.json").read_text())))
        diffs = [(key, old.get(key), new.get(key)) for key in sorted(set(old) | set(new))
                 if not any(word in key.lower() for word in NOT_FIGURES) and old.get(key) != new.get(key)]
        figures = sum(1 for key in old if not any(word in key.lower() for word in NOT_FIGURES))
        print(f"{name}: {figures} figures compared, {len(diffs)} differ")
        for diff in diffs[:20]:
            print("    ", diff)
        differing += len(diffs)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")))
