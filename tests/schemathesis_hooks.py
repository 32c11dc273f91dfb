"""schemathesis hooks for tests/test_fuzz_api.py: how to send an NDJSON request body."""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from hypothesis.internal import lambda_sources

_describe_lambda = lambda_sources._lambda_description


def _lambda_description_or_unknown(f: Any) -> str:
    # Hypothesis names a filter's lambda by parsing the module that defines it; on CPython 3.11.7
    # parsing schemathesis's 4,000-line coverage module from deep in its generator stack raises
    # "SystemError: AST constructor recursion depth mismatch" (a CPython bug fixed in later 3.11
    # releases), which ends the run. The name is only used in a strategy's repr.
    try:
        return str(_describe_lambda(f))
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _lambda_description_or_unknown


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    # The schema calls the body a string of JSON lines; anything else is sent as one JSON line.
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return (json.dumps(value) + "\n").encode()
