"""An entity's neighbourhood as JSON (what the UI graph draws) and as downloadable exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from supplygraph.api.deps import AsOf, EntityId, Graph
from supplygraph.api.errors import responses
from supplygraph.api.exports import FORMATS, export
from supplygraph.graph.engine.neighbourhood import MAX_DEPTH, Neighbourhood

router = APIRouter(prefix="/v1", tags=["entities"])

Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description="Hops from the entity.", examples=[1])]
# BODS is one JSON array of statements; the other formats are files to save as they come.
BINARY = {"type": "string", "format": "binary"}
EXPORT_SCHEMAS = {"application/json": {"type": "array", "items": {"type": "object"}}}
ExportFormat = Literal["graphml", "gexf", "ftm", "bods", "csv"]


@router.get("/entities/{entity_id}/graph", response_model=Neighbourhood, responses=responses(404))
def graph_of(
    graph: Graph, entity_id: EntityId, depth: Depth = 1, as_of: AsOf = None
) -> Neighbourhood:
    """Nodes and edges within ``depth`` hops, each with its sources and designations.

    Without ``as_of`` every fact is included and facts no longer valid are flagged
    ``current: false``; with it only facts valid on that day are followed.
    """
    return graph.neighbourhood(entity_id, depth, as_of)


@router.get(
    "/entities/{entity_id}/export",
    response_class=Response,
    responses={
        200: {
            "description": "the neighbourhood as a file (``Content-Disposition: attachment``)",
            "headers": {
                "X-Truncated": {
                    "description": "true when the neighbourhood was cut at the node bound",
                    "schema": {"type": "string", "enum": ["true", "false"]},
                }
            },
            "content": {
                media.split(";")[0]: {"schema": EXPORT_SCHEMAS.get(media, BINARY)}
                for _, media, _ in FORMATS.values()
            },
        },
        **responses(404),
    },
)
def export_of(
    graph: Graph,
    entity_id: EntityId,
    format: Annotated[
        ExportFormat,
        Query(
            description="graphml, gexf (Gephi), ftm (FtM JSON lines), bods (BODS 0.4) or csv.",
            examples=["graphml"],
        ),
    ] = "graphml",
    depth: Depth = 2,
    as_of: AsOf = None,
    bom: Annotated[
        bool, Query(description="CSV only: start with a UTF-8 BOM, for Excel", examples=[True])
    ] = False,
    raw: Annotated[
        bool,
        Query(
            description="CSV only: keep cells that start like a formula as they are",
            examples=[False],
        ),
    ] = False,
) -> Response:
    """The neighbourhood as GraphML or GEXF (Gephi), FtM JSON lines, BODS 0.4 JSON or CSV.

    A neighbourhood cut at the node bound says so in the ``X-Truncated`` header and in the
    file: a ``truncated`` graph attribute (GraphML), the meta description (GEXF), a first
    ``#`` comment line (CSV), a commenting annotation on the subject (BODS), ``notes`` on the
    centre entity (FtM). BODS statements are declared about the entity when it is a company or
    person, else about the nearest one (a brand's owner); with none, BODS is ``[]``.

    ``bom=true`` starts a CSV with the UTF-8 byte order mark so that Excel shows Chinese names.
    CSV cells that start with ``= + - @``, a tab or a carriage return get a leading single quote
    so that a spreadsheet shows them instead of running them; ``raw=true`` keeps them as they are.
    """
    hood = graph.neighbourhood(entity_id, depth, as_of)
    out = export(hood, format, bom=bom, raw=raw)
    return Response(
        out.content,
        media_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            # The file says so too (graph attribute, comment line, annotation, notes).
            "X-Truncated": "true" if hood.truncated else "false",
        },
    )
