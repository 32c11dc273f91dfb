"""POST /v1/resolve/bulk: JSON array, NDJSON, CSV (body and upload), order, inline errors, 413."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from supplygraph.api.app import create_app
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

URL = "/v1/resolve/bulk"
QUERIES: list[dict[str, str]] = [
    {"mac": "0c:75:d2:11:22:33"},
    {"brand": "HiLook"},
    {"mac": "zz"},
    {"name": "CETHIK"},
    {"fcc_id": "2ADTD-5604SD", "model": "DS-2CD2143G2-I"},
    {},
    {"brand": "Lorex"},
]


def _lines(resp: Any) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in resp.text.splitlines() if line]


def _expected(client: TestClient, query: dict[str, str]) -> tuple[Any, Any]:
    single = client.get("/v1/resolve", params=query)
    if single.status_code != 200:
        return None, single.json()["error"]["details"].get("field")
    return single.json()["verdict"], single.json()["confidence"]


def _check(client: TestClient, lines: list[dict[str, Any]]) -> None:
    assert [line["row"] for line in lines] == list(range(1, len(QUERIES) + 1))
    for query, line in zip(QUERIES, lines, strict=True):
        verdict, other = _expected(client, query)
        if verdict is None:
            assert line["verdict"] is None and line["error"]["field"] == other, line
        else:
            assert (line["verdict"], line["confidence"]) == (verdict, other), (query, line)
            assert line["error"] is None


def test_json_array(client: TestClient) -> None:
    lines = _lines(client.post(URL, json=QUERIES))
    _check(client, lines)
    assert lines[0]["matched"]["id"] == "oui:0C75D2"
    assert lines[0]["sources"][0]["url"].startswith("https://")
    assert "not a MAC address" in lines[2]["error"]["message"]


def test_ndjson(client: TestClient) -> None:
    body = "\n".join(json.dumps(q) for q in QUERIES) + "\n"
    resp = client.post(URL, content=body, headers={"content-type": "application/x-ndjson"})
    _check(client, _lines(resp))
    broken = client.post(
        URL,
        content='{"brand": "EZVIZ"}\n{nope\n{"brand": "Axis"}\n',
        headers={"content-type": "application/x-ndjson"},
    )
    lines = _lines(broken)
    assert [line["verdict"] for line in lines] == ["yes", None, lines[2]["verdict"]]
    assert lines[1]["error"]["code"] == "invalid_row" and lines[2]["error"] is None


def _csv() -> str:
    header = "MAC Address;Brand;Company;FCC ID;Model No.\n"
    rows = [
        ";".join(q.get(k, "") for k in ("mac", "brand", "name", "fcc_id", "model")) for q in QUERIES
    ]
    return header + "\n".join(rows) + "\n"


def test_csv_body_and_upload(client: TestClient) -> None:
    text = _csv()
    body = client.post(URL, content=text, headers={"content-type": "text/csv"})
    lines = _lines(body)
    # The sixth query is empty: in CSV that is a row of empty cells, which is not a row.
    assert len(lines) == len(QUERIES) - 1
    assert [line["row"] for line in lines] == list(range(1, len(QUERIES)))
    upload = client.post(URL, files={"file": ("inventory.csv", text.encode(), "text/csv")})
    assert _lines(upload) == lines
    assert lines[1]["verdict"] == "yes" and lines[2]["error"]["field"] == "mac"


def test_target_and_as_of(client: TestClient) -> None:
    lines = _lines(
        client.post(
            URL, params={"target": "dahua", "as_of": "2020-06-01"}, json=[{"brand": "Lorex"}]
        )
    )
    assert lines[0]["verdict"] == "yes"
    assert (
        client.post(URL, params={"target": "zzqqxx"}, json=[{"brand": "Lorex"}]).status_code == 404
    )


def test_bad_bodies_are_4xx(client: TestClient) -> None:
    no_columns = client.post(URL, content="a,b\n1,2\n", headers={"content-type": "text/csv"})
    assert no_columns.status_code == 422 and "no column" in no_columns.json()["error"]["message"]
    not_array = client.post(URL, content='"x"', headers={"content-type": "application/json"})
    assert not_array.status_code == 422
    wrong_type = client.post(URL, content="<a/>", headers={"content-type": "application/xml"})
    assert wrong_type.status_code == 415
    assert wrong_type.json()["error"]["code"] == "unsupported_media_type"


@pytest.fixture()
def small(graph: SupplyGraph) -> TestClient:
    return TestClient(
        create_app(graph, Settings(max_bulk_bytes=2_000)), raise_server_exceptions=False
    )


def test_request_size_limit_is_413(small: TestClient) -> None:
    big = [{"brand": "HiLook"}] * 200  # about 4 kB
    declared = small.post(URL, json=big)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while reading
        yield b"["
        for _ in range(199):
            yield b'{"brand": "HiLook"},'
        yield b'{"brand": "HiLook"}]'

    streamed = small.post(URL, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert small.post(URL, json=big[:10]).status_code == 200


def test_possible_and_distributor_rows_match_single_lookups(client: TestClient) -> None:
    queries = [
        {"brand": "HiWatch"},  # OWNS_BRAND rests on grade C only
        {"model": "DS-2CD2143G2-I"},  # fits a model-number family only
        {"name": "CCTV Empire Limited"},  # a Hikvision reseller: no, with what it distributes
        {"brand": "CCTV Empire Limited", "name": "CCTV Empire Limited"},
        {"brand": "HiLook"},
    ]
    lines = _lines(client.post(URL, json=queries))
    assert [line["verdict"] for line in lines] == ["possible", "possible", "no", "no", "yes"]
    for query, line in zip(queries, lines, strict=True):
        single = client.get("/v1/resolve", params=query).json()
        assert (line["verdict"], line["confidence"]) == (single["verdict"], single["confidence"])
        assert line.get("weak_links", []) == single["weak_links"], query
        assert line.get("distributes", []) == single["distributes"], query
    hiwatch = lines[0]
    assert hiwatch["weak_links"][0]["relation"] == "OWNS_BRAND"
    assert "only grade C sources" in hiwatch["weak_link"]
    assert lines[4]["weak_links"] == [] and lines[4]["weak_link"] is None
    empire = lines[2]
    [step] = empire["distributes"]
    assert (step["from_name"], step["relation"], step["to"]) == (
        "CCTV Empire Limited",
        "DISTRIBUTES",
        "hikvision",
    )
    assert step["strength"] == "strong" and step["sources"][0]["url"].startswith("http")
    assert empire["sources"][0]["id"] == step["sources"][0]["id"]
