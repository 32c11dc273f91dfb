"""The bulk engine against single lookups, row by row, on a 100k-row inventory of real keys.

The inventory is generated from the IEEE registry shipped in netaddr and the seed's brands and
FCC grantee codes (supplygraph.bench.inventory). Every row of a random sample, plus the first
row of every distinct key (MAC block, FCC grantee code, brand, model, name), is resolved alone
with SupplyGraph.resolve and must give the same verdict, confidence and best evidence path.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Collection
from typing import Any

import pytest
from factories import SRC, edge, org

from supplygraph.audit.columns import map_columns
from supplygraph.bench.inventory import write_csv
from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.bulk_rows import FIELDS, BulkResult, Fields, RowProblem
from supplygraph.graph.engine.resolve import Query, Resolver
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.normalize import fcc_grantee_code, mac_prefixes
from supplygraph.graph.model.records import Node, NodeKind, Relation
from supplygraph.graph.store.protocol import GraphView
from supplygraph.service import SupplyGraph

ROWS = 100_000
SAMPLE = 3_000


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> list[Fields]:
    path = write_csv(tmp_path_factory.mktemp("bulk") / "inventory.csv", ROWS, seed=6)
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        mapping = map_columns(next(reader))
        idx = [mapping.index[f] for f in FIELDS]
        return [(r[idx[0]], r[idx[1]], r[idx[2]], r[idx[3]], r[idx[4]]) for r in reader]


def _single(graph: SupplyGraph, row: Fields) -> tuple[Any, ...]:
    mac, fcc, brand, model, name = row
    try:
        r = graph.resolve(
            mac=mac or None,
            fcc_id=fcc or None,
            brand=brand or None,
            model=model or None,
            name=name or None,
        )
    except InvalidQuery as exc:
        return ("error", exc.field)
    path = [(s.from_, s.to, s.relation) for s in r.paths[0]] if r.paths else []
    return (r.verdict, r.confidence, path, sorted(m.id for m in r.matched))


def _bulk(result: BulkResult) -> tuple[Any, ...]:
    if result.error is not None:
        return ("error", result.error_field)
    path = [(e.src, e.dst, e.relation.value) for e in result.best.path] if result.best else []
    return (result.verdict, result.confidence, path, sorted(m.id for m in result.matched))


def _key_rows(rows: list[Fields]) -> set[int]:
    """The first row of every distinct key the engine caches on."""
    firsts: dict[tuple[str, str], int] = {}
    for i, (mac, fcc, brand, model, name) in enumerate(rows):
        keys = [("brand", brand), ("model", model), ("name", name)]
        try:
            if mac:
                keys.append(("mac", mac_prefixes(mac)["oui"]))
            if fcc:
                keys.append(("fcc", fcc_grantee_code(fcc)))
        except InvalidQuery:
            keys.append(("bad", mac + "|" + fcc))
        for key in keys:
            if key[1]:
                firsts.setdefault(key, i)
    return set(firsts.values())


def test_bulk_equals_single_lookups_on_100k_rows(
    graph: SupplyGraph, inventory: list[Fields]
) -> None:
    assert len(inventory) == ROWS
    results = list(BulkResolver(graph.resolver, batch_size=4096).prepare().resolve(inventory))
    assert len(results) == ROWS
    verdicts = {r.verdict for r in results}
    assert {"yes", "no", "unknown", None} <= verdicts  # the inventory exercises every outcome

    rng = random.Random(60)
    check = set(rng.sample(range(ROWS), SAMPLE)) | _key_rows(inventory)
    assert len(check) > SAMPLE
    mismatches = [
        (i, inventory[i], _single(graph, inventory[i]), _bulk(results[i]))
        for i in sorted(check)
        if _single(graph, inventory[i]) != _bulk(results[i])
    ]
    assert not mismatches, mismatches[:5]


def test_macs_under_subdivided_prefixes_match_single_lookups(graph: SupplyGraph) -> None:
    """The registry's IAB prefixes hold 36-bit blocks: there the 24-bit block does not decide,
    and the engine's per-prefix shortcut must not apply (checked over several batches)."""
    assert {"0050C2", "40D855"} <= graph.view.subdivided_blocks()
    macs = ["40:d8:55:0d:70:01", "40:d8:55:0d:80:01", "00-50-C2-00-10-01", "0c:75:d2:00:00:01"]
    rows: list[Fields] = [(m, "", "", "", "") for m in macs * 3]
    run = BulkResolver(graph.resolver, batch_size=4).prepare(target="dahua")
    results = list(run.resolve(rows))
    expected = [_single_against(graph, row, "dahua") for row in rows]
    assert [_bulk(r) for r in results] == expected
    assert results[0].matched[0].matched_on == "oui36:40D8550D7"
    assert results[1].matched[0].matched_on == "oui36:40D8550D8"


def _single_against(graph: SupplyGraph, row: Fields, target: str) -> tuple[Any, ...]:
    r = graph.resolve(mac=row[0], target=target)
    path = [(s.from_, s.to, s.relation) for s in r.paths[0]] if r.paths else []
    return (r.verdict, r.confidence, path, sorted(m.id for m in r.matched))


def test_evidence_is_readable_and_sourced(graph: SupplyGraph) -> None:
    run = BulkResolver(graph.resolver).prepare()
    yes, no, unknown = run.resolve(
        [
            ("0c:75:d2:12:34:56", "", "", "", ""),
            ("", "", "", "", "CETHIK"),
            ("02:00:00:00:00:01", "", "", "", ""),
        ]
    )
    assert yes.verdict == "yes" and yes.best is not None
    assert "-ASSIGNED-> MAC block 0C:75:D2" in yes.evidence
    assert all(edge.sources for edge in yes.best.path)
    assert no.verdict == "no" and "China Electronics Technology HIK Group" in no.evidence
    assert unknown.verdict == "unknown" and "locally administered" in unknown.evidence


def test_bad_rows_get_errors_in_place(graph: SupplyGraph) -> None:
    rows: list[Fields | RowProblem] = [
        ("zz:zz", "", "HiLook", "", ""),
        RowProblem("line has 9 values but the header has 7 columns", "row"),
        ("", "", "", "", "  "),
        ("", "--", "", "", ""),
        ("", "", "HiLook", "", ""),
    ]
    out = list(BulkResolver(graph.resolver).prepare().resolve(rows))
    assert [r.error_field for r in out] == ["mac", "row", "query", "fcc_id", None]
    assert out[0].verdict is None and "'zz:zz' is not a MAC address" in (out[0].error or "")
    assert out[4].verdict == "yes"


class CountingView:
    """The real store's view, counting calls per primitive (no behaviour of its own)."""

    def __init__(self, view: GraphView) -> None:
        self._view = view
        self.calls: dict[str, int] = {}
        self.keys: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._view, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if args and isinstance(args[0], Collection) and not isinstance(args[0], str):
                self.keys[name] = self.keys.get(name, 0) + len(args[0])
            return target(*args, **kwargs)

        return counted


def test_one_store_call_per_primitive_per_batch(
    graph: SupplyGraph, inventory: list[Fields]
) -> None:
    view = CountingView(graph.view)
    resolver = Resolver(view)  # type: ignore[arg-type]  # a proxy of the real view
    engine = BulkResolver(resolver, batch_size=2_000)
    run = engine.prepare()
    warm = dict(view.calls)
    rows = inventory[:20_000]
    assert len(list(run.resolve(rows))) == len(rows)
    batches = len(rows) // 2_000
    calls = {k: v - warm.get(k, 0) for k, v in view.calls.items()}
    for primitive in ("find_by_identifier", "find_by_name_key", "tokens_with_prefix"):
        assert calls.get(primitive, 0) <= batches, (primitive, calls)
    # Words: the typed ones, then the stored neighbours of those in no name (typos).
    assert calls.get("find_by_token", 0) <= 2 * batches, calls
    # Node records: once for match candidates and once for evidence-path names (with the
    # subjects of unreached matches), per batch; and twice per run for the names of the target's
    # group and of the outsiders that share their words, which the `no` rule reads (relatedness).
    assert calls.get("nodes", 0) <= 2 * batches + 2, calls
    # Thousands of distinct MAC blocks were looked up, in those few calls.
    assert view.keys["find_by_identifier"] > 10 * calls["find_by_identifier"]


def test_results_follow_the_store_version(empty_graph: SupplyGraph) -> None:
    brand = Node(id="brand-zq", kind=NodeKind.BRAND, name="Zq Cam", sources=(SRC,))
    with empty_graph.store.writer() as w:
        w.put([org("acme", "Acme Holdings"), brand])
    run = BulkResolver(empty_graph.resolver).prepare(target="acme")
    assert [r.verdict for r in run.resolve([("", "", "Zq Cam", "", "")])] == ["no"]
    # A load bumps the store version: the same run drops its caches and sees the new edge.
    with empty_graph.store.writer() as w:
        w.put([edge("acme", Relation.OWNS_BRAND, "brand-zq")])
    assert [r.verdict for r in run.resolve([("", "", "Zq Cam", "", "")])] == ["yes"]


def test_cache_is_bounded_and_keeps_what_is_used() -> None:
    cache: TwoGenerationCache[int, int] = TwoGenerationCache(100)
    cache.put(-1, -1)
    for i in range(10_000):
        cache.put(i, i)
        assert cache[-1] == -1  # read on every step, so it is promoted and never dropped
        assert cache.size() <= 100
    assert cache[1] is None and cache[9_999] == 9_999


def test_queries_api_matches_tuples(graph: SupplyGraph) -> None:
    engine = BulkResolver(graph.resolver)
    out = list(engine.resolve_queries([Query(brand="EZVIZ"), Query(fcc_id="2ADTD-5604SD")]))
    assert [r.verdict for r in out] == ["yes", "yes"]


def test_values_known_as_typed_answer_as_the_first_time(graph: SupplyGraph) -> None:
    """Rows met again are answered from their values as typed (a MAC by its 24-bit block's
    text): edge cases must give what they gave the first time, and what single lookups give."""
    rows: list[Fields] = [
        ("0c:75:d2:12:34:56", "", "", "", ""),
        ("0C-75-D2-AA-BB-CC", "", "HiLook", "", ""),
        ("0c75.d2aa.bbcc", "", "", "", "  "),
        ("0C75D2", "", "", "", ""),  # a bare 24-bit prefix: the same block decides it
        ("0c:75:d2", "", "", "", ""),
        (":", "", "HiLook", "", ""),  # no digits: an error, though its block text is empty
        (" ", "", "HiLook", "", ""),
        ("", "", "", "", ""),
        (" ", " ", " ", "", " "),  # nothing but blanks: an error
        ("", "", "Nothing Like Any Brand", "", ""),
        ("0c:75:d2:12:34:56\t", "", "", "", ""),
        ("40:d8:55:0d:70:01", "", "", "", ""),  # under a subdivided prefix
        ("40:d8:55:0d:80:01", "", "", "", ""),
    ]
    items: list[Fields | RowProblem] = [*rows, RowProblem("bad line", "row"), *rows, *rows]
    results = list(BulkResolver(graph.resolver, batch_size=5).prepare().resolve(items))
    first, problem, again = results[: len(rows)], results[len(rows)], results[len(rows) + 1 :]
    assert problem.error_field == "row"
    assert [_bulk(r) for r in again] == [_bulk(r) for r in first] * 2
    assert [_bulk(r) for r in first] == [_single(graph, row) for row in rows]
    assert [r.error_field for r in first[5:9]] == ["mac", None, "query", "query"]
