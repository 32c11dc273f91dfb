"""BODS specifics: shares, component chains without double counting, state bodies."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from supplygraph.graph.engine.ownership import ownership
from supplygraph.graph.model.records import Edge, OrgType, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import Direction, GraphStore
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
    test_data: Path, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(
        store, test_data / "bods-examples" / "v0.4" / "mixed-direct-and-indirect-ownership.json"
    )
    person = bods.node_id("53508b65253f")
    company_a = bods.node_id("9bfe59b6a869")
    direct = [e for e in store.view().edges([person], Direction.OUT) if e.dst == company_a]
    assert [(e.share, e.note) for e in direct] == [
        (50.0, "BODS interest: shareholding, direct; relationship f5a45a6daf31")
    ]


def test_share_ranges_and_voting_rights_v02(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, test_data / "bods-examples" / "v0.2" / "4b-full-pep-declaration.json")
    edges = [r for r in store.view().iter_records() if isinstance(r, Edge)]
    by_relation = {e.relation: e for e in edges}
    owns = by_relation[Relation.OWNS]
    assert (owns.share, owns.share_min, owns.share_max) == (None, 25.0, 50.0)
    assert owns.valid_from == date(2016, 7, 7)
    assert (by_relation[Relation.CONTROLS].note or "").startswith(
        "BODS interest: voting-rights, direct; relationship "
    )


def _owners_on(store: GraphStore, subject: str, day: date) -> dict[str, float | None]:
    return {
        o.name: o.direct_share for o in ownership(store.view(), bods.node_id(subject), True, 5, day)
    }


def test_updated_and_closed_records_give_shares_by_date(test_data: Path, tmp_path: Path) -> None:
    """BODS 0.4 histories: each "updated" statement supersedes the record's previous version,
    "closed" ends it; the shares on any day are the ones stated for that day."""
    v04 = test_data / "bods-examples" / "v0.4"
    tecido = open_store(f"sqlite:///{tmp_path / 'tecido.db'}")
    load_file(tecido, v04 / "tecido.json")
    # Maria Esteves: 100% from 2002, 40% from 2021-09-24, 30% from 2022-09-21, closed on
    # 2023-03-03; Shear Trust: 60% from 2021-09-24, 70% from 2022-09-21, 80% from 2023-03-01.
    assert _owners_on(tecido, "01B68D7633", date(2020, 1, 1)) == {"Maria Esteves": 100.0}
    assert _owners_on(tecido, "01B68D7633", date(2022, 1, 1)) == {
        "Shear Trust": 60.0,
        "Maria Esteves": 40.0,
    }
    assert _owners_on(tecido, "01B68D7633", date(2023, 1, 1)) == {
        "Shear Trust": 70.0,
        "Maria Esteves": 30.0,
    }
    assert _owners_on(tecido, "01B68D7633", date(2024, 1, 1)) == {"Shear Trust": 80.0}
    # The same interest restated at another share changes on the statement's date: Patrick
    # O'Donohue's 50% (since 2019) became 100% in the statement of 2022-01-21.
    fermcat = open_store(f"sqlite:///{tmp_path / 'fermcat.db'}")
    load_file(fermcat, v04 / "fermcat.json")
    company = "ent-93c75c87ab28f889"
    assert _owners_on(fermcat, company, date(2020, 1, 1)) == {
        "Patrick O'Donohue": 50.0,
        "Riyadh Byrne-Amin": 50.0,
    }
    # Riyadh's interest ended on 2021-04-03 (the closing statement's end date); Declan's began.
    assert _owners_on(fermcat, company, date(2021, 6, 1)) == {
        "Patrick O'Donohue": 50.0,
        "Declan Byrne-Amin": 50.0,
    }
    assert _owners_on(fermcat, company, date(2022, 6, 1)) == {"Patrick O'Donohue": 100.0}


def test_replaced_statements_end_on_the_replacing_statement(tmp_path: Path) -> None:
    """BODS 0.2/0.3: a statement listing ``replacesStatements`` ends the replaced one."""
    pub = {"publicationDate": "2020-01-01", "bodsVersion": "0.3", "publisher": {"name": "T"}}

    def entity(sid: str, name: str) -> dict[str, Any]:
        return {
            "statementID": sid,
            "statementType": "entityStatement",
            "name": name,
            "entityType": "registeredEntity",
            "publicationDetails": pub,
        }

    def owns(sid: str, owner: str, share: float, when: str, **extra: Any) -> dict[str, Any]:
        return {
            "statementID": sid,
            "statementType": "ownershipOrControlStatement",
            "statementDate": when,
            "subject": {"describedByEntityStatement": "co"},
            "interestedParty": {"describedByEntityStatement": owner},
            "interests": [
                {"type": "shareholding", "share": {"exact": share}, "startDate": "2015-01-01"}
            ],
            "publicationDetails": pub,
            **extra,
        }

    statements = [
        entity("co", "Subject Co"),
        entity("a", "Holder A"),
        owns("s1", "a", 30.0, "2016-01-01"),
        owns("s2", "a", 60.0, "2019-05-01", replacesStatements=["s1"]),
    ]
    path = tmp_path / "replaced.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, path)
    assert _owners_on(store, "co", date(2018, 1, 1)) == {"Holder A": 30.0}
    assert _owners_on(store, "co", date(2020, 1, 1)) == {"Holder A": 60.0}
