"""Dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from supplygraph.service import SupplyGraph


def get_graph(request: Request) -> SupplyGraph:
    return cast(SupplyGraph, request.app.state.graph)


Graph = Annotated[SupplyGraph, Depends(get_graph)]
