"""supplygraph: is this product, brand, device or company ultimately Hikvision (or any target)?

In-process use::

    from supplygraph import SupplyGraph
    sg = SupplyGraph.open("sqlite:///./data/supplygraph.db")
    result = sg.resolve(mac="0c:75:d2:12:34:56")
    result.verdict, result.paths
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supplygraph.graph.errors import SupplyGraphError
    from supplygraph.service import SupplyGraph

__all__ = ["SupplyGraph", "SupplyGraphError", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Lazy: `import supplygraph.graph.errors` (done by most of the engine) must not pull in the
    # facade and with it every layer.
    if name == "SupplyGraph":
        from supplygraph.service import SupplyGraph

        return SupplyGraph
    if name == "SupplyGraphError":
        from supplygraph.graph.errors import SupplyGraphError

        return SupplyGraphError
    raise AttributeError(f"module 'supplygraph' has no attribute {name!r}")
