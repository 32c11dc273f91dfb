"""BODS input of the wrong shape: a statement's error, never a crash; bounds and dates kept.

Fixtures are our own, shaped like the cases Open Ownership's validator fixtures hold, written in
every version the loader reads (0.2 and 0.3 ``statementType``, 0.4 ``recordType``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from supplygraph.cli import app
from supplygraph.graph.engine.ownership import ownership
from supplygraph.graph.model.records import Edge, Node, NodeKind, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import Direction, GraphStore
from supplygraph.loaders import bods
from supplygraph.loaders.ingest import LoadReport, load_file

runner = CliRunner()

PUB = {"publicationDate": "2024-01-31", "bodsVersion": "0.3", "publisher": {"name": "Test"}}
VERSIONS = ["0.2", "0.3", "0.4"]
UNSPECIFIED = {"reason": "interestedPartyExemptFromDisclosure", "description": "withheld"}


def _statement(
    version: str,
    ref: str,
    kind: str,
    details: dict[str, Any],
    when: str = "2024-01-31",
    person_party: bool = False,
) -> dict[str, Any]:
    """A statement of ``kind`` in ``version``'s layout; a relationship's parties are ids, or a
    dict (an unspecified party, given as the 0.4 object)."""
    if version == "0.4":
        return {
            "statementId": f"s-{ref}",
            "statementDate": when,
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
    out = {"statementID": ref, "statementType": types[kind], "statementDate": when}
    out["publicationDetails"] = {**PUB, "bodsVersion": version}
    if kind == "relationship":
        party = details["interestedParty"]
        by = "describedByPersonStatement" if person_party else "describedByEntityStatement"
        details = {
            **details,
            "subject": {"describedByEntityStatement": details["subject"]},
            "interestedParty": {"unspecified": party} if isinstance(party, dict) else {by: party},
        }
    return {**out, **details}


def _owns(
    version: str,
    ref: str,
    owner: str | dict[str, Any],
    asset: str | dict[str, Any],
    interest: dict[str, Any],
) -> Any:
    """An ownership statement; ``owner`` or ``asset`` may be an unspecified-party record."""
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


# -- record ids are typed ----------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_a_company_and_a_person_sharing_an_id_never_merge(tmp_path: Path, version: str) -> None:
    person_details: dict[str, Any] = {"names": [{"fullName": "Jane Roe"}]}
    statements = [
        *_companies(version, "x", "b"),
        _statement(version, "x", "person", person_details),
        _statement(version, "p", "person", person_details),
        _owns(version, "r1", "x", "b", {"type": "shareholding", "share": {"exact": 40}}),
    ]
    store, report = _load(tmp_path, statements)
    [refused] = [w for w in report.warnings if "ids are typed" in w]
    assert "'x'" in refused and "already a entity record" in refused
    node = store.view().nodes([bods.node_id("x")])[bods.node_id("x")]
    assert (node.kind, node.name, node.aliases) == (NodeKind.ORGANIZATION, "Company x", ())
    # A later load cannot turn the stored company into a person either.
    again = tmp_path / "later.json"
    again.write_text(json.dumps([_statement(version, "x", "person", person_details)]))
    later = load_file(store, again, "bods")
    assert later.counts["skipped"] == 1 and "stored by an earlier load" in later.warnings[0]
    assert store.view().nodes([bods.node_id("x")])[bods.node_id("x")].kind is NodeKind.ORGANIZATION


@pytest.mark.parametrize("version", ["0.2", "0.3"])
def test_a_typed_reference_to_the_other_kind_is_that_statements_error(
    tmp_path: Path, version: str
) -> None:
    statements = [
        *_companies(version, "a", "b"),
        _statement(
            version,
            "r1",
            "relationship",
            {"subject": "b", "interestedParty": "a", "interests": [{"type": "shareholding"}]},
            person_party=True,
        ),
    ]
    store, report = _load(tmp_path, statements)
    assert _owns_edges(store, "b") == []
    assert any("'a' is a entity statement, not a person" in w for w in report.warnings)


# -- unspecified parties ---------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_an_unspecified_interested_party_is_counted_not_linked(
    tmp_path: Path, version: str
) -> None:
    interest = {"type": "shareholding", "share": {"exact": 75}}
    statements = [
        *_companies(version, "own", "a"),
        _owns(version, "r1", UNSPECIFIED, "a", interest),
        _owns(version, "r2", "own", "a", {"type": "shareholding", "share": {"exact": 25}}),
    ]
    store, report = _load(tmp_path, statements)
    assert [e.share for e in _owns_edges(store, "a")] == [25.0]
    assert report.counts["bods_unspecified_parties"] == 1
    [said] = [w for w in report.warnings if "unspecified" in w]
    assert "'r1': interested party unspecified (interestedPartyExemptFromDisclosure" in said


def test_a_valid_04_file_with_an_unspecified_subject_loads(tmp_path: Path) -> None:
    unknown = {"reason": "informationUnknownToPublisher", "description": "not known"}
    statements = [
        *_companies("0.4", "own", "a"),
        _owns("0.4", "r1", "own", unknown, {"type": "shareholding"}),
        _owns("0.4", "r2", "own", "a", {"type": "shareholding", "share": {"exact": 60}}),
    ]
    store, report = _load(tmp_path, statements)
    assert report.counts["read"] == 4 and report.counts["bods_unspecified_subjects"] == 1
    assert [e.share for e in _owns_edges(store, "a")] == [60.0]
    assert any(
        "'r1': subject unspecified (informationUnknownToPublisher" in w for w in report.warnings
    )


# -- versions across the whole load ----------------------------------------------------------------
def _owners(store: GraphStore, subject: str, day: date) -> dict[str, float | None]:
    view = store.view()
    return {o.name: o.direct_share for o in ownership(view, subject, True, 5, day)}


def _company_nodes(store: GraphStore) -> list[str]:
    view = store.view()
    return sorted(r.name for r in view.iter_records() if isinstance(r, Node))


@pytest.mark.parametrize("version", ["0.2", "0.3"])
def test_replaced_statements_are_followed_across_files_and_loads(
    tmp_path: Path, version: str
) -> None:
    """A replacing entity statement is the same company (never a second one with no owners);
    a replacing relationship statement ends the one it replaces, in whichever file or load."""
    url = f"sqlite:///{tmp_path / 'g.db'}"
    share = {"type": "shareholding", "startDate": "2015-01-01"}
    first = [
        *_companies(version, "co", "holder"),
        _owns(version, "r1", "holder", "co", {**share, "share": {"exact": 30}}),
    ]
    renamed = _statement(version, "co-2", "entity", {"name": "Company co, renamed"}, "2019-05-01")
    second = [
        {**renamed, "replacesStatements": ["co"]},
        {
            **_statement(
                version,
                "r2",
                "relationship",
                {
                    "subject": "co-2",
                    "interestedParty": "holder",
                    "interests": [{**share, "share": {"exact": 60}}],
                },
                "2019-05-01",
            ),
            "replacesStatements": ["r1"],
        },
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "one.json").write_text(json.dumps(first))
    (tmp_path / "a" / "two.json").write_text(json.dumps(second))
    # Both files in one `load` call: each in its own transaction, versions followed across.
    result = runner.invoke(
        app,
        [
            "load",
            str(tmp_path / "a" / "one.json"),
            str(tmp_path / "a" / "two.json"),
            "--store",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    store = open_store(url)
    assert _company_nodes(store) == ["Company co", "Company holder"]  # one node, both names
    co = bods.node_id("co")
    assert store.view().nodes([co])[co].aliases == ("Company co, renamed",)
    assert _owners(store, co, date(2018, 1, 1)) == {"Company holder": 30.0}
    assert _owners(store, co, date(2020, 1, 1)) == {"Company holder": 60.0}
    # A later load of the same dataset replaces r2 in turn, naming the company by its new id.
    third = [
        {
            **_statement(
                version,
                "r3",
                "relationship",
                {
                    "subject": "co-2",
                    "interestedParty": "holder",
                    "interests": [{**share, "share": {"exact": 90}}],
                },
                "2022-03-01",
            ),
            "replacesStatements": ["r2"],
        },
    ]
    (tmp_path / "b" / "two.json").write_text(json.dumps(third))
    later = load_file(store, tmp_path / "b" / "two.json", "bods")
    assert later.dataset == "bods:two" and later.counts["skipped"] == 0
    assert _company_nodes(store) == ["Company co", "Company holder"]
    assert _owners(store, co, date(2020, 1, 1)) == {"Company holder": 60.0}
    assert _owners(store, co, date(2023, 1, 1)) == {"Company holder": 90.0}


def _v04(
    ref: str, sid: str, status: str, when: str, share: float | None, start: str = "2015-01-01"
) -> dict[str, Any]:
    interest: dict[str, Any] = {"type": "shareholding", "startDate": start}
    if share is not None:
        interest["share"] = {"exact": share}
    out = _owns("0.4", ref, "holder", "co", interest)
    return {**out, "statementId": sid, "recordStatus": status, "statementDate": when}


def test_04_record_updates_are_followed_across_files_and_loads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    files = {
        "one.json": [*_companies("0.4", "co", "holder"), _v04("r", "s1", "new", "2016-01-01", 30)],
        "two.json": [_v04("r", "s2", "updated", "2019-05-01", 60)],
    }
    for name, statements in files.items():
        (tmp_path / name).write_text(json.dumps(statements))
    args = ["load", str(tmp_path / "one.json"), str(tmp_path / "two.json"), "--store", url]
    assert runner.invoke(app, args).exit_code == 0
    store = open_store(url)
    co = bods.node_id("co")
    assert _owners(store, co, date(2018, 1, 1)) == {"Company holder": 30.0}
    assert _owners(store, co, date(2020, 1, 1)) == {"Company holder": 60.0}
    # A later load closes the record: no owner after its end date.
    closing = _v04("r", "s3", "closed", "2023-03-03", None)
    closing["recordDetails"]["interests"][0]["endDate"] = "2023-03-01"
    (tmp_path / "three.json").write_text(json.dumps([closing]))
    load_file(store, tmp_path / "three.json", "bods")
    assert _owners(store, co, date(2022, 1, 1)) == {"Company holder": 60.0}
    assert _owners(store, co, date(2024, 1, 1)) == {}
