from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from supplygraph.api.deps import Graph
from supplygraph.graph.results import ResolveResult

router = APIRouter(prefix="/v1", tags=["resolve"])

Text = Annotated[str | None, Query(max_length=500)]


@router.get("/resolve", response_model=ResolveResult, response_model_by_alias=True)
def resolve(
    graph: Graph,
    name: Text = None,
    brand: Text = None,
    model: Text = None,
    mac: Text = None,
    fcc_id: Text = None,
    target: Text = None,
    as_of: date | None = None,
) -> ResolveResult:
    """Is what the query names ultimately the target (default: Hikvision)? With evidence paths."""
    return graph.resolve(
        name=name, brand=brand, model=model, mac=mac, fcc_id=fcc_id, target=target, as_of=as_of
    )
