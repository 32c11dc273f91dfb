"""The IEEE MAC address registry, as shipped inside the installed ``netaddr`` package.

Every assignee becomes an organization; every block (MA-L 24-bit and IAB 36-bit) becomes an
identifier node ASSIGNED to it. Assignees are tied to curated entities only through the reviewed
mapping in ``seed_data/ieee_assignees.yaml``, never by fuzzy matching here.
"""

from __future__ import annotations

from collections.abc import Iterator

import netaddr
from netaddr import IAB, OUI
from netaddr.eui import ieee

from supplygraph.graph.model.ids import identifier_node_id, make_id
from supplygraph.graph.model.records import (
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    Record,
    Relation,
    SourceRef,
)

MA_L_URL = "https://standards-oui.ieee.org/oui/oui.txt"
IAB_URL = "https://standards-oui.ieee.org/iab/iab.txt"


def ieee_org_id(assignee: str) -> str:
    """The node id of an IEEE assignee, from its registered name (case-insensitive)."""
    return make_id("ieee", " ".join(assignee.split()).casefold())


def _source(registry: str, url: str, quote: str) -> SourceRef:
    return SourceRef(
        id=f"ieee-{registry.lower()}",
        title=f"IEEE Registration Authority {registry} public listing "
        f"(as shipped in netaddr {netaddr.__version__})",
        url=url,
        grade="A",
        quote=quote,
    )


def _country(address: list[str]) -> str | None:
    last = address[-1].strip() if address else ""
    return last if len(last) == 2 and last.isalpha() and last.isupper() else None


def assignment_records(
    org: str,
    address: list[str],
    scheme: IdScheme,
    value: str,
    label: str,
    src: SourceRef,
    country: str | None = None,
) -> Iterator[Record]:
    """The assignee, the block and the ASSIGNED edge between them, as every IEEE reader gives
    them (netaddr's text registry here, the IEEE CSV files in :mod:`.ieee`)."""
    org_id = ieee_org_id(org)
    # The assignee is cited once per registry, by its registered name: citing every block's
    # line here would grow a large assignee's record by one source per block (over a thousand
    # for some), read back whole on every lookup. Each block and its ASSIGNED edge keep their
    # own line.
    yield Node(
        id=org_id,
        kind=NodeKind.ORGANIZATION,
        name=org,
        country=country or _country(address),
        properties={"ieee_address": " / ".join(a.strip() for a in address if a.strip())},
        sources=(src.model_copy(update={"quote": org}),),
    )
    ident_id = identifier_node_id(scheme.value, value)
    yield Node(
        id=ident_id,
        kind=NodeKind.IDENTIFIER,
        name=label,
        identifiers=(Identifier(scheme=scheme, value=value),),
        properties={"scheme": scheme.value, "value": value},
        sources=(src,),
    )
    yield Edge(
        id=make_id("assigned", org_id, ident_id),
        src=org_id,
        dst=ident_id,
        relation=Relation.ASSIGNED,
        confidence=1.0,
        sources=(src,),
    )


def records() -> Iterator[Record]:
    """Every MA-L and IAB assignment in netaddr's copy of the registry."""
    for index in sorted(ieee.OUI_INDEX):
        oui = OUI(index)
        for i in range(oui.reg_count):
            reg = oui.registration(i)
            org = str(reg["org"]).strip()
            if not org:
                continue
            value = str(reg["oui"]).replace("-", "").upper()
            pretty = ":".join(value[j : j + 2] for j in range(0, 6, 2))
            src = _source("MA-L", MA_L_URL, f"{reg['oui']} (hex) {org}")
            yield from assignment_records(
                org, list(reg["address"]), IdScheme.OUI, value, f"MAC block {pretty} (MA-L)", src
            )
    for index in sorted(ieee.IAB_INDEX):
        iab = IAB(index)
        reg = iab.registration()
        org = str(reg["org"]).strip()
        if not org:
            continue
        value = str(reg["iab"]).replace("-", "").upper()[:9]
        src = _source("IAB", IAB_URL, f"{reg['iab']} {org}")
        yield from assignment_records(
            org,
            list(reg["address"]),
            IdScheme.OUI36,
            value,
            f"MAC block {value} (IAB, 36-bit)",
            src,
        )
