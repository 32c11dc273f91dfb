"""Schema-driven fuzzing of every documented endpoint over the real app and seeded store.

schemathesis generates requests from ``/openapi.json`` (a bounded number per operation): the
server must never answer 5xx, a 2xx body must match the documented schema, and a 4xx body must
have the error shape of api/errors.py.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance
from supplygraph.api.app import create_app

from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

EXAMPLES_PER_OPERATION = 25


def _operations() -> list[tuple[str, str]]:
    """(path, method) of every documented operation; the schema does not depend on data."""
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(SupplyGraph.open("sqlite:///:memory:"), Settings())
    )
    return sorted(
        (op.path, op.method.upper())
        for result in schema.get_all_operations()
        for op in [result.ok()]
    )


@pytest.fixture(scope="module")
def api_schema(graph: SupplyGraph) -> schemathesis.BaseSchema:
    app = create_app(graph, Settings(access_log=False))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.mark.parametrize(("path", "method"), _operations())
def test_api_never_fails_and_matches_schema(
    api_schema: schemathesis.BaseSchema, path: str, method: str
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call()
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        if response.status_code < 300:
            case.validate_response(response, checks=[response_schema_conformance])
        else:
            body = response.json()
            assert set(body) == {"error"}, body
            assert {"code", "message", "details"} <= set(body["error"])

    check()
