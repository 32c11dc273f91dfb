"""``/reconcile``: the Reconciliation Service API 0.2, every response held to the
specification's rules (tests/reconciliation_rules.py), and a real client against a live server.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from live_server import serve
from reconciler import reconcile
from reconciliation_rules import (
    ExtensionResponse,
    ProposeResponse,
    SuggestResponse,
    check_batch,
    check_manifest,
)

PROPERTIES = ["verdict", "ultimate_owner", "state_owned", "designations", "distributes", "country"]


def _post(client: TestClient, **form: Any) -> Any:
    response = client.post("/reconcile", data={k: json.dumps(v) for k, v in form.items()})
    assert response.status_code == 200, response.text
    return response.json()


def test_manifest_follows_the_rules(client: TestClient) -> None:
    manifest = check_manifest(client.get("/reconcile").json())
    assert {t.id for t in manifest.defaultTypes} == {"Organization", "Brand"}
    assert manifest.view is not None and manifest.preview is not None
    # Every advertised service answers.
    for kind, where in manifest.suggest.items():
        assert where.service_path is not None
        reply = client.get(where.service_path, params={"prefix": "hik"})
        assert reply.status_code == 200, kind
        SuggestResponse.model_validate(reply.json())
    preview = client.get(manifest.preview.url.replace("{{id}}", "hikvision").split("testserver")[1])
    assert preview.status_code == 200 and "Hikvision" in preview.text


def test_batch_with_types_and_properties(client: TestClient) -> None:
    batch = check_batch(
        _post(
            client,
            queries={
                "org": {"query": "Hikvision", "type": "Organization"},
                "brand": {"query": "HiLook", "type": ["Brand"]},
                "mac": {"query": "BC:AD:28:11:22:33", "type": "MacBlock"},
                "fcc": {"query": "2ADTD-5604SD", "type": "FccGrantee"},
                "uscc": {
                    "query": "",
                    "properties": [{"pid": "identifier", "v": "91330000733796106P"}],
                },
                "ca": {
                    "query": "Hikvision",
                    "type": "Organization",
                    "properties": [{"pid": "country", "v": "CA"}],
                },
            },
        )
    )
    org = batch["org"].result
    assert org[0].id == "hikvision" and org[0].match is True
    assert all(c.type[0].id == "Organization" for c in org)
    assert [c.score for c in org] == sorted((c.score for c in org), reverse=True)
    assert batch["brand"].result[0].id == "brand-hilook"
    assert batch["mac"].result and batch["mac"].result[0].match
    assert "BCAD28" in (batch["mac"].result[0].description or "")
    assert batch["fcc"].result[0].id == "fcc_grantee:2ADTD"
    assert batch["uscc"].result[0].id == "hikvision"
    # A country constraint puts the Canadian company ahead of the Chinese one.
    assert batch["ca"].result[0].id == "hikvision-canada"


def test_get_queries_equal_post(client: TestClient) -> None:
    queries = {"q": {"query": "Dahua", "type": "Organization", "limit": 2}}
    by_get = client.get("/reconcile", params={"queries": json.dumps(queries)}).json()
    assert by_get == _post(client, queries=queries)
    assert len(by_get["q"]["result"]) == 2


def test_data_extension(client: TestClient) -> None:
    ids = ["hikvision", "adi-global-distribution", "brand-hilook", "no-such-entity"]
    body = _post(client, extend={"ids": ids, "properties": [{"id": p} for p in PROPERTIES]})
    answer = ExtensionResponse.model_validate(body)
    assert [m.id for m in answer.meta] == PROPERTIES
    hik, adi, hilook, missing = (answer.rows[i] for i in ids)
    assert hik["verdict"][0].str == "yes"
    assert hik["ultimate_owner"][0].id == "sasac"
    assert hik["state_owned"][0].str == "yes"
    assert len(hik["designations"]) >= 5
    assert adi["verdict"][0].str == "no"
    assert {v.id for v in adi["distributes"]} >= {"hikvision"}
    assert hilook["verdict"][0].str == "yes"
    assert all(values == [] for values in missing.values())
    # The target setting changes the verdict column.
    dahua = _post(
        client,
        extend={
            "ids": ["hikvision"],
            "properties": [{"id": "verdict", "settings": {"target": "dahua"}}],
        },
    )
    assert dahua["rows"]["hikvision"]["verdict"] == [{"str": "no"}]


def test_propose_and_suggest(client: TestClient) -> None:
    proposed = ProposeResponse.model_validate(
        client.get("/reconcile/properties", params={"type": "Organization"}).json()
    )
    assert [p.id for p in proposed.properties] == PROPERTIES
    types = SuggestResponse.model_validate(
        client.get("/reconcile/suggest/type", params={"prefix": "mac"}).json()
    )
    assert [t.id for t in types.result] == ["MacBlock"]
    brands = SuggestResponse.model_validate(
        client.get("/reconcile/suggest/entity", params={"prefix": "hilo", "type": "Brand"}).json()
    )
    assert brands.result and all(s.notable[0].id == "Brand" for s in brands.result)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"queries": "{not json"}, "queries"),
        ({"queries": '{"q": {"query": "x", "type": "Vessel"}}'}, "queries.q.type"),
        (
            {"queries": '{"q": {"query": "x", "properties": [{"pid": "P17", "v": "x"}]}}'},
            "queries.q.properties.0",
        ),
        ({"queries": '{"q": {"query": "  "}}'}, "queries.q"),
        (
            {"extend": '{"ids": ["hikvision"], "properties": [{"id": "colour"}]}'},
            "extend.properties.0",
        ),
        ({"extend": '{"ids": "hikvision", "properties": []}'}, "extend.ids"),
    ],
)
def test_bad_input_is_named(client: TestClient, form: dict[str, str], field: str) -> None:
    response = client.post("/reconcile", data=form)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["field"] == field


def test_reconciler_client_against_a_live_server(seeded_path: Path) -> None:
    """`reconciler` (PyPI) reconciles a pandas column the way it does against Wikidata."""
    logging.getLogger("reconciler").setLevel(logging.ERROR)
    # reconciler 0.2.2 builds its empty-result row with numpy's removed `np.NaN`, so every name
    # here has a candidate (a name without one fails inside the client under numpy 2).
    column = pd.Series(["Hikvision", "Zhejiang Dahua Technology", "ADI Global Distribution"])
    with serve(seeded_path) as base:
        table = reconcile(
            column, type_id="Organization", reconciliation_endpoint=f"{base}/reconcile"
        )
    best = table.groupby("input_value").head(1).set_index("input_value")
    assert best.loc["Hikvision", "id"] == "hikvision"
    assert best.loc["Zhejiang Dahua Technology", "id"] == "dahua"
    assert best.loc["ADI Global Distribution", "id"] == "adi-global-distribution"
    assert set(best["type_id"]) == {"Organization"}
    assert bool(best.loc["Hikvision", "match"]) is True
