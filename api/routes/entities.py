from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from supplygraph.api.deps import AsOf, EntityId, Graph
from supplygraph.api.errors import responses
from supplygraph.graph.model.answers import EntityDetail, OwnersResult, SearchHit

router = APIRouter(prefix="/v1", tags=["entities"])

Depth = Annotated[
    int, Query(ge=1, le=20, description="How many hops to follow at most.", examples=[6])
]


@router.get("/search", response_model=list[SearchHit], responses=responses())
def search(
    graph: Graph,
    q: Annotated[
        str,
        # At least one character that is not white space: a blank search is refused (422).
        Query(
            min_length=1,
            max_length=500,
            pattern=r"\S",
            description="A name or alias (any script, partial names work), or an identifier: "
            "MAC address or prefix, FCC ID, USCC, LEI, ISIN.",
            examples=["海康"],
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=100, description="At most this many hits.", examples=[10])
    ] = 20,
    merge: Annotated[
        bool,
        Query(
            description="List registry records linked to a curated entity as the same entity "
            "(its IEEE MAC registry record, ...) under that entity's hit, in `also`, instead of "
            "as hits of their own.",
            examples=[True],
        ),
    ] = True,
) -> list[SearchHit]:
    """Entities by name, alias or identifier (MAC, FCC ID, USCC, LEI, ISIN), best first.

    Ties go to the entity the text names (its name begins with it: 海康 finds Hikvision before
    its owner CETHIK, 中电海康). A curated entity and its linked registry records are one hit."""
    return graph.search(q, limit, merge_records=merge)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityDetail,
    response_model_by_alias=True,
    responses=responses(404),
)
def entity(graph: Graph, entity_id: EntityId) -> EntityDetail:
    """One entity with its identifiers, designations, relations and sources."""
    return graph.entity(entity_id)


@router.get(
    "/entities/{entity_id}/owners",
    response_model=OwnersResult,
    response_model_by_alias=True,
    responses=responses(404),
)
def owners(
    graph: Graph, entity_id: EntityId, max_depth: Depth = 6, as_of: AsOf = None
) -> OwnersResult:
    """The upstream ownership and control chain with integrated (effective) shares."""
    return graph.owners(entity_id, max_depth, as_of)


@router.get(
    "/entities/{entity_id}/holdings",
    response_model=OwnersResult,
    response_model_by_alias=True,
    responses=responses(404),
)
def holdings(
    graph: Graph, entity_id: EntityId, max_depth: Depth = 6, as_of: AsOf = None
) -> OwnersResult:
    """What the entity owns or controls downstream, same shape as owners."""
    return graph.holdings(entity_id, max_depth, as_of)
