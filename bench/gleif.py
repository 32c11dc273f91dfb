"""``gleif_load``: a GLEIF-size golden copy loaded end to end into SQLite, then owners queries.

The bench writes a synthetic LEI-CDF file (entity records) and RR-CDF file (relationship
records) in the golden copy's XML layout, as ``loaders/gleif.py`` reads them, with valid LEIs
(ISO 17442 check digits) and varied names. Entities come in groups of 25, like corporate groups:
each has a direct parent in its group (IS_DIRECTLY_CONSOLIDATED_BY) and then, until the
relationship count is reached, the group's top as ultimate parent (IS_ULTIMATELY_CONSOLIDATED_BY).
Sizes: 3M entities and 5M relationships (GLEIF publishes about 2.8M LEI records), 100k and 150k
with ``--quick``.

The load runs as ``supplygraph load`` in a child process, so its wall time is the whole command
and its peak RSS is the load's own: the child writes, as it exits, the high-water mark of its own
address space (``VmHWM``). The child's ``ru_maxrss`` would not do: Linux folds into it the peak
of the address space the child was started from, which is the bench's (several GB at 1M
companies, the bench holding the synthetic records).
"""

from __future__ import annotations

import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from supplygraph.loaders.gleif import lei_node_id
from supplygraph.service import SupplyGraph

from .figures import Figure, percentile
from .names import iter_synthetic_names

GROUP = 25
LOAD_GOAL_S = 15 * 60
SERVER_LOAD_GOAL_S = 30 * 60  # the same files into a Neo4j server
RSS_GOAL_MIB = 4096
COUNTRIES = ("CN", "US", "GB", "DE", "HK", "SG", "JP", "KR", "FR", "NL", "LU", "KY")
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def lei_of(i: int) -> str:
    """The ``i``-th synthetic LEI: 18 characters (a made-up LOU prefix, then ``i`` in base 36)
    and the two ISO 7064 MOD 97-10 check digits.

    >>> from supplygraph.graph.model.identifiers import check_identifier
    >>> from supplygraph.graph.model.records import IdScheme
    >>> check_identifier(IdScheme.LEI, lei_of(12345))[1] is None
    True
    """
    digits = ""
    n = i
    for _ in range(12):
        n, rest = divmod(n, 36)
        digits = _ALPHABET[rest] + digits
    body = "SYNT00" + digits
    as_number = int("".join(str(_ALPHABET.index(c)) for c in body + "00"))
    return f"{body}{98 - as_number % 97:02d}"


HEADER_LEI = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<lei:LEIData xmlns:lei="http://www.gleif.org/data/schema/leidata/2016">\n'
    "<lei:LEIHeader><lei:ContentDate>2024-01-01T00:00:00Z</lei:ContentDate>"
    "<lei:FileContent>GLEIF_FULL_PUBLISHED</lei:FileContent>"
    "<lei:RecordCount>%d</lei:RecordCount></lei:LEIHeader>\n<lei:LEIRecords>\n"
)
LEI_RECORD = """<lei:LEIRecord>
 <lei:LEI>%(lei)s</lei:LEI>
 <lei:Entity>
  <lei:LegalName xml:lang="en">%(name)s</lei:LegalName>%(other)s
  <lei:LegalAddress xml:lang="en">
   <lei:FirstAddressLine>%(number)d Harbour Road</lei:FirstAddressLine>
   <lei:City>Synthetic City</lei:City>
   <lei:Country>%(country)s</lei:Country>
   <lei:PostalCode>%(postal)05d</lei:PostalCode>
  </lei:LegalAddress>
  <lei:LegalJurisdiction>%(country)s</lei:LegalJurisdiction>
  <lei:EntityCategory>GENERAL</lei:EntityCategory>
  <lei:EntityStatus>ACTIVE</lei:EntityStatus>
 </lei:Entity>
 <lei:Registration>
  <lei:InitialRegistrationDate>2015-03-02T00:00:00Z</lei:InitialRegistrationDate>
  <lei:RegistrationStatus>ISSUED</lei:RegistrationStatus>
  <lei:ManagingLOU>SYNT00000000000000XX</lei:ManagingLOU>
 </lei:Registration>
</lei:LEIRecord>
"""
OTHER_NAME = (
    '\n  <lei:OtherEntityNames><lei:OtherEntityName xml:lang="en" type="PREVIOUS_LEGAL_NAME">'
    "%s</lei:OtherEntityName></lei:OtherEntityNames>"
)
FOOTER_LEI = "</lei:LEIRecords>\n</lei:LEIData>\n"

HEADER_RR = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<rr:RelationshipData xmlns:rr="http://www.gleif.org/data/schema/rr/2016">\n'
    "<rr:Header><rr:ContentDate>2024-01-01T00:00:00Z</rr:ContentDate>"
    "<rr:FileContent>GLEIF_FULL_PUBLISHED</rr:FileContent>"
    "<rr:RecordCount>%d</rr:RecordCount></rr:Header>\n<rr:RelationshipRecords>\n"
)
RR_RECORD = """<rr:RelationshipRecord>
 <rr:Relationship>
  <rr:StartNode><rr:NodeID>%(child)s</rr:NodeID><rr:NodeIDType>LEI</rr:NodeIDType></rr:StartNode>
  <rr:EndNode><rr:NodeID>%(parent)s</rr:NodeID><rr:NodeIDType>LEI</rr:NodeIDType></rr:EndNode>
  <rr:RelationshipType>%(kind)s</rr:RelationshipType>
  <rr:RelationshipPeriods>
   <rr:RelationshipPeriod><rr:StartDate>2019-01-01T00:00:00Z</rr:StartDate>\
<rr:PeriodType>RELATIONSHIP_PERIOD</rr:PeriodType></rr:RelationshipPeriod>
   <rr:RelationshipPeriod><rr:StartDate>2023-01-01T00:00:00Z</rr:StartDate>\
<rr:EndDate>2023-12-31T00:00:00Z</rr:EndDate>\
<rr:PeriodType>ACCOUNTING_PERIOD</rr:PeriodType></rr:RelationshipPeriod>
  </rr:RelationshipPeriods>
  <rr:RelationshipStatus>ACTIVE</rr:RelationshipStatus>
 </rr:Relationship>
 <rr:Registration><rr:RegistrationStatus>PUBLISHED</rr:RegistrationStatus>\
<rr:ValidationSources>FULLY_CORROBORATED</rr:ValidationSources></rr:Registration>
</rr:RelationshipRecord>
"""
FOOTER_RR = "</rr:RelationshipRecords>\n</rr:RelationshipData>\n"


def write_lei_file(path: Path, entities: int, seed: int = 21) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER_LEI % entities)
        for i, name in enumerate(iter_synthetic_names(entities, seed)):
            former = f"{name.split()[0]} {i} Holdings" if rng.random() < 0.15 else ""
            record = {
                "lei": lei_of(i),
                "name": escape(name),
                "other": OTHER_NAME % escape(former) if former else "",
                "number": rng.randrange(1, 999),
                "country": rng.choice(COUNTRIES),
                "postal": rng.randrange(100_000),
            }
            out.write(LEI_RECORD % record)
        out.write(FOOTER_LEI)
    return path


def _direct_parents(entities: int) -> Iterator[tuple[int, str, int]]:
    for child in range(entities):
        in_group = child % GROUP
        if in_group:
            parent = child - in_group + (in_group - 1) // 3
            yield child, "IS_DIRECTLY_CONSOLIDATED_BY", parent


def _ultimate_parents(entities: int) -> Iterator[tuple[int, str, int]]:
    for child in range(entities):
        in_group = child % GROUP
        if in_group > 1:  # the first two have their group's top as direct parent already
            yield child, "IS_ULTIMATELY_CONSOLIDATED_BY", child - in_group


def relationships(entities: int, count: int) -> Iterator[tuple[int, str, int]]:
    """(child, relationship type, parent): every direct parent, then ultimate parents."""
    both = itertools.chain(_direct_parents(entities), _ultimate_parents(entities))
    return itertools.islice(both, count)


def write_rr_file(path: Path, entities: int, count: int) -> int:
    """The RR-CDF file; returns how many relationships it holds."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER_RR % count)
        for child, kind, parent in relationships(entities, count):
            out.write(RR_RECORD % {"child": lei_of(child), "parent": lei_of(parent), "kind": kind})
            written += 1
        out.write(FOOTER_RR)
    return written


@dataclass
class LoadRun:
    seconds: float
    peak_rss_mib: float
    returncode: int


# Runs `supplygraph load` in the child, and on the way out writes the child's own peak RSS (KiB,
# VmHWM: the high-water mark of the address space it got at exec) to the file named in
# SUPPLYGRAPH_BENCH_PEAK; with SUPPLYGRAPH_BENCH_PROFILE set, under cProfile into that file.
_CHILD = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                with open(os.environ["SUPPLYGRAPH_BENCH_PEAK"], "w") as out:
                    out.write(line.split()[1])

atexit.register(_peak)
sys.argv[0] = "supplygraph"
profile = os.environ.get("SUPPLYGRAPH_BENCH_PROFILE")
if profile:
    import cProfile
    cProfile.run("runpy.run_module('supplygraph.cli', run_name='__main__')", profile)
else:
    runpy.run_module("supplygraph.cli", run_name="__main__")
"""


def load_in_child(store_url: str, files: list[Path], profile: Path | None = None) -> LoadRun:
    """``supplygraph load FILES --store URL`` in a child; its wall time and its own peak RSS."""
    command = [sys.executable, "-c", _CHILD, "load", *map(str, files), "--store", store_url]
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        env = {**os.environ, "SUPPLYGRAPH_BENCH_PEAK": str(peak_file)}
        if profile is not None:
            env["SUPPLYGRAPH_BENCH_PROFILE"] = str(profile)
        start = time.perf_counter()
        child = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - start
        if child.returncode != 0:
            sys.stderr.buffer.write(child.stderr[-4000:])
        peak_kib = float(peak_file.read_text()) if peak_file.exists() else float("nan")
    return LoadRun(seconds, peak_kib / 1024.0, child.returncode)


def run(work: Path, entities: int, count: int, queries: int) -> list[Figure]:
    """Write the files, load them in a child process, then time owners of random entities."""
    lei_file = write_lei_file(work / "gleif-lei.xml", entities)
    rr_file = work / "gleif-rr.xml"
    written = write_rr_file(rr_file, entities, count)
    store_url = f"sqlite:///{work / 'gleif.db'}"
    loaded = load_in_child(store_url, [lei_file, rr_file])
    if loaded.returncode != 0:
        raise RuntimeError(f"the GLEIF load exited with {loaded.returncode}")
    graph = SupplyGraph.open(store_url)
    try:
        counts = graph.view.counts()
        rng = random.Random(4)
        today = date.today()
        times: list[float] = []
        owners_found = 0
        for _ in range(queries):
            node_id = lei_node_id(lei_of(rng.randrange(entities)))
            start = time.perf_counter()
            owners_found += len(graph.owners(node_id, as_of=today).owners)
            times.append((time.perf_counter() - start) * 1000.0)
        start = time.perf_counter()
        for _ in range(queries):
            graph.view.nodes([lei_node_id(lei_of(rng.randrange(entities)))])
        lookup_ms = (time.perf_counter() - start) / queries * 1000.0
    finally:
        graph.close()
    size_mib = (lei_file.stat().st_size + rr_file.stat().st_size) / 2**20
    scale = f"{entities:,} LEI records, {written:,} relationship records"
    stored = f"{counts['nodes']:,} nodes, {counts['edges']:,} edges stored"
    return [
        Figure(
            "gleif_load",
            loaded.seconds,
            f"s ({scale})",
            "goal, s",
            LOAD_GOAL_S,
            goal="value <= 900 s at 3M entities and 5M relationships",
            note=f"`supplygraph load` of {size_mib:,.0f} MiB of LEI-CDF and RR-CDF XML into a "
            f"fresh SQLite store, end to end in a child process; {stored}; "
            f"{(entities + written) / loaded.seconds:,.0f} records/s",
        ),
        Figure(
            "gleif_load_peak_rss",
            loaded.peak_rss_mib,
            f"MiB ({scale})",
            "goal, MiB",
            RSS_GOAL_MIB,
            goal="value <= 4096 MiB",
            note="VmHWM of the loading process's own address space, written as it exits",
        ),
        Figure(
            "gleif_owners_p99",
            percentile(times, 99),
            f"ms ({scale})",
            "node_lookup_ms",
            lookup_ms,
            goal="value < 20 ms",
            note=f"{queries} random entities, max_depth 6, {owners_found / queries:.1f} owners "
            f"each; p50 {percentile(times, 50):.2f} ms",
        ),
    ]
