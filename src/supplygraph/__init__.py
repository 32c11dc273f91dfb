"""supplygraph: is this product, brand, device or company ultimately Hikvision (or any target)?

In-process use::

    from supplygraph import SupplyGraph
    sg = SupplyGraph.open("sqlite:///./data/supplygraph.db")
    result = sg.resolve(mac="0c:75:d2:12:34:56")
    result.verdict, result.paths
"""

from supplygraph.errors import SupplyGraphError
from supplygraph.service import SupplyGraph

__all__ = ["SupplyGraph", "SupplyGraphError", "__version__"]
__version__ = "0.1.0"
