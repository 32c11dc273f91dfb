"""The load log over HTTP: which files are in the store, when they came and what they held."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from supplygraph.api.deps import Graph
from supplygraph.api.errors import responses

router = APIRouter(prefix="/v1", tags=["sources"])


class SourceLoad(BaseModel):
    """One loaded file (its name: where it lay on the server is not for callers);
    ``designations`` counts the listings it stated."""

    id: str
    file: str
    sha256: str
    format: str
    dataset: str
    loaded_at: datetime
    counts: dict[str, int]
    warnings: list[str]
    designations: int
    # Whether the file showed by its own evidence that it is whole (a trailer, a record count,
    # a checksum file; see loaders/README.md): only such a load ends listings that disappeared.
    # None for loads logged before this was recorded.
    complete: bool | None = None
    evidence: str | None = None


def file_name(path: str) -> str:
    r"""The file name of a stored path, whichever system it was loaded on.

    >>> file_name("/srv/lists/sdn.csv"), file_name("C:\\lists\\sdn.csv")
    ('sdn.csv', 'sdn.csv')
    """
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@router.get("/sources", response_model=list[SourceLoad], responses=responses())
def sources(
    graph: Graph, dataset: Annotated[str | None, Query(max_length=200)] = None
) -> list[SourceLoad]:
    """The load log, newest first (optionally one dataset's entries)."""
    return [
        SourceLoad(
            id=e.id,
            file=file_name(e.file),
            sha256=e.sha256,
            format=e.format,
            dataset=e.dataset,
            loaded_at=e.loaded_at,
            counts=e.counts,
            warnings=list(e.warnings),
            designations=len(e.designation_ids),
            complete=e.complete,
            evidence=e.evidence,
        )
        for e in graph.view.loads(dataset)
    ]
