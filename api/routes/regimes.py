"""Per-regulation verdicts for one entity: ``GET /v1/entities/{id}/regimes``."""

from __future__ import annotations

from fastapi import APIRouter

from supplygraph.api.deps import AsOf, EntityId, Graph
from supplygraph.api.errors import responses
from supplygraph.graph.model.answers import RegimesResult

router = APIRouter(prefix="/v1", tags=["regimes"])


@router.get(
    "/entities/{entity_id}/regimes",
    response_model=RegimesResult,
    response_model_by_alias=True,
    responses=responses(404),
)
def regimes(graph: Graph, entity_id: EntityId, as_of: AsOf = None) -> RegimesResult:
    """Does each regime (OFAC 50%, BIS affiliates, listings, NDAA 889, FCC, Canada) apply on
    ``as_of`` (default today)? Each verdict with its reason, evidence paths and sources."""
    return graph.regimes(entity_id, as_of)
