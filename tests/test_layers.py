"""Imports run one way: between the layers, and between the rooms of ``graph/``.

Read from the source files with ``ast`` (nothing is imported), so a new module is checked the day
it is added. Imports under ``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each folder may import from the package, by dotted prefix under ``supplygraph.``.
# Layers: graph/ never imports api/, audit/ or loaders/; loaders/ and audit/ never import api/.
LAYERS: dict[str, tuple[str, ...]] = {
    "graph": ("api", "audit", "loaders", "bench", "cli", "service"),
    "loaders": ("api", "audit", "bench", "cli", "service"),
    "audit": ("api", "bench", "cli", "service"),
}
# Inside graph/: model <- store <- match <- engine. The shared helpers at graph/'s top level
# (errors, caches, gc_pause, csv_formulas) import none of the rooms.
ROOMS: dict[str, tuple[str, ...]] = {
    "graph/model": ("graph.store", "graph.match", "graph.engine"),
    "graph/store": ("graph.match", "graph.engine"),
    "graph/match": ("graph.engine",),
}
TOP_HELPERS = ("errors", "caches", "gc_pause", "csv_formulas")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every run-time import of the package in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for child in node.body for n in ast.walk(child)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, m) for line, m in found if m.startswith("supplygraph.")]


def _violations(folder: str, banned: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, module in _imports(path):
            inner = module.removeprefix("supplygraph.")
            if any(inner == b or inner.startswith(b + ".") for b in banned):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("folder", sorted(LAYERS))
def test_layers_import_one_way(folder: str) -> None:
    assert _violations(folder, LAYERS[folder]) == []


@pytest.mark.parametrize("room", sorted(ROOMS))
def test_graph_rooms_import_one_way(room: str) -> None:
    assert _violations(room, ROOMS[room]) == []


def test_graph_top_level_helpers_import_no_room() -> None:
    rooms = ("graph.model", "graph.store", "graph.match", "graph.engine")
    bad = []
    for name in TOP_HELPERS:
        path = ROOT / "graph" / f"{name}.py"
        bad += [
            f"{name}.py:{line} {m}"
            for line, m in _imports(path)
            if m.startswith(tuple(f"supplygraph.{r}" for r in rooms))
        ]
    assert bad == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The checker itself: a run-time import counts, one under TYPE_CHECKING does not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "from supplygraph.api.app import create_app\n"
        "if TYPE_CHECKING:\n"
        "    from supplygraph.audit.run import Audit\n",
        encoding="utf-8",
    )
    assert _imports(sample) == [(2, "supplygraph.api.app")]
