"""Regime verdicts on real stores: hand-written chains, the FtM/BODS fixtures, the seed data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from factories import SRC, edge, listing, org, owns
from fastapi.testclient import TestClient
from fixture_graphs import faq401_chain

from supplygraph.graph.engine.regimes import evaluate
from supplygraph.graph.engine.rulebook import default_rules, read_rules
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.answers import RegimeOut
from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Designation, Node, NodeKind, Record, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.service import SupplyGraph

DAY = date(2025, 1, 1)
SDN = "us-ofac-sdn"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[GraphStore]:
    s = open_store(f"sqlite:///{tmp_path / 'regimes.db'}")
    yield s
    s.close()


def _put(store: GraphStore, records: list[Record]) -> None:
    write_records(store, records)


def _verdicts(store: GraphStore, entity: str, day: date = DAY) -> dict[str, RegimeOut]:
    return {r.regime: r for r in evaluate(store.view(), entity, day)}


def _orgs(*ids: str) -> list[Record]:
    return [org(i, i.replace("-", " ").title()) for i in ids]


# -- ofac-50 ---------------------------------------------------------------------------------
def test_faq_401_chain_blocks_the_second_level(tmp_path: Path) -> None:
    sg = SupplyGraph.open(f"sqlite:///{tmp_path / 'ftm.db'}")
    try:
        write_records(sg.store, faq401_chain())
        beech = sg.find_entity("Beech Ports Ltd")
        found = {r.regime: r for r in sg.regimes(beech.id, DAY).regimes}
    finally:
        sg.close()
    ofac = found["ofac-50"]
    assert ofac.verdict == "covered"
    assert ofac.reason.startswith(
        "Beech Ports Ltd is blocked: 50% owned by Ash Logistics Ltd, itself 50% owned by "
        "Sable Freight LLC (SDN since 2023-05-19)"
    )
    # One path, top-down: Sable -> Ash -> Beech, each step with its sources.
    assert [[s.to_name for s in p] for p in ofac.paths] == [
        ["Ash Logistics Ltd", "Beech Ports Ltd"]
    ]
    assert all(s.sources for p in ofac.paths for s in p)
    assert any(s.id == "rule-ofac-faq-401" for s in ofac.sources)
    # The integrated (product) share is 25%; the regime is about the whole-stake rule instead.
    assert found["us-entity-list"].verdict == "not_covered"


def test_before_the_designation_nothing_is_blocked(tmp_path: Path) -> None:
    sg = SupplyGraph.open(f"sqlite:///{tmp_path / 'ftm.db'}")
    try:
        write_records(sg.store, faq401_chain())
        beech = sg.find_entity("Beech Ports Ltd")
        early = {r.regime: r for r in sg.regimes(beech.id, date(2023, 5, 18)).regimes}
    finally:
        sg.close()
    assert early["ofac-50"].verdict == "not_covered"


def test_aggregation_across_two_listed_owners(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "y", "co"),
            owns("x", "co", 30),
            owns("y", "co", 25),
            listing("x", SDN, date(2020, 1, 1)),
            listing("y", SDN, date(2021, 1, 1)),
        ],
    )
    ofac = _verdicts(store, "co")["ofac-50"]
    assert ofac.verdict == "covered"
    assert "30% owned by X" in ofac.reason and "25% owned by Y" in ofac.reason
    assert "55% in the aggregate" in ofac.reason
    assert len(ofac.paths) == 2


def test_faq_401_example_three_counts_a_blocked_owners_whole_stake(store: GraphStore) -> None:
    # X owns 50% of A and 10% of B; A owns 40% of B: A is blocked, so B is 50% blocked-owned.
    _put(
        store,
        [
            *_orgs("x", "a", "b"),
            owns("x", "a", 50),
            owns("x", "b", 10),
            owns("a", "b", 40),
            listing("x", SDN, date(2020, 1, 1)),
        ],
    )
    assert _verdicts(store, "b")["ofac-50"].verdict == "covered"


def test_just_below_fifty_is_not_covered(store: GraphStore) -> None:
    _put(store, [*_orgs("x", "co"), owns("x", "co", 49.99), listing("x", SDN, date(2020, 1, 1))])
    ofac = _verdicts(store, "co")["ofac-50"]
    assert ofac.verdict == "not_covered"
    assert "49.99%" in ofac.reason and "below the 50% threshold" in ofac.reason


def test_exactly_fifty_split_three_ways_is_covered(store: GraphStore) -> None:
    # Float sums (20.1 + 19.8 + 10.1) must still reach the threshold.
    _put(
        store,
        [
            *_orgs("x", "y", "z", "co"),
            owns("x", "co", 20.1),
            owns("y", "co", 19.8),
            owns("z", "co", 10.1),
            *(listing(i, SDN, date(2020, 1, 1)) for i in ("x", "y", "z")),
        ],
    )
    assert _verdicts(store, "co")["ofac-50"].verdict == "covered"


def test_unknown_share_is_unknown_and_says_what_is_missing(store: GraphStore) -> None:
    _put(store, [*_orgs("x", "co"), owns("x", "co"), listing("x", SDN, date(2020, 1, 1))])
    ofac = _verdicts(store, "co")["ofac-50"]
    assert ofac.verdict == "unknown"
    assert ofac.missing == ["X's share in Co is not known"]
    assert "not known" in ofac.reason


def test_share_ranges_decide_when_they_can(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "low", "high"),
            edge("x", Relation.OWNS, "low", share_min=40, share_max=60),
            edge("x", Relation.OWNS, "high", share_min=50, share_max=60),
            listing("x", SDN, date(2020, 1, 1)),
        ],
    )
    assert _verdicts(store, "low")["ofac-50"].verdict == "unknown"
    assert _verdicts(store, "high")["ofac-50"].verdict == "covered"


def test_control_without_ownership_does_not_block(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "co"),
            edge("x", Relation.CONTROLS, "co"),
            listing("x", SDN, date(2020, 1, 1)),
        ],
    )
    ofac = _verdicts(store, "co")["ofac-50"]
    assert ofac.verdict == "not_covered"
    assert "FAQ 398" in ofac.reason


def test_a_cross_holding_cycle_terminates_and_cannot_block_itself(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "a", "b", "c", "d"),
            # a and b hold 60% of each other; x (SDN) holds 30% of a: not enough anywhere.
            owns("a", "b", 60),
            owns("b", "a", 60),
            owns("x", "a", 30),
            # c is blocked through x; d is blocked through c; d's stake back in c changes nothing.
            owns("x", "c", 50),
            owns("c", "d", 50),
            owns("d", "c", 10),
            listing("x", SDN, date(2020, 1, 1)),
        ],
    )
    assert _verdicts(store, "b")["ofac-50"].verdict == "not_covered"
    assert _verdicts(store, "a")["ofac-50"].verdict == "not_covered"
    assert _verdicts(store, "d")["ofac-50"].verdict == "covered"


def test_a_cycle_with_unknown_shares_stays_unknown_not_covered(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "a", "b"),
            owns("a", "b"),
            owns("b", "a"),
            owns("x", "a"),
            listing("x", SDN, date(2020, 1, 1)),
        ],
    )
    assert _verdicts(store, "b")["ofac-50"].verdict == "unknown"


def test_other_lists_do_not_count_for_ofac(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("x", "co"),
            owns("x", "co", 100),
            listing("x", "us-bis-entity-list", date(2020, 1, 1)),
        ],
    )
    assert _verdicts(store, "co")["ofac-50"].verdict == "not_covered"


# -- bis-affiliates and its calendar -----------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "verdict", "phrase"),
    [
        (date(2025, 9, 28), "not_covered", "takes effect on 2025-09-29 (90 FR 47201)"),
        (date(2025, 9, 29), "covered", "100% owned by Parent"),
        (date(2025, 11, 9), "covered", "Entity List since 2020-01-01"),
        (date(2025, 11, 10), "not_covered", "suspended from 2025-11-10 through 2026-11-09"),
        (date(2026, 11, 9), "not_covered", "Were it in force, Sub would be covered"),
        (date(2026, 11, 10), "covered", "100% owned by Parent"),
    ],
)
def test_affiliates_rule_before_inside_and_after_the_suspension(
    store: GraphStore, day: date, verdict: str, phrase: str
) -> None:
    _put(
        store,
        [
            *_orgs("parent", "sub"),
            owns("parent", "sub", 100),
            listing("parent", "us-bis-entity-list", date(2020, 1, 1)),
        ],
    )
    bis = _verdicts(store, "sub", day)["bis-affiliates"]
    assert bis.verdict == verdict
    assert phrase in bis.reason
    if verdict == "not_covered" and day >= date(2025, 11, 10):
        assert any(s.id == "rule-fr-2025-19846" for s in bis.sources)


def test_meu_list_parties_count_for_the_affiliates_rule(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("meu", "sub"),
            owns("meu", "sub", 60),
            listing("meu", "us-bis-meu", date(2021, 1, 1)),
        ],
    )
    bis = _verdicts(store, "sub", date(2026, 12, 1))["bis-affiliates"]
    assert bis.verdict == "covered" and "MEU List" in bis.reason


def test_the_calendar_is_data(store: GraphStore, tmp_path: Path) -> None:
    """Extending the suspension in the rules file changes the verdict; no code change."""
    raw = yaml.safe_load(Path(str(default_rules_path())).read_text(encoding="utf-8"))
    bis = next(r for r in raw["regimes"] if r["id"] == "bis-affiliates")
    bis["suspended"][0]["to"] = date(2027, 11, 10)
    changed = tmp_path / "rules.yaml"
    changed.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    _put(
        store,
        [
            *_orgs("parent", "sub"),
            owns("parent", "sub", 100),
            listing("parent", "us-bis-entity-list", date(2020, 1, 1)),
        ],
    )
    day = date(2026, 12, 1)
    default = {r.regime: r for r in evaluate(store.view(), "sub", day)}
    extended = {r.regime: r for r in evaluate(store.view(), "sub", day, read_rules(changed))}
    assert default["bis-affiliates"].verdict == "covered"
    assert extended["bis-affiliates"].verdict == "not_covered"


def default_rules_path() -> Path:
    from importlib import resources

    return Path(str(resources.files("supplygraph.seed_data").joinpath("rules.yaml")))


def test_a_broken_rules_file_is_refused_with_file_entry_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(
        "sources: []\nregimes:\n  - id: x\n    name: X\n    authority: A\n    kind: listing\n"
        "    lists: {us-ofac-sdn: SDN}\n    sources: [{source: nowhere}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidRecord) as err:
        read_rules(bad)
    assert err.value.line == "regimes/x" and err.value.field == "sources"
    assert "nowhere" in err.value.message


def test_a_kind_no_rule_family_evaluates_is_refused_not_read_as_another(
    store: GraphStore,
) -> None:
    """The rules file refuses an unknown kind; a book built in code is refused at dispatch,
    where it used to be evaluated as the Canadian order."""
    _put(store, [*_orgs("solo")])
    book = default_rules()
    odd = book.regimes[0].model_copy(update={"kind": "quota"})  # model_copy does not validate
    with pytest.raises(InvalidRecord) as err:
        evaluate(store.view(), "solo", DAY, book.model_copy(update={"regimes": [odd]}))
    assert err.value.field == "kind" and err.value.line == odd.id
    assert "'quota'" in err.value.message and "ica_order" in err.value.message


def test_every_rule_cites_its_sources() -> None:
    book = default_rules()
    ids = {r.id for r in book.regimes}
    assert ids == {
        "ofac-50",
        "bis-affiliates",
        "us-entity-list",
        "us-ofac-ns-cmic",
        "us-dod-1260h",
        "ndaa-889",
        "fcc-covered",
        "ca-ica-2025",
    }
    titles = " ".join(s.title for s in book.sources)
    for citation in ("FAQ 401", "FAQ 398", "90 FR 47201", "90 FR 50857", "52.204-25", "FCC 22-84"):
        assert citation in titles


# -- listings --------------------------------------------------------------------------------
def test_direct_listing_uses_start_and_end_dates(store: GraphStore) -> None:
    ended = Designation(
        id=make_id("d", "co", "us-dod-1260h"),
        entity_id="co",
        list_id="us-dod-1260h",
        start_date=date(2021, 6, 3),
        end_date=date(2024, 1, 31),
        sources=(SRC,),
    )
    _put(store, [*_orgs("co"), listing("co", "us-bis-entity-list", date(2019, 10, 9)), ended])
    before = _verdicts(store, "co", date(2019, 10, 8))
    during = _verdicts(store, "co", date(2022, 1, 1))
    after = _verdicts(store, "co", date(2024, 1, 31))
    assert before["us-entity-list"].verdict == "not_covered"
    assert "listed from 2019-10-09" in before["us-entity-list"].reason
    assert during["us-entity-list"].verdict == "covered"
    assert during["us-dod-1260h"].verdict == "covered"
    assert after["us-dod-1260h"].verdict == "not_covered"
    assert "listed until 2024-01-31" in after["us-dod-1260h"].reason
    assert during["us-ofac-ns-cmic"].verdict == "not_covered"


def test_listing_of_a_parent_does_not_make_a_direct_listing(store: GraphStore) -> None:
    _put(
        store,
        [*_orgs("p", "s"), owns("p", "s", 100), listing("p", "us-ofac-ns-cmic", date(2021, 8, 2))],
    )
    assert _verdicts(store, "s")["us-ofac-ns-cmic"].verdict == "not_covered"


# -- ndaa-889 / fcc-covered ---------------------------------------------------------------------
def test_subsidiary_affiliate_and_oem_brand_are_covered(store: GraphStore) -> None:
    rebrand = Node(id="brand-rebrand", kind=NodeKind.BRAND, name="Rebrand", sources=(SRC,))
    _put(
        store,
        [
            *_orgs("named", "minority-sub", "stranger"),
            rebrand,
            owns("named", "minority-sub", 5),
            edge("named", Relation.MANUFACTURES_FOR, "brand-rebrand"),
            listing("named", "us-ndaa-889", date(2019, 8, 13)),
            listing("named", "us-fcc-covered", date(2021, 3, 12)),
        ],
    )
    sub = _verdicts(store, "minority-sub", date(2022, 1, 1))
    assert sub["ndaa-889"].verdict == "covered"  # no percentage threshold
    assert "subsidiary or affiliate of Named" in sub["ndaa-889"].reason
    brand = _verdicts(store, "brand-rebrand", date(2022, 1, 1))
    assert brand["fcc-covered"].verdict == "covered"
    assert "makes products for Rebrand" in brand["fcc-covered"].reason
    assert brand["fcc-covered"].paths[0][0].relation == "MANUFACTURES_FOR"
    # Before the FCC inclusion date the chain is shown but the verdict is not_covered.
    early = _verdicts(store, "brand-rebrand", date(2020, 1, 1))["fcc-covered"]
    assert early.verdict == "not_covered" and "listed only from 2021-03-12" in early.reason
    assert _verdicts(store, "stranger")["ndaa-889"].verdict == "not_covered"


def test_owners_of_a_named_company_are_not_its_affiliates(store: GraphStore) -> None:
    _put(
        store,
        [
            *_orgs("parent", "named"),
            owns("parent", "named", 100),
            listing("named", "us-ndaa-889", date(2019, 8, 13)),
        ],
    )
    assert _verdicts(store, "parent")["ndaa-889"].verdict == "not_covered"


# -- the seed data: Hikvision ---------------------------------------------------------------------
def _seed(graph: SupplyGraph, entity: str, day: date) -> dict[str, RegimeOut]:
    return {r.regime: r for r in graph.regimes(entity, day).regimes}


def test_hikvision_listings_and_named_regimes(graph: SupplyGraph) -> None:
    hik = _seed(graph, "hikvision", date(2026, 6, 1))
    for regime in ("us-entity-list", "us-ofac-ns-cmic", "us-dod-1260h", "ndaa-889", "fcc-covered"):
        assert hik[regime].verdict == "covered", regime
    assert "2019-10-09" in hik["us-entity-list"].reason
    assert hik["ofac-50"].verdict == "not_covered"  # Hikvision is not an SDN, nor owned by one


def test_hikvision_subsidiaries_under_the_affiliates_rule(graph: SupplyGraph) -> None:
    # Hikvision USA is 100% owned per the seed; Hikvision Canada's stake is not published.
    usa_suspended = _seed(graph, "hikvision-usa", date(2026, 1, 1))["bis-affiliates"]
    usa_after = _seed(graph, "hikvision-usa", date(2026, 12, 1))["bis-affiliates"]
    canada_after = _seed(graph, "hikvision-canada", date(2026, 12, 1))["bis-affiliates"]
    assert usa_suspended.verdict == "not_covered" and "suspended" in usa_suspended.reason
    assert usa_after.verdict == "covered"
    assert "100% owned by Hangzhou Hikvision Digital Technology" in usa_after.reason
    assert canada_after.verdict == "unknown"
    assert canada_after.missing and "not known" in canada_after.missing[0]


def test_canadian_order_is_scoped_as_the_statement_says(graph: SupplyGraph) -> None:
    day = date(2025, 7, 1)
    assert _seed(graph, "hikvision-canada", day)["ca-ica-2025"].verdict == "covered"
    assert (
        _seed(graph, "hikvision-canada", date(2025, 6, 26))["ca-ica-2025"].verdict == "not_covered"
    )
    usa = _seed(graph, "hikvision-usa", day)["ca-ica-2025"]
    assert usa.verdict == "not_covered" and "outside Canada" in usa.reason
    hilook = _seed(graph, "brand-hilook", day)["ca-ica-2025"]
    assert hilook.verdict == "covered" and "purchase" in hilook.reason
    assert _seed(graph, "cetc", day)["ca-ica-2025"].verdict == "not_covered"


def test_hilook_is_covered_as_a_hikvision_brand(graph: SupplyGraph) -> None:
    hilook = _seed(graph, "brand-hilook", date(2026, 1, 1))
    assert hilook["ndaa-889"].verdict == "covered"
    assert hilook["ndaa-889"].paths[0][0].from_ == "hikvision"
    assert hilook["us-entity-list"].verdict == "not_covered"


def test_hilook_under_the_affiliates_rule_is_judged_on_its_owner(graph: SupplyGraph) -> None:
    """Issue 24: the BIS Affiliates rule speaks of entities; HiLook, a brand, answers through
    its owner, and the reason says so."""
    after = _seed(graph, "brand-hilook", date(2026, 12, 1))["bis-affiliates"]
    assert after.verdict == "covered"
    assert after.reason.startswith(
        "HiLook is a brand; the rule applies to its owner Hangzhou Hikvision Digital Technology "
        "Co., Ltd.: Hangzhou Hikvision Digital Technology Co., Ltd. is itself listed"
    )
    assert "100% owned by" not in after.reason
    assert [(s.from_, s.relation, s.to) for s in after.paths[0]] == [
        ("hikvision", "OWNS_BRAND", "brand-hilook")
    ]
    during = _seed(graph, "brand-hilook", date(2026, 1, 1))["bis-affiliates"]
    assert during.verdict == "not_covered" and "suspended" in during.reason
    assert "HiLook is a brand; the rule applies to its owner" in during.reason


def _brand_product_and_block(store: GraphStore, owner_share: float) -> None:
    _put(
        store,
        [
            *_orgs("sable", "maker", "assignee"),
            Node(id="brand-b", kind=NodeKind.BRAND, name="Bravo Cams", sources=(SRC,)),
            Node(id="product-p", kind=NodeKind.PRODUCT, name="Bravo X1", sources=(SRC,)),
            Node(id="block-m", kind=NodeKind.IDENTIFIER, name="AA:BB:CC", sources=(SRC,)),
            owns("sable", "maker", owner_share),
            edge("maker", Relation.OWNS_BRAND, "brand-b"),
            edge("product-p", Relation.MODEL_OF, "brand-b"),
            edge("assignee", Relation.ASSIGNED, "block-m"),
            listing("sable", SDN, date(2020, 1, 1)),
        ],
    )


def test_a_product_answers_through_its_brands_owner(store: GraphStore) -> None:
    _brand_product_and_block(store, 60)
    product = _verdicts(store, "product-p")["ofac-50"]
    assert product.verdict == "covered"
    assert product.reason.startswith(
        "Bravo X1 is a product of the brand Bravo Cams; the rule applies to the brand's owner "
        "Maker: Maker is blocked: 60% owned by Sable"
    )
    assert [[(s.from_, s.relation, s.to) for s in p] for p in product.paths] == [
        [
            ("sable", "OWNS", "maker"),
            ("maker", "OWNS_BRAND", "brand-b"),
            ("product-p", "MODEL_OF", "brand-b"),
        ]
    ]


def test_below_the_threshold_the_brand_says_its_owner_is_not_covered(store: GraphStore) -> None:
    _brand_product_and_block(store, 40)
    brand = _verdicts(store, "brand-b")["ofac-50"]
    assert brand.verdict == "not_covered"
    assert brand.reason.startswith(
        "Bravo Cams is a brand; the rule applies to its owner Maker: Maker is not blocked: 40%"
    )
    # An identifier answers through its assignee, here owned by nobody listed.
    block = _verdicts(store, "block-m")["ofac-50"]
    assert block.verdict == "not_covered"
    assert block.reason.startswith(
        "AA:BB:CC is an identifier; the rule applies to its assignee Assignee: No owner of Assignee"
    )


def test_owners_of_hikvision_are_not_covered_by_its_listings(graph: SupplyGraph) -> None:
    cetc = _seed(graph, "cetc", date(2026, 1, 1))
    assert cetc["ndaa-889"].verdict == "not_covered"
    assert cetc["us-ofac-ns-cmic"].verdict == "covered"  # CETC is listed in its own right


# -- API and resolve --------------------------------------------------------------------------
def test_regimes_endpoint_shape_and_errors(client: TestClient) -> None:
    r = client.get("/v1/entities/hikvision-usa/regimes", params={"as_of": "2026-12-01"})
    assert r.status_code == 200
    body = r.json()
    assert body["entity"]["id"] == "hikvision-usa" and body["as_of"] == "2026-12-01"
    first = body["regimes"][0]
    assert set(first) >= {"regime", "verdict", "reason", "paths", "sources"}
    bis = next(x for x in body["regimes"] if x["regime"] == "bis-affiliates")
    assert bis["verdict"] == "covered"
    assert bis["paths"][0][0]["from"] == "hikvision"
    assert client.get("/v1/entities/hikvision/regimes", params={"as_of": "nope"}).status_code == 422
    assert client.get("/v1/entities/no-such-entity-xyz/regimes").status_code == 404


def test_resolve_carries_the_targets_and_the_matchs_regimes(graph: SupplyGraph) -> None:
    result = graph.resolve(brand="HiLook", as_of=date(2026, 1, 1))
    assert result.verdict == "yes"
    target = {r.regime: r.verdict for r in result.regimes}
    assert target["us-entity-list"] == "covered"
    assert result.matched_regimes is not None
    assert result.matched_regimes.entity.id == "brand-hilook"
    matched = {r.regime: r.verdict for r in result.matched_regimes.regimes}
    assert matched["ndaa-889"] == "covered" and matched["us-entity-list"] == "not_covered"


def test_cli_regimes_json_and_unknown_entity(seeded_path: Path, tmp_path: Path) -> None:
    import json
    import shutil

    from typer.testing import CliRunner

    from supplygraph.cli import app

    copy = tmp_path / "cli.db"
    shutil.copy(seeded_path, copy)
    store = f"sqlite:///{copy}"
    runner = CliRunner()
    result = runner.invoke(
        app, ["regimes", "hikvision-canada", "--as-of", "2025-07-01", "--json", "--store", store]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    ica = next(r for r in body["regimes"] if r["regime"] == "ca-ica-2025")
    assert ica["verdict"] == "covered"
    bad = runner.invoke(app, ["regimes", "no-such-entity-xyz", "--store", store])
    assert bad.exit_code != 0
