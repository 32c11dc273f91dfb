"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from supplygraph.service import SupplyGraph


async def get_graph(request: Request) -> SupplyGraph:
    # async: FastAPI would run a plain `def` dependency in a worker thread on every request.
    return cast(SupplyGraph, request.app.state.graph)


Graph = Annotated[SupplyGraph, Depends(get_graph)]
