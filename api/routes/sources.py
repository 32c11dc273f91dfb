"""The load log over HTTP: which files are in the store, when they came and what they held."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from supplygraph.api.deps import Dataset, Graph
from supplygraph.api.errors import responses

router = APIRouter(prefix="/v1", tags=["sources"])


class SourceLoad(BaseModel):
    """One loaded file (its name: where it lay on the server is not for callers);
    ``designations`` counts the listings it stated."""

    id: str = Field(description="The load's id.", examples=["load-2025-06-30-01"])
    file: str = Field(description="The file's name.", examples=["oui.txt"])
    sha256: str = Field(
        description="SHA-256 of the file.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    format: str = Field(description="The format it was read as.", examples=["oui"])
    dataset: str = Field(description="The dataset it belongs to.", examples=["ieee-registry"])
    loaded_at: datetime = Field(
        description="When the load finished (UTC).", examples=["2025-06-30T04:00:00Z"]
    )
    counts: dict[str, int] = Field(
        description="Records read and written, by kind.", examples=[{"read": 38000}]
    )
    warnings: list[str] = Field(
        description="What the loader noted but did not refuse.",
        examples=[["line 12: empty organization name, row skipped"]],
    )
    designations: int = Field(description="How many listings the file stated.", examples=[0])
    # Whether the file showed by its own evidence that it is whole (a trailer, a record count,
    # a checksum file; see loaders/README.md): only such a load ends listings that disappeared.
    # None for loads logged before this was recorded.
    complete: bool | None = Field(
        default=None,
        description="Whether the file showed by its own evidence that it is whole; only such "
        "a load ends listings that disappeared. Null for older loads.",
        examples=[True],
    )
    evidence: str | None = Field(
        default=None,
        description="What showed it whole.",
        examples=["record count in the trailer matches"],
    )


def file_name(path: str) -> str:
    r"""The file name of a stored path, whichever system it was loaded on.

    >>> file_name("/srv/lists/sdn.csv"), file_name("C:\\lists\\sdn.csv")
    ('sdn.csv', 'sdn.csv')
    """
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@router.get("/sources", response_model=list[SourceLoad], responses=responses())
def sources(graph: Graph, dataset: Dataset = None) -> list[SourceLoad]:
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
