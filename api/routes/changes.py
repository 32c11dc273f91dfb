"""What the loads of each dataset changed: entities and listings added, removed, changed."""

from __future__ import annotations

from datetime import UTC, datetime, time

from fastapi import APIRouter

from supplygraph.api.deps import Dataset, Graph, Since
from supplygraph.api.errors import responses
from supplygraph.api.routes.sources import file_name
from supplygraph.graph.model.records import ChangeSet

router = APIRouter(prefix="/v1", tags=["sources"])


@router.get("/changes", response_model=list[ChangeSet], responses=responses())
def changes(
    graph: Graph,
    since: Since,
    dataset: Dataset = None,
) -> list[ChangeSet]:
    """The change sets of the loads since a day, newest first (optionally of one dataset).

    Each compares a load with the previous load of its dataset: ``counts`` says how many
    entities and listings were added, removed (a delisting: the listing is end-dated) and
    changed; ``items`` names them (up to 5,000; ``truncated`` when more). A dataset's first
    load has no previous one: its counts say what it brought, with no items.
    """
    start = datetime.combine(since, time.min, tzinfo=UTC)
    return [
        c.model_copy(update={"file": file_name(c.file)}) for c in graph.view.changes(start, dataset)
    ]
