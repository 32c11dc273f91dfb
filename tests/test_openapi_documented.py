"""The OpenAPI document describes itself: every parameter and field has words and an example.

A generated client turns descriptions into docstrings and examples into its documentation, and
schema-driven tests draw values from patterns; a field nobody described is a field a client
author has to guess.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from supplygraph.api.routes.resolve import FCC_ID_PATTERN, MAC_PATTERN
from supplygraph.graph.engine.outlets import BulkLine
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.normalize import fcc_grantee_code, mac_prefixes

SCALARS = {"string", "integer", "number", "boolean"}


@pytest.fixture(scope="module")
def doc(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    found: dict[str, Any] = doc
    for part in ref.removeprefix("#/").split("/"):
        found = found[part]
    return found


def _variants(doc: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of a schema (``anyOf``, ``oneOf``), references followed."""
    alternatives = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return [_resolve(doc, a) for a in alternatives if a.get("type") != "null"]


def _plain(doc: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A value a reader can be shown in a line: a scalar, an enum, or a list of them.

    Fields holding objects are exemplified by the fields of those objects, one by one.
    """
    for variant in _variants(doc, schema):
        if variant.get("type") == "array":
            if not _plain(doc, variant.get("items", {})):
                return False
        elif variant.get("type") not in SCALARS and "enum" not in variant:
            return False
    return True


def _has_example(*places: dict[str, Any]) -> bool:
    return any("example" in p or p.get("examples") or "const" in p or "enum" in p for p in places)


def _properties(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in doc["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            yield f"{name}.{field}", prop
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for media, content in op.get("requestBody", {}).get("content", {}).items():
                schema = content["schema"]
                items = schema.get("items", schema)
                for field, prop in _resolve(doc, items).get("properties", {}).items():
                    yield f"{method} {path} {media} body.{field}", prop


def test_every_parameter_is_described_with_an_example(doc: dict[str, Any]) -> None:
    missing = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                where = f"{method.upper()} {path} {param['name']}"
                if not param.get("description"):
                    missing.append(where + ": no description")
                schema = param.get("schema", {})
                if not _has_example(param, schema, *_variants(doc, schema)):
                    missing.append(where + ": no example")
    assert not missing, "\n".join(missing)


def test_every_field_is_described_and_plain_fields_have_an_example(doc: dict[str, Any]) -> None:
    missing = []
    count = 0
    for where, prop in _properties(doc):
        count += 1
        variants = _variants(doc, prop)
        if not prop.get("description"):
            missing.append(where + ": no description")
        if _plain(doc, prop) and not _has_example(prop, *variants):
            missing.append(where + ": no example")
    assert count > 200
    assert not missing, f"{len(missing)} of {count}:\n" + "\n".join(missing)


def test_operations_declare_their_responses(doc: dict[str, Any]) -> None:
    health = doc["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]
    assert _resolve(doc, health["schema"])["required"] == ["status", "version"]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status in ("429", "503"):
                if status in op["responses"]:
                    headers = op["responses"][status].get("headers", {})
                    assert "Retry-After" in headers, (method, path, status)


@pytest.mark.parametrize(
    "mac",
    [
        "0C-75-D2-AB-CD-EF",
        "0c:75:d2:ab:cd:ef",
        "0c75.d2ab.cdef",
        "0C75D2ABCDEF",
        "0C75D2",
        "0c 75 d2",
        " 0C75D2ABCDEF\n",
        "c:75:d2:ab:cd:ef",
    ],
)
def test_the_mac_pattern_accepts_what_the_resolver_reads(mac: str) -> None:
    assert re.search(MAC_PATTERN, mac)
    assert mac_prefixes(mac)["oui"] == "0C75D2"


@pytest.mark.parametrize(
    "mac", ["zz:zz", "0C75D2AB", "0C-75-D2-AB-CD-EF-00-11", "0C75D", "0", "c:75:d2"]
)
def test_the_mac_pattern_refuses_what_the_resolver_refuses(mac: str) -> None:
    assert not re.search(MAC_PATTERN, mac)
    with pytest.raises(InvalidQuery):
        mac_prefixes(mac)


@pytest.mark.parametrize(
    ("fcc_id", "ok"),
    [
        ("2ADTD-5604SD", True),
        ("BBQ", True),
        ("bbq-ipc123", True),
        ("2AD", False),
        ("B-Q1", False),
        ("-BQ", False),
        ("2ADT-1", False),
    ],
)
def test_the_fcc_id_pattern_matches_the_grantee_code_rule(fcc_id: str, ok: bool) -> None:
    assert bool(re.search(FCC_ID_PATTERN, fcc_id)) is ok
    if ok:
        fcc_grantee_code(fcc_id)
    else:
        with pytest.raises(InvalidQuery):
            fcc_grantee_code(fcc_id)


def test_a_blank_search_is_refused_as_documented(doc: dict[str, Any], client: TestClient) -> None:
    (q,) = [p for p in doc["paths"]["/v1/search"]["get"]["parameters"] if p["name"] == "q"]
    assert not re.search(q["schema"]["pattern"], "   ")
    assert client.get("/v1/search", params={"q": "   "}).status_code == 422
    assert client.get("/v1/search", params={"q": " 海康 "}).status_code == 200


def _self_contained(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with the document's components as its own ``$defs``, to validate with."""
    text = json.dumps({**schema, "$defs": doc["components"]["schemas"]})
    return dict(json.loads(text.replace("#/components/schemas/", "#/$defs/")))


BULK_BODY = (
    "brand,name,mac\n"
    "HiLook,,\n"  # yes
    "HiWatch,,\n"  # possible: a weak link on the path
    ",CCTV Empire Limited,\n"  # a distributor's no
    ",Zqxv Nonesuch Widgets,\n"  # unknown
    ",,zz\n"  # a bad row
)


def test_the_bulk_answer_documents_its_line(doc: dict[str, Any], client: TestClient) -> None:
    """Each NDJSON line of the bulk answer is a BulkLine: the document names the schema for the
    lines, real lines of every kind validate against it, and every key it names is met."""
    ndjson = doc["paths"]["/v1/resolve/bulk"]["post"]["responses"]["200"]["content"]
    line = _resolve(doc, ndjson["application/x-ndjson"]["itemSchema"])
    assert set(line["properties"]) == set(BulkLine.model_fields)
    # A key that some answers have nothing to say in is left out of their lines: not required.
    assert set(line["required"]) == {"row", "verdict", "error"}
    answer = client.post(
        "/v1/resolve/bulk?target=hikvision",
        content=BULK_BODY,
        headers={"content-type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    lines = [json.loads(text) for text in answer.text.splitlines()]
    assert [x["verdict"] for x in lines] == ["yes", "possible", "no", "unknown", None]
    validator = Draft202012Validator(_self_contained(doc, line))
    for got in lines:
        assert [e.message for e in validator.iter_errors(got)] == [], got
    assert set().union(*lines) == set(line["properties"])
    assert lines[2]["distributes"] and lines[4]["error"]["code"] == "invalid_query"
