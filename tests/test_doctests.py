"""The examples in the package's docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

# Every layer; each is its own folder mapped under the package, so each is walked by itself.
LAYERS = ("graph", "loaders", "audit", "api", "bench")


def _has_examples(module: ModuleType) -> bool:
    return any(t.examples for t in doctest.DocTestFinder().find(module))


def _modules_with_examples() -> list[str]:
    names = ["supplygraph.service"]
    for layer in LAYERS:
        package = importlib.import_module(f"supplygraph.{layer}")
        names += [i.name for i in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(n for n in names if _has_examples(importlib.import_module(n)))


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
