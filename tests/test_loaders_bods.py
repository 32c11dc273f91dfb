"""BODS specifics: shares, component chains without double counting, state bodies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from supplygraph.graph.model import Edge, OrgType, Relation
from supplygraph.graph.store import Direction, open_store
from supplygraph.loaders import bods
from supplygraph.loaders.ingest import load_file

from supplygraph.service import SupplyGraph

PUB = {"publicationDate": "2024-01-31", "bodsVersion": "0.4", "publisher": {"name": "Test"}}


def _record(record_id: str, kind: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "statementId": f"s-{record_id}",
        "declarationSubject": "target",
        "statementDate": "2024-01-31",
        "publicationDetails": PUB,
        "recordId": record_id,
        "recordStatus": "new",
        "recordType": kind,
        "recordDetails": details,
    }


def _owns(
    record_id: str, owner: str, asset: str, share: float, level: str, **extra: Any
) -> dict[str, Any]:
    interest = {"type": "shareholding", "directOrIndirect": level, "share": {"exact": share}}
    return _record(
        record_id,
        "relationship",
        {"subject": asset, "interestedParty": owner, "interests": [interest], **extra},
    )


def test_direct_plus_chain_is_one_hundred_percent(tmp_path: Path) -> None:
    """76.5% through a 100%-owned holding plus 23.5% direct is 100%, and the indirect summary
    statement (with its component records) is not counted a second time."""
    statements = [
        _record(
            "target",
            "entity",
            {
                "isComponent": False,
                "name": "Target Ltd",
                "entityType": {"type": "registeredEntity"},
            },
        ),
        _record(
            "holding",
            "entity",
            {
                "isComponent": True,
                "name": "Holding Ltd",
                "entityType": {"type": "registeredEntity"},
            },
        ),
        _record(
            "state",
            "entity",
            {"isComponent": False, "name": "Republic of Example", "entityType": {"type": "state"}},
        ),
        _owns("r1", "holding", "target", 76.5, "direct", isComponent=True),
        _owns("r2", "state", "holding", 100, "direct", isComponent=True),
        _owns("r3", "state", "target", 23.5, "direct", isComponent=False),
        _owns(
            "r4",
            "state",
            "target",
            76.5,
            "indirect",
            isComponent=False,
            componentRecords=["holding", "r1", "r2"],
        ),
    ]
    path = tmp_path / "chain.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    report = load_file(open_store(url), path)
    assert report.counts["read"] == 7
    graph = SupplyGraph.open(url)
    state = bods.node_id("state")
    assert graph.view.nodes([state])[state].org_type == OrgType.STATE_BODY
    shares = sorted(e.share or 0 for e in graph.view.edges([state], Direction.OUT, [Relation.OWNS]))
    assert shares == [23.5, 100.0]  # the 76.5% indirect summary gave no edge
    result = graph.owners(bods.node_id("target"))
    [top] = [o for o in result.owners if o.id == state]
    assert top.effective_share == 100.0
    graph.close()


def test_mixed_direct_and_indirect_keeps_the_direct_interest(
    shared_data: Path, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(
        store, shared_data / "bods-examples" / "v0.4" / "mixed-direct-and-indirect-ownership.json"
    )
    person = bods.node_id("53508b65253f")
    company_a = bods.node_id("9bfe59b6a869")
    direct = [e for e in store.view().edges([person], Direction.OUT) if e.dst == company_a]
    assert [(e.share, e.note) for e in direct] == [(50.0, "BODS interest: shareholding, direct")]


def test_share_ranges_and_voting_rights_v02(shared_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, shared_data / "bods-examples" / "v0.2" / "4b-full-pep-declaration.json")
    edges = [r for r in store.view().iter_records() if isinstance(r, Edge)]
    by_relation = {e.relation: e for e in edges}
    owns = by_relation[Relation.OWNS]
    assert (owns.share, owns.share_min, owns.share_max) == (None, 25.0, 50.0)
    assert owns.valid_from == date(2016, 7, 7)
    assert by_relation[Relation.CONTROLS].note == "BODS interest: voting-rights, direct"
