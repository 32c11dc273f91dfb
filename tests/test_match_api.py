"""``POST /match/{dataset}``: yente's request in, yente's response shape out, plus verdicts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from followthemoney import model


def _match(client: TestClient, queries: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = client.post("/match/default", json={"queries": queries}, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_yente_request_gets_yente_shape_with_verdicts(client: TestClient) -> None:
    body = _match(
        client,
        {
            "hik": {
                "schema": "Company",
                "properties": {"name": ["Hikvision"], "jurisdiction": ["cn"]},
            },
            "adi": {"schema": "LegalEntity", "properties": {"name": "ADI Global Distribution"}},
        },
    )
    assert set(body) >= {"responses", "matcher", "limit"}
    assert body["limit"] == 5 and body["ignored"] == []
    hik = body["responses"]["hik"]
    assert hik["status"] == 200 and hik["query"]["schema"] == "Company"
    assert hik["total"]["relation"] == "eq" and hik["total"]["value"] >= len(hik["results"])
    best = hik["results"][0]
    assert best["id"] == "hikvision" and best["match"] is True
    assert best["caption"] == "Hangzhou Hikvision Digital Technology Co., Ltd."
    assert best["features"]["country_match"] == 1.0
    assert best["target"] is True  # on active lists
    assert best["verdict"]["verdict"] == "yes" and best["verdict"]["target"]["id"] == "hikvision"
    scores = [r["score"] for r in hik["results"]]
    assert scores == sorted(scores, reverse=True)
    # The distributor is a match and a `no`, as /v1/resolve says for the same name.
    adi = body["responses"]["adi"]["results"][0]
    assert adi["id"] == "adi-global-distribution" and adi["verdict"]["verdict"] == "no"
    asked = client.get("/v1/resolve", params=adi["verdict"]["asked"]).json()
    assert asked["verdict"] == adi["verdict"]["verdict"]


def test_results_are_valid_ftm_entities(client: TestClient) -> None:
    body = _match(client, {"q": {"schema": "Thing", "properties": {"name": ["HiLook"]}}})
    results = body["responses"]["q"]["results"]
    assert results
    for result in results:
        proxy = model.get_proxy(
            {"id": result["id"], "schema": result["schema"], "properties": result["properties"]},
            cleaned=False,
        )
        assert proxy.schema.name == result["schema"]
        urls = result["properties"].get("sourceUrl", [])
        assert len(urls) == len(set(urls))


def test_identifier_matches_without_a_name(client: TestClient) -> None:
    uscc = {"registrationNumber": "91330000733796106P"}
    body = _match(client, {"q": {"schema": "Company", "properties": uscc}})
    [hit] = body["responses"]["q"]["results"]
    assert hit["id"] == "hikvision" and hit["features"]["identifier_match"] == 1.0


def test_threshold_cutoff_limit_and_target(client: TestClient) -> None:
    queries = {"q": {"schema": "Company", "properties": {"name": ["Dahua"]}}}
    loose = _match(client, queries, cutoff=0.1, limit=20)["responses"]["q"]
    strict = _match(client, queries, cutoff=0.99, threshold=0.99, limit=1, target="dahua")
    answer = strict["responses"]["q"]
    assert len(answer["results"]) == 1 and answer["total"]["value"] <= loose["total"]["value"]
    assert all(r["score"] >= 0.99 for r in answer["results"])
    assert answer["results"][0]["verdict"]["target"]["id"] == "dahua"
    assert answer["results"][0]["verdict"]["verdict"] == "yes"


def test_unsupported_parameters_are_reported(client: TestClient) -> None:
    response = client.post(
        "/match/sanctions",
        params={"algorithm": "logic-v2", "topics": "sanction"},
        json={
            "queries": {"q": {"schema": "Company", "properties": {"name": "Hikvision", "x": "1"}}},
            "weights": {"name_literal": 0.8},
        },
    )
    assert response.status_code == 200
    ignored = {i["parameter"] for i in response.json()["ignored"]}
    assert ignored == {"dataset", "algorithm", "topics", "weights", "properties.x"}


def test_bad_queries_are_named(client: TestClient) -> None:
    cases = [
        ({"q": {"schema": "Vessel", "properties": {"name": "x"}}}, "queries.q.schema"),
        ({"q": {"schema": "Company", "properties": {"country": "cn"}}}, "queries.q.properties"),
        ({"q": {"properties": {"name": "x"}}}, "queries.q.schema"),
    ]
    for queries, field in cases:
        response = client.post("/match/default", json={"queries": queries})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"]["field"] == field
    unknown = client.post(
        "/match/default",
        params={"target": "no such target anywhere"},
        json={"queries": {"q": {"schema": "Company", "properties": {"name": "x"}}}},
    )
    assert unknown.status_code == 404
