"""The FtM and BODS fixture files in tests/fixtures/, as graphs.

The files are read through their loaders (``supplygraph.loaders.ftm`` / ``.bods``, each with a
``records(path)`` generator) when those exist; until then the same graph is built by hand with
:mod:`factories`, so the tests exercise the engines either way. Tests find entities by name, so
they do not depend on which path built the graph.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from datetime import date
from pathlib import Path

from factories import listing, org, owns
from supplygraph.graph.model import OrgType, Record

FIXTURES = Path(__file__).parent / "fixtures"


def _through_loader(
    loader: str, filename: str, by_hand: Callable[[], list[Record]]
) -> list[Record]:
    try:
        module = importlib.import_module(f"supplygraph.loaders.{loader}")
    except ImportError:
        return by_hand()
    read = getattr(module, "records", None)
    if read is None:
        return by_hand()
    path = FIXTURES / filename
    if "ctx" in inspect.signature(read).parameters:
        from supplygraph.loaders.context import LoadContext

        return list(read(path, LoadContext(path)))
    return list(read(path))


def faq401_chain() -> list[Record]:
    """ftm_faq401_chain.ftm.json: Sable Freight (SDN since 2023-05-19) -50%-> Ash -50%-> Beech."""

    def by_hand() -> list[Record]:
        return [
            org("t-sable-freight", "Sable Freight LLC"),
            org("t-ash-logistics", "Ash Logistics Ltd"),
            org("t-beech-ports", "Beech Ports Ltd"),
            owns("t-sable-freight", "t-ash-logistics", 50, valid_from=date(2020, 1, 1)),
            owns("t-ash-logistics", "t-beech-ports", 50, valid_from=date(2020, 1, 1)),
            listing("t-sable-freight", "us-ofac-sdn", date(2023, 5, 19)),
        ]

    return _through_loader("ftm", "ftm_faq401_chain.ftm.json", by_hand)


def bods_state_chain() -> list[Record]:
    """bods_state_chain.json: a ministry owns 100% of a holding that owns 76.5% of the ports
    company, and 23.5% of it directly (plus a BODS indirect summary that must not count twice)."""

    def by_hand() -> list[Record]:
        return [
            org("ruritania-mof", "Ministry of Finance of Ruritania", org_type=OrgType.STATE_BODY),
            org("ruritania-holdings", "Ruritania State Holdings Ltd"),
            org("ruritanian-ports", "Ruritanian Ports Company"),
            owns("ruritania-mof", "ruritania-holdings", 100, valid_from=date(2019, 1, 1)),
            owns("ruritania-holdings", "ruritanian-ports", 76.5, valid_from=date(2019, 1, 1)),
            owns("ruritania-mof", "ruritanian-ports", 23.5, valid_from=date(2019, 1, 1)),
        ]

    return _through_loader("bods", "bods_state_chain.json", by_hand)
