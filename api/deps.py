"""Dependencies and parameter types shared by the routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, cast

from fastapi import Depends, Path, Query, Request
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.normalize import ISO_DATE_PATTERN, iso_date
from supplygraph.service import SupplyGraph


async def get_graph(request: Request) -> SupplyGraph:
    # async: FastAPI would run a plain `def` dependency in a worker thread on every request.
    return cast(SupplyGraph, request.app.state.graph)


Graph = Annotated[SupplyGraph, Depends(get_graph)]


def _strict_day(value: Any) -> Any:
    # pydantic's own date parsing would take 0 or 1590969600 as Unix times; only YYYY-MM-DD is a
    # day here (graph.normalize.iso_date says the rule once).
    if value is None or isinstance(value, date):
        return value
    try:
        return iso_date(str(value))
    except InvalidQuery as exc:
        raise PydanticCustomError(
            "iso_date", "{text} is not a date (YYYY-MM-DD)", {"text": repr(value)}
        ) from exc


AS_OF_SCHEMA: dict[str, Any] = {"type": "string", "format": "date", "pattern": ISO_DATE_PATTERN}
AS_OF_HELP = "The day the answer is for, exactly YYYY-MM-DD (default: today)."

AsOf = Annotated[
    Annotated[date, WithJsonSchema(AS_OF_SCHEMA)] | None,
    BeforeValidator(_strict_day),
    Query(description=AS_OF_HELP, examples=["2025-06-30"]),
]

Since = Annotated[
    Annotated[date, WithJsonSchema({**AS_OF_SCHEMA, "examples": ["2025-01-01"]})],
    BeforeValidator(_strict_day),
    Query(
        description="Changes from this day on (UTC), exactly YYYY-MM-DD.", examples=["2025-01-01"]
    ),
]

EntityId = Annotated[
    str,
    Path(
        description="An entity id, as /v1/search and /v1/resolve give them.",
        examples=["hikvision"],
    ),
]

Target = Annotated[
    str | None,
    Query(
        max_length=500,
        description="The group asked about: an entity id or a name (default: Hikvision).",
        examples=["dahua"],
    ),
]

Dataset = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Only loads of this dataset (as /v1/sources names them).",
        examples=["ieee-registry"],
    ),
]
