"""The REST API over the real seeded store: contract fields, errors as 4xx with one shape."""

from __future__ import annotations

import gzip
from typing import Any

import orjson
import pytest
from factories import edge, org
from fastapi.testclient import TestClient
from httpx import Response

from supplygraph.api.app import create_app
from supplygraph.graph.model.records import Relation
from supplygraph.service import SupplyGraph


def _error(resp: Response) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "details"} <= set(error)
    return error


def test_healthz(client: TestClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json()["status"] == "ok"


def test_resolve_contract_fields(client: TestClient) -> None:
    resp = client.get("/v1/resolve", params={"mac": "0C-75-D2-AB-CD-EF"})
    assert resp.status_code == 200
    body = resp.json()
    assert {"verdict", "target", "matched", "paths", "designations", "confidence"} <= set(body)
    assert body["verdict"] == "yes"
    assert body["target"] == {
        "id": "hikvision",
        "name": body["target"]["name"],
        "kind": "organization",
    }
    assert {"id", "name", "kind", "score"} <= set(body["matched"][0])
    step = body["paths"][0][0]
    assert {"from", "to", "relation", "share", "valid_from", "valid_to", "sources"} <= set(step)
    assert step["from"] == "hikvision"
    source = body["paths"][0][-1]["sources"][0]
    assert source["url"].startswith("https://") and source["title"]
    des = body["designations"][0]
    assert {"list", "authority", "program", "start_date", "end_date", "sources"} <= set(des)


def test_resolve_is_gzipped_only_for_clients_that_accept_it(client: TestClient) -> None:
    # An answer goes out plain the first time (compressing costs more than it saves once).
    fresh = {"name": "Hikvision Digital Technology Co Ltd Hangzhou"}
    first, again = (
        client.get("/v1/resolve", params=fresh, headers={"Accept-Encoding": "gzip"})
        for _ in range(2)
    )
    assert "content-encoding" not in first.headers
    assert again.headers["content-encoding"] == "gzip" and again.json() == first.json()
    params = {"name": "Hangzhou Hikvision Digital Technology"}
    plain = client.get("/v1/resolve", params=params, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    # Read the raw bytes: the test client would otherwise undo the gzip itself.
    with client.stream(
        "GET", "/v1/resolve", params=params, headers={"Accept-Encoding": "gzip, deflate"}
    ) as packed:
        assert packed.headers["content-encoding"] == "gzip"
        raw = b"".join(packed.iter_raw())
    assert len(raw) < len(plain.content) / 3
    assert orjson.loads(gzip.decompress(raw)) == plain.json()
    refused = client.get("/v1/resolve", params=params, headers={"Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers and refused.json() == plain.json()


def test_a_repeated_request_sees_a_load_made_in_between(empty_graph: SupplyGraph) -> None:
    """The same query string asked before and after a load: the second answer is the new one
    (requests seen before go straight to the cached answer of their store version)."""
    client = TestClient(create_app(empty_graph), raise_server_exceptions=False)
    url = "/v1/resolve?name=Korvalent%20Zemblaxo&target=korvalent"
    with empty_graph.store.writer() as w:
        w.put([org("korvalent", "Korvalent Holdings")])
    first = [client.get(url).json() for _ in range(2)]
    assert [a["verdict"] for a in first] == ["unknown", "unknown"]
    with empty_graph.store.writer() as w:
        w.put([org("kz", "Korvalent Zemblaxo")])
        w.put([edge("korvalent", Relation.OWNS, "kz", share=100)])
    second = client.get(url).json()
    assert second["verdict"] == "yes"
    assert [m["id"] for m in second["matched"]] == ["kz"]


def test_resolve_with_target_and_as_of(client: TestClient) -> None:
    resp = client.get(
        "/v1/resolve", params={"brand": "Lorex", "target": "dahua", "as_of": "2020-01-01"}
    )
    assert resp.status_code == 200 and resp.json()["verdict"] == "yes"


def test_bad_mac_is_422_with_field(client: TestClient) -> None:
    resp = client.get("/v1/resolve", params={"mac": "zz:zz"})
    assert resp.status_code == 422
    err = _error(resp)
    assert err["code"] == "invalid_query"
    assert err["details"] == {"field": "mac"}
    assert "zz:zz" in str(err["message"])


def test_empty_query_is_422(client: TestClient) -> None:
    resp = client.get("/v1/resolve")
    assert resp.status_code == 422
    assert _error(resp)["details"] == {"field": "query"}


def test_unknown_target_is_404(client: TestClient) -> None:
    resp = client.get("/v1/resolve", params={"brand": "HiLook", "target": "qqqq zzzz"})
    assert resp.status_code == 404
    assert _error(resp)["code"] == "target_not_found"


def test_bad_date_is_422_naming_field(client: TestClient) -> None:
    resp = client.get("/v1/resolve", params={"brand": "HiLook", "as_of": "yesterday"})
    assert resp.status_code == 422
    assert "as_of" in str(_error(resp)["message"])


def test_search_by_name_alias_and_identifier(client: TestClient) -> None:
    hits = client.get("/v1/search", params={"q": "海康威视"}).json()
    assert hits[0]["id"] == "hikvision"
    hits = client.get("/v1/search", params={"q": "91330000733796106P"}).json()
    assert hits[0]["id"] == "hikvision" and hits[0]["matched_on"] == "uscc:91330000733796106P"
    hits = client.get("/v1/search", params={"q": "0c:75:d2"}).json()
    assert hits[0]["kind"] == "identifier"
    assert client.get("/v1/search", params={"q": ""}).status_code == 422


def test_search_as_you_type_matches_the_word_being_typed(client: TestClient) -> None:
    hits = client.get("/v1/search", params={"q": "hikvi"}).json()
    assert hits[0]["id"] == "hikvision" and hits[0]["matched_on"].startswith("prefix:")
    assert all(h["score"] < 0.75 for h in hits)  # below any whole-word match
    # Earlier words must be whole words of the name; the last one may be partial.
    two = client.get("/v1/search", params={"q": "hangzhou hikv"}).json()
    assert two and all("Hangzhou" in h["name"] for h in two)
    assert client.get("/v1/search", params={"q": "zhejiang hikv"}).json() == []
    # Whole-word matches still come first, and two letters are not taken as a prefix.
    assert client.get("/v1/search", params={"q": "hikvision"}).json()[0]["score"] == 1.0
    assert not any(
        h["matched_on"].startswith("prefix:")
        for h in client.get("/v1/search", params={"q": "hi"}).json()
    )


def test_search_ties_favour_the_entity_the_text_names(client: TestClient) -> None:
    # 海康 is in Hikvision's name (海康威视) and in its owner CETHIK's (中电海康): same score,
    # but the name that begins with it is the entity itself.
    hits = client.get("/v1/search", params={"q": "海康"}).json()
    ids = [h["id"] for h in hits]
    assert {"hikvision", "cethik"} <= set(ids)
    assert hits[0]["id"] == "hikvision"
    cethik = ids.index("cethik")
    assert hits[cethik]["score"] == hits[0]["score"]  # a tie, decided for Hikvision
    assert all(h["score"] >= hits[cethik]["score"] for h in hits[:cethik])


def test_search_merges_a_curated_company_with_its_registry_records(client: TestClient) -> None:
    merged = client.get("/v1/search", params={"q": "hikvision"}).json()
    top = merged[0]
    assert top["id"] == "hikvision"
    # The IEEE MAC registry's record of Hikvision (SAME_AS in the data) is under it, not a hit.
    also = {r["id"]: r for r in top["also"]}
    assert len(also) == 1
    ((record_id, record),) = also.items()
    assert record["name"] == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert record["score"] > 0
    assert record_id not in {h["id"] for h in merged}
    # Two records of Dahua in the registry: both under Dahua.
    dahua = client.get("/v1/search", params={"q": "dahua"}).json()
    assert dahua[0]["id"] == "dahua" and len(dahua[0]["also"]) == 2
    assert not any(h["id"].startswith("ieee-") for h in dahua)
    # merge=false: every record a hit of its own, as /match and /reconcile see them.
    flat = client.get("/v1/search", params={"q": "hikvision", "merge": "false"}).json()
    assert record_id in {h["id"] for h in flat} and all(h["also"] == [] for h in flat)
    # The same hits either way, only folded.
    folded = {h["id"] for h in merged} | {r["id"] for h in merged for r in h["also"]}
    assert folded == {h["id"] for h in flat}


def test_search_ui_lists_registry_records_under_the_company(client: TestClient) -> None:
    html = client.get("/ui/", params={"q": "hikvision"}).text
    results = html[html.index('<ol id="results"') :]
    # The first hit's item: up to where the second hit's item begins.
    first = results[: results.index("<li><a href=", results.index("<li><a href=") + 1)]
    assert '/ui/entities/hikvision"' in first and 'class="r-also"' in first
    assert "also as" in first and "Hangzhou Hikvision Digital Technology Co.,Ltd." in first


def test_entity_page_data(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision").json()
    assert "杭州海康威视数字技术股份有限公司" in body["aliases"]
    assert {"scheme": "uscc", "value": "91330000733796106P"} in body["identifiers"]
    assert body["designations"] and body["sources"]
    assert client.get("/v1/entities/nope").status_code == 404


def test_owners_shape_and_chain(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision/owners").json()
    assert body["entity"]["id"] == "hikvision"
    owners = {o["id"]: o for o in body["owners"]}
    assert {"cethik", "cetc", "sasac"} <= set(owners)
    for o in owners.values():
        assert {
            "id",
            "name",
            "kind",
            "depth",
            "direct_share",
            "effective_share",
            "controls",
            "ultimate",
            "paths",
        } <= set(o)
    assert owners["sasac"]["ultimate"] is True
    assert owners["cethik"]["depth"] == 1


def test_holdings_and_depth_validation(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision/holdings").json()
    assert "hikrobot" in {h["id"] for h in body["holdings"]}
    assert client.get("/v1/entities/hikvision/owners", params={"max_depth": 0}).status_code == 422


def test_openapi_is_served(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/v1/resolve",
        "/v1/search",
        "/v1/entities/{entity_id}",
        "/v1/entities/{entity_id}/owners",
        "/v1/entities/{entity_id}/holdings",
    } <= set(paths)


@pytest.mark.parametrize("day", ["0", "1590969600", "20200601", "2020-02-30", "2020-6-1"])
@pytest.mark.parametrize(
    "path",
    [
        "/v1/resolve?name=Hikvision",
        "/v1/entities/hikvision/owners",
        "/v1/entities/hikvision/regimes",
    ],
)
def test_as_of_must_be_an_iso_date(client: TestClient, path: str, day: str) -> None:
    resp = client.get(path, params={"as_of": day})
    assert resp.status_code == 422
    err = _error(resp)
    assert err["details"]["field"] == "as_of"
    assert str(err["message"]).startswith("as_of:") and repr(day) in str(err["message"])


def test_openapi_documents_the_error_shape(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
    assert doc["components"]["securitySchemes"]["Bearer"]["scheme"] == "bearer"
    error = {"$ref": "#/components/schemas/ErrorBody"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not path.startswith("/v1"):
                continue
            assert {"401", "422", "429"} <= set(op["responses"]), (method, path)
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == error
            if "{entity_id}" in path:
                assert "404" in op["responses"], path
    bulk = doc["paths"]["/v1/resolve/bulk"]["post"]
    assert set(bulk["requestBody"]["content"]) == {
        "application/json",
        "application/x-ndjson",
        "text/csv",
        "application/octet-stream",
        "multipart/form-data",
    }
    assert {"413", "415"} <= set(bulk["responses"])
    assert "application/x-ndjson" in bulk["responses"]["200"]["content"]


def test_sources_list_the_seed_and_the_ieee_registry(client: TestClient) -> None:
    """The bootstrap loads go through the ingest pipeline, so the load log names them."""
    body = client.get("/v1/sources").json()
    by_dataset = {entry["dataset"]: entry for entry in body}
    assert set(by_dataset) == {"supplygraph-seed", "ieee-registry"}
    assert by_dataset["ieee-registry"]["file"] == "oui.txt"
    assert by_dataset["supplygraph-seed"]["file"] == "seed_data"
    assert by_dataset["ieee-registry"]["counts"]["read"] > 100_000
    assert len(by_dataset["supplygraph-seed"]["sha256"]) == 64
    assert by_dataset["supplygraph-seed"]["complete"] is True
