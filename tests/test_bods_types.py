"""BODS input of the wrong shape: a statement's error, never a crash; bounds and dates kept.

Fixtures are our own, shaped like the cases Open Ownership's validator fixtures hold, written in
both statement layouts the loader reads (0.2/0.3 ``statementType``, 0.4 ``recordType``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from supplygraph.graph.model import Edge, Relation
from supplygraph.graph.store import Direction, GraphStore
from supplygraph.graph.stores import open_store
from supplygraph.loaders import bods
from supplygraph.loaders.ingest import LoadReport, load_file

PUB = {"publicationDate": "2024-01-31", "bodsVersion": "0.3", "publisher": {"name": "Test"}}
VERSIONS = ["0.3", "0.4"]


def _statement(version: str, ref: str, kind: str, details: dict[str, Any]) -> dict[str, Any]:
    if version == "0.4":
        return {
            "statementId": f"s-{ref}",
            "statementDate": "2024-01-31",
            "publicationDetails": {**PUB, "bodsVersion": "0.4"},
            "recordId": ref,
            "recordStatus": "new",
            "recordType": kind,
            "recordDetails": details,
        }
    types = {
        "entity": "entityStatement",
        "person": "personStatement",
        "relationship": "ownershipOrControlStatement",
    }
    out = {"statementID": ref, "statementType": types[kind], "statementDate": "2024-01-31"}
    out["publicationDetails"] = PUB
    if kind == "relationship":
        details = {
            **details,
            "subject": {"describedByEntityStatement": details["subject"]},
            "interestedParty": {"describedByEntityStatement": details["interestedParty"]},
        }
    return {**out, **details}


def _owns(version: str, ref: str, owner: str, asset: str, interest: dict[str, Any]) -> Any:
    details = {"subject": asset, "interestedParty": owner, "interests": [interest]}
    return _statement(version, ref, "relationship", details)


def _load(tmp_path: Path, statements: list[dict[str, Any]]) -> tuple[GraphStore, LoadReport]:
    path = tmp_path / "statements.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    return store, load_file(store, path, "bods")


def _companies(version: str, *refs: str) -> list[dict[str, Any]]:
    return [_statement(version, r, "entity", {"name": f"Company {r}"}) for r in refs]


def _owns_edges(store: GraphStore, asset: str) -> list[Edge]:
    target = bods.node_id(asset)
    return list(store.view().edges([target], Direction.IN, [Relation.OWNS]))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("field", "patch"),
    [
        ("identifiers", {"identifiers": {"scheme": "GB-COH", "id": "123"}}),
        ("identifiers[0]", {"identifiers": ["GB-COH 123"]}),
        ("publicationDetails", {"publicationDetails": "Open Ownership"}),
        ("publicationDetails.publisher", {"publicationDetails": {"publisher": ["x"]}}),
        ("publicationDetails.publisher.url", {"publicationDetails": {"publisher": {"url": 7}}}),
        ("statementDate", {"statementDate": 20190401}),
    ],
)
def test_a_field_of_the_wrong_type_is_that_statements_error(
    tmp_path: Path, version: str, field: str, patch: dict[str, Any]
) -> None:
    bad = _statement(version, "bad", "entity", {"name": "Bad Co"})
    top = {k: v for k, v in patch.items() if k in ("publicationDetails", "statementDate")}
    inner = {k: v for k, v in patch.items() if k not in top}
    bad.update(top)
    (bad["recordDetails"] if version == "0.4" else bad).update(inner)
    store, report = _load(tmp_path, [*_companies(version, "a"), bad, *_companies(version, "b")])
    assert report.counts["read"] == 3 and report.counts["skipped"] == 1
    [warning] = [w for w in report.warnings if "statement skipped" in w]
    assert "statements.json:" in warning and "'bad'" in warning and repr(field) in warning
    assert store.view().nodes([bods.node_id("b")])  # the statements after it load


@pytest.mark.parametrize("version", VERSIONS)
def test_exclusive_bounds_are_kept_and_empty_ranges_refused(tmp_path: Path, version: str) -> None:
    statements = [
        *_companies(version, "own", "a", "b", "c"),
        _owns(
            version,
            "r1",
            "own",
            "a",
            {"type": "shareholding", "share": {"exclusiveMinimum": 88, "maximum": 99}},
        ),
        _owns(
            version,
            "r2",
            "own",
            "b",
            {"type": "shareholding", "share": {"minimum": 50, "exclusiveMaximum": 50}},
        ),
        _owns(
            version,
            "r3",
            "own",
            "c",
            {"type": "shareholding", "share": {"minimum": 99, "maximum": 1}},
        ),
    ]
    store, report = _load(tmp_path, statements)
    [kept] = _owns_edges(store, "a")
    assert (kept.share, kept.share_min, kept.share_max) == (None, 88.0, 99.0)
    assert _owns_edges(store, "b") == [] and _owns_edges(store, "c") == []
    refused = [w for w in report.warnings if "no share lies in this range" in w]
    assert len(refused) == 2 and "interests[0].share" in refused[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_partial_dates_become_documented_bounds(tmp_path: Path, version: str) -> None:
    statements = [
        *_companies(version, "own", "a", "b"),
        _owns(
            version,
            "r1",
            "own",
            "a",
            {
                "type": "shareholding",
                "startDate": "2015-04",
                "endDate": "2019",
                "share": {"exact": 60},
            },
        ),
        _owns(
            version,
            "r2",
            "own",
            "b",
            {"type": "shareholding", "endDate": "2019-02", "share": {"exact": 60}},
        ),
    ]
    store, report = _load(tmp_path, statements)
    [a] = _owns_edges(store, "a")
    assert (a.valid_from, a.valid_to) == (date(2015, 4, 1), date(2019, 12, 31))
    [b] = _owns_edges(store, "b")
    assert b.valid_to == date(2019, 2, 28)
    partial = [w for w in report.warnings if "partial date" in w]
    assert len(partial) == 3 and "'2019' is a partial date; taken as 2019-12-31" in " ".join(
        partial
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_string_valued_list_is_one_item(tmp_path: Path, version: str) -> None:
    company = _statement(version, "a", "entity", {"name": "Acme", "alternateNames": "Acme Ltd"})
    store, report = _load(tmp_path, [company])
    [node] = store.view().nodes([bods.node_id("a")]).values()
    assert node.aliases == ("Acme Ltd",)
    assert any("taken as one item" in w for w in report.warnings)
