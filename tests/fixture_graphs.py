"""The FtM and BODS fixture files in tests/fixtures/, read through our own loaders.

Tests find entities by name, so they depend on the files' content, not on generated ids.
"""

from __future__ import annotations

from pathlib import Path

from supplygraph.graph.model.records import Record
from supplygraph.loaders import bods, ftm
from supplygraph.loaders.context import LoadContext

FIXTURES = Path(__file__).parent / "fixtures"


def faq401_chain() -> list[Record]:
    """ftm_faq401_chain.ftm.json: Sable Freight (SDN since 2023-05-19) -50%-> Ash -50%-> Beech."""
    path = FIXTURES / "ftm_faq401_chain.ftm.json"
    return list(ftm.records(path, LoadContext(path)))


def bods_state_chain() -> list[Record]:
    """bods_state_chain.json: a ministry owns 100% of a holding that owns 76.5% of the ports
    company, and 23.5% of it directly (plus a BODS indirect summary that must not count twice)."""
    path = FIXTURES / "bods_state_chain.json"
    return list(bods.records(path, LoadContext(path)))
