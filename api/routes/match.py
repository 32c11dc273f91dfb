"""``POST /match/{dataset}``: yente's screening call, answered from this graph.

A system that screens names through yente can point its base URL here unchanged: the request
(``queries`` of FtM examples; ``limit``, ``threshold``, ``cutoff``) and the response
(``responses`` with ``results``, ``total``, ``query``; ``matcher``; ``limit``) have yente's
shape. What this service does not act on (another dataset, ``algorithm``, ``weights``,
``topics``, ...) is accepted and listed in ``ignored``, never silently answered differently.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from supplygraph.api.deps import AsOf, Graph
from supplygraph.api.errors import responses
from supplygraph.api.routes.match_models import Ignored, MatchRequest, MatchResponse
from supplygraph.api.screening import MATCHER, Screening, screen

router = APIRouter(tags=["match"])

DATASETS = ("default", "supplygraph")
MAX_LIMIT = 500


@router.post(
    "/match/{dataset}",
    response_model=MatchResponse,
    response_model_by_alias=True,
    responses=responses(404),
)
def match(
    graph: Graph,
    body: MatchRequest,
    dataset: Annotated[
        str,
        Path(
            max_length=100,
            description="yente's dataset name. `default` and `supplygraph` are this graph; any "
            "other name is answered from this graph too and reported in `ignored`.",
            examples=["default"],
        ),
    ],
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Results per query, best first.", examples=[5])
    ] = 5,
    threshold: Annotated[
        float, Query(ge=0, le=1, description="`match` is true from this score on.", examples=[0.7])
    ] = 0.7,
    cutoff: Annotated[
        float,
        Query(ge=0, le=1, description="Candidates below this score are left out.", examples=[0.5]),
    ] = 0.5,
    target: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Entity id or name each result's `verdict` is about (default Hikvision).",
            examples=["dahua"],
        ),
    ] = None,
    as_of: AsOf = None,
    algorithm: Annotated[
        str | None,
        Query(
            max_length=100,
            description="yente's algorithm name; reported in `ignored`.",
            examples=["logic-v1"],
        ),
    ] = None,
    include_dataset: Annotated[
        list[str] | None,
        Query(
            description="yente's dataset filter; reported in `ignored`.", examples=[["sanctions"]]
        ),
    ] = None,
    exclude_dataset: Annotated[
        list[str] | None,
        Query(description="yente's dataset filter; reported in `ignored`.", examples=[["peps"]]),
    ] = None,
    topics: Annotated[
        list[str] | None,
        Query(description="yente's topic filter; reported in `ignored`.", examples=[["sanction"]]),
    ] = None,
    changed_since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="yente's change filter; reported in `ignored`.",
            examples=["2025-01-01"],
        ),
    ] = None,
    exclude_schema: Annotated[
        list[str] | None,
        Query(description="Leave out results of these FtM schemata.", examples=[["Person"]]),
    ] = None,
    exclude_entity_ids: Annotated[
        list[str] | None,
        Query(description="Leave out these entity ids.", examples=[["hikvision"]]),
    ] = None,
) -> MatchResponse:
    """Screen FtM-shaped examples (yente's ``/match``): candidates with scores, features and
    this service's verdict for the target on each.

    Names are searched as on ``/v1/search``; identifiers (registrationNumber, leiCode,
    isinCode) match exactly; a contradicting country lowers the score."""
    ignored: list[Ignored] = []
    if dataset not in DATASETS:
        ignored.append(
            Ignored(
                parameter="dataset",
                reason=f"{dataset!r} is not a dataset here; matched against the whole graph",
            )
        )
    unused = {
        "algorithm": algorithm,
        "include_dataset": include_dataset,
        "exclude_dataset": exclude_dataset,
        "topics": topics,
        "changed_since": changed_since,
        "weights": body.weights,
        "config": body.config,
    }
    ignored += [
        Ignored(parameter=name, reason="not supported here; the default scoring is used")
        for name, value in unused.items()
        if value
    ]
    ask = Screening(
        threshold=threshold,
        cutoff=cutoff,
        limit=limit,
        target=target,
        as_of=as_of,
        exclude_schema=frozenset(exclude_schema or ()),
        exclude_ids=frozenset(exclude_entity_ids or ()),
    )
    if target is not None:
        graph.resolver.find_target(target)  # an unknown target is a 404 before any work
    answers = {qid: screen(graph, qid, example, ask) for qid, example in body.queries.items()}
    ignored += [
        Ignored(parameter=f"properties.{prop}", reason="not compared here")
        for prop in sorted(ask.unread)
    ]
    return MatchResponse(
        responses=answers, matcher=MATCHER, limit=limit, dataset=dataset, ignored=ignored
    )
