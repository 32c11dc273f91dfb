"""A synthetic FollowTheMoney file loads with flat memory.

CI runs 16,000 entities (about 20,000 lines); the benchmark calls
``supplygraph.bench.synthetic_ftm.write_ftm(path, 1_000_000)`` for the million-entity run. Python
allocations are traced only during the second half of the load: whatever the loader kept from
every record would show up there as growth proportional to the lines read.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from supplygraph.bench.synthetic_ftm import ftm_lines, write_ftm
from supplygraph.graph.model.records import Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import Direction
from supplygraph.loaders import ftm
from supplygraph.loaders.ingest import load_file

ENTITIES = 16_000


def test_synthetic_file_is_deterministic() -> None:
    assert list(ftm_lines(50)) == list(ftm_lines(50))
    assert sum(1 for _ in ftm_lines(1000)) == 1000 + 249 + 1


def test_synthetic_ftm_loads_with_flat_memory(tmp_path: Path) -> None:
    path = write_ftm(tmp_path / "syn.ftm.json", ENTITIES, name_pool=2000)
    lines = sum(1 for _ in path.open("rb"))
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    seen = 0
    samples: list[int] = []

    def tick(n: int) -> None:
        nonlocal seen
        seen += n
        if not tracemalloc.is_tracing() and seen >= lines // 2:
            tracemalloc.start()
        elif tracemalloc.is_tracing() and seen % 1000 < n:
            samples.append(tracemalloc.get_traced_memory()[0])

    try:
        report = load_file(store, path, progress=tick)
    finally:
        tracemalloc.stop()
    assert report.counts["read"] == lines
    assert store.view().counts()["nodes"] == ENTITIES
    # Live memory allocated in the second half stays small and does not grow with lines read.
    assert len(samples) >= 5
    early, late = samples[1], max(samples[-3:])
    assert late - early < 4 * 1024 * 1024, (early, late)
    owned = ftm.node_id("syn-8")
    [edge] = store.view().edges([owned], Direction.IN, [Relation.OWNS])
    assert edge.src == ftm.node_id("syn-7") and edge.share == 18.0
