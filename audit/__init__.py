"""Installation audits: an inventory file in, every row resolved, a report out.

>>> from pathlib import Path
>>> from supplygraph import SupplyGraph
>>> from supplygraph.audit import audit_file
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> inventory = Path(__import__("tempfile").mkdtemp()) / "cams.csv"
>>> _ = inventory.write_text("Brand,Model No.\\nHiLook,IPC-B120\\nAxis,M3045\\n")
>>> summary = audit_file(sg.resolver, inventory, inventory.with_suffix(".out.csv"))
>>> summary.verdicts["yes"], summary.rows
(1, 2)
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from supplygraph.graph.engine.resolve import Resolver

from .readers import open_inventory
from .run import Audit, Progress, Summary, quiet_gc
from .writers import format_for, open_writer

__all__ = ["Audit", "Summary", "audit_file"]


def audit_file(
    resolver: Resolver,
    inventory: Path,
    out: Path | None,
    fmt: str | None = None,
    target: str | None = None,
    as_of: date | None = None,
    input_format: str | None = None,
    progress: Progress | None = None,
    own_process: bool = False,
    raw_csv: bool = False,
) -> Summary:
    """Resolve every row of ``inventory`` and write the report to ``out`` (None: stdout).

    ``own_process`` (the CLI) lets the run keep its caches out of the garbage collector's full
    passes; leave it off inside a long-lived server. ``raw_csv`` keeps CSV cells that start
    like a spreadsheet formula as they are (by default they get a leading single quote).
    """
    source = open_inventory(inventory, input_format)
    try:
        audit = Audit(source, resolver, target, as_of)
        kind = format_for(out, fmt)
        writer = open_writer(
            kind,
            out,
            source.columns,
            audit.extra_columns,
            text_cells=source.format not in ("json", "ndjson"),
            raw_csv=raw_csv,
        )
        try:
            if own_process:
                with quiet_gc() as between:
                    for batch in audit.batches(progress, between):
                        writer.write_batch(batch)
            else:
                for batch in audit.batches(progress):
                    writer.write_batch(batch)
            writer.finish(audit.summary)
        except BaseException:
            writer.abort()
            raise
    finally:
        source.close()
    return audit.summary
