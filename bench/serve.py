"""The benchmark's server process: the real app under uvicorn, over an existing store.

Run as ``python -m supplygraph.bench.serve STORE_URL PORT``. No bootstrap (the caller seeded the
store), uvicorn's own access log off (the app writes its JSON lines, which the caller discards).
"""

from __future__ import annotations

import sys

import uvicorn

from supplygraph.api.app import create_app
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings


def main(argv: list[str]) -> None:
    """Serve ``argv[0]`` (a store URL) on 127.0.0.1, port ``argv[1]``, one worker."""
    store, port = argv[0], int(argv[1])
    app = create_app(SupplyGraph.open(store), Settings())
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1:])
