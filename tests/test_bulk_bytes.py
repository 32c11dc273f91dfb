"""A batched audit writes the very bytes of a row-by-row one.

The batched path shares work between rows (values known as typed, outcome combinations,
judgements, report cells, serialized tails); the reference here resolves the same inputs one row
per batch on a store opened afresh, each row with an engine of its own and the resolver's caches
emptied before it (regime verdicts, closures, answers), so nothing is shared between rows or
with the batched run and every row takes the general path. Any sharing that changes a byte of
the CSV report fails these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_audit_report import INVENTORY, WEAK_AND_DISTRIBUTORS

from supplygraph.audit import audit_file
from supplygraph.audit.readers import open_inventory
from supplygraph.audit.run import Audit
from supplygraph.audit.writers import open_writer
from supplygraph.bench.inventory import write_csv
from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.service import SupplyGraph


def _row_by_row(store: Path, inventory: Path, out: Path) -> bytes:
    """The CSV report of ``inventory``, each row resolved on its own by a new engine over
    emptied caches, on its own connection to ``store``."""
    graph = SupplyGraph.open(f"sqlite:///{store}")
    source = open_inventory(inventory, None)
    try:
        audit = Audit(source, graph.resolver, engine=BulkResolver(graph.resolver, batch_size=1))
        writer = open_writer("csv", out, source.columns, audit.extra_columns, text_cells=True)
        for batch in audit.batches():
            writer.write_batch(batch)
            # The next row meets none of this row's outcomes, cases, judgements or verdicts.
            graph.drop_caches()
            audit.run = BulkResolver(graph.resolver, batch_size=1).prepare()
        writer.finish(audit.summary)
    finally:
        source.close()
        graph.close()
    return out.read_bytes()


def _batched(graph: SupplyGraph, inventory: Path, out: Path) -> bytes:
    audit_file(graph.resolver, inventory, out, own_process=True)
    return out.read_bytes()


def test_bench_inventory_slice_is_byte_identical(
    graph: SupplyGraph, seeded_path: Path, tmp_path: Path
) -> None:
    inventory = write_csv(tmp_path / "inventory.csv", 1000)
    batched = _batched(graph, inventory, tmp_path / "batched.csv")
    single = _row_by_row(seeded_path, inventory, tmp_path / "single.csv")
    assert batched.count(b"\r\n") == 1001  # the header and every row
    # Enough of every kind of answer for the comparison to mean something.
    for verdict in (b",yes,", b",no,", b",unknown,"):
        assert batched.count(verdict) > 10, verdict
    assert batched == single


@pytest.mark.parametrize("text", [INVENTORY, WEAK_AND_DISTRIBUTORS])
def test_audit_test_inputs_are_byte_identical(
    graph: SupplyGraph, seeded_path: Path, tmp_path: Path, text: str
) -> None:
    inventory = tmp_path / "cameras.csv"
    inventory.write_text(text, encoding="utf-8")
    batched = _batched(graph, inventory, tmp_path / "batched.csv")
    assert batched == _row_by_row(seeded_path, inventory, tmp_path / "single.csv")
