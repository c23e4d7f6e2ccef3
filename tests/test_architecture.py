"""The house rules of issue 16, checked on every run: layers, no import circles, small files, lint."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "llm4retail"
MAX_LINES = 500
# The demo generator is data (vocabularies, templates, phrase tables), not logic.
LONG_FILES_ALLOWED = ("llm4retail/data/synthetic/",)


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def test_import_contracts_hold() -> None:
    """`lint-imports`: the layer contract and private modules in pyproject.toml."""
    result = subprocess.run([_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "llm4retail", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan, iterative)."""
    modules = sorted(graph.modules)
    edges = {module: sorted(set(graph.find_modules_directly_imported_by(module)) & set(modules)) for module in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in modules:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            for offset, target in enumerate(edges[node][position:], start=position):
                if target not in index:
                    work.append((node, offset + 1))
                    work.append((target, 0))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return groups


def test_no_import_circles_between_modules() -> None:
    """No two modules import each other, directly or round a loop (function-level imports count)."""
    graph = grimp.build_graph("llm4retail", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_no_source_file_over_the_limit() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and not relative.startswith(LONG_FILES_ALLOWED):
            long.append(f"{relative}: {lines}")
    assert long == [], f"files over {MAX_LINES} lines: {long}"


def test_no_private_name_imported_from_another_package() -> None:
    """`from llm4retail.<a>... import _name` only inside package <a>."""
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        own = parts[1] if len(parts) > 2 else parts[-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("llm4retail."):
                target = node.module.split(".")[1]
                offences += [f"{path.name}: {node.module}.{alias.name}" for alias in node.names
                             if alias.name.startswith("_") and target != own]  # fmt: skip
    assert offences == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
