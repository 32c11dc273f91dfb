"""Write an entity's neighbourhood in formats other tools read.

- ``graphml`` and ``gexf``: for Gephi, yEd, Cytoscape desktop (written by networkx);
- ``ftm``: FollowTheMoney entities, one JSON object a line (Aleph, OpenSanctions tooling);
- ``bods``: Beneficial Ownership Data Standard 0.4 statements (ownership and control only);
- ``csv``: one row per edge, with its sources; a cell that a spreadsheet would run as a formula
  gets a leading single quote (the OWASP rule), unless raw text is asked for.

Every format keeps the provenance: source titles and URLs travel with each node and edge. The
evidence strength of each edge (``strong``, or ``weak`` with the reason) travels where the format
has room for it: a CSV column, a GraphML/GEXF edge attribute, a FtM link's summary.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from supplygraph.errors import InvalidQuery
from supplygraph.graph.model import SourceRef
from supplygraph.graph.neighbourhood import GraphEdge, GraphNode, Neighbourhood


@dataclass(frozen=True)
class Export:
    """A rendered export: the bytes, their media type and a file name to save them under."""

    content: bytes
    media_type: str
    filename: str


def _join_sources(sources: list[SourceRef]) -> tuple[str, str]:
    titles = " | ".join(s.title for s in sources)
    urls = " | ".join(s.url for s in sources if s.url)
    return titles, urls


def _scalar_attrs(values: dict[str, Any]) -> dict[str, str | float | int | bool]:
    """GraphML and GEXF take scalars only and no nulls: unknown values are left out."""
    return {k: v for k, v in values.items() if isinstance(v, str | float | int | bool)}


def to_networkx(hood: Neighbourhood) -> nx.MultiDiGraph[str]:
    """The neighbourhood as a directed multigraph; parallel facts (OWNS and CONTROLS) both stay."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=f"supplygraph neighbourhood of {hood.center.id}")
    for n in hood.nodes:
        titles, urls = _join_sources(n.sources)
        g.add_node(
            n.id,
            **_scalar_attrs(
                {
                    "label": n.name,
                    "kind": n.kind,
                    "org_type": n.org_type,
                    "country": n.country,
                    "aliases": " | ".join(n.aliases),
                    "designated": n.designated,
                    "designations": " | ".join(d.list_ for d in n.designations),
                    "depth": n.depth,
                    "source_titles": titles,
                    "source_urls": urls,
                }
            ),
        )
    for e in hood.edges:
        titles, urls = _join_sources(e.sources)
        g.add_edge(
            e.source,
            e.target,
            key=e.id,
            **_scalar_attrs(
                {
                    "id": e.id,
                    "label": e.label,
                    "relation": e.relation,
                    "share": e.share,
                    "share_min": e.share_min,
                    "share_max": e.share_max,
                    "valid_from": e.valid_from.isoformat() if e.valid_from else None,
                    "valid_to": e.valid_to.isoformat() if e.valid_to else None,
                    "current": e.current,
                    "confidence": e.confidence,
                    "strength": e.strength,
                    "weak_reason": e.weak_reason,
                    "source_titles": titles,
                    "source_urls": urls,
                }
            ),
        )
    return g


def to_graphml(hood: Neighbourhood) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(to_networkx(hood), buf, encoding="utf-8")
    return buf.getvalue()


def to_gexf(hood: Neighbourhood) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(to_networkx(hood), buf, encoding="utf-8")
    return buf.getvalue()


CSV_COLUMNS = (
    "edge_id",
    "source_id",
    "source_name",
    "relation",
    "target_id",
    "target_name",
    "share",
    "share_min",
    "share_max",
    "valid_from",
    "valid_to",
    "current",
    "confidence",
    "strength",
    "weak_reason",
    "source_titles",
    "source_urls",
)


# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"): such cells get a leading single quote, unless raw text is asked for.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CELL = re.compile(r'(?:^|,)"?[=+\-@\t\r]')


def formula_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it rather than runs it.

    >>> formula_safe("=cmd|' /C calc'!A0"), formula_safe("HiLook")
    ("'=cmd|' /C calc'!A0", 'HiLook')
    """
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def may_hold_formula(line: str) -> bool:
    """Whether a comma-separated line may hold a cell :func:`formula_safe` would change (a
    quoted comma can make this say yes wrongly, never no)."""
    return _FORMULA_CELL.search(line) is not None


class _SafeWriter:
    """A csv writer whose rows go through :func:`formula_safe` first."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow([formula_safe(c) if isinstance(c, str) else c for c in row])


def to_csv(hood: Neighbourhood, raw: bool = False) -> bytes:
    """One row per edge with its sources; cells that would run as formulas are neutralised
    (see :func:`formula_safe`) unless ``raw``."""
    names = {n.id: n.name for n in hood.nodes}
    buf = io.StringIO()
    plain = csv.writer(buf, lineterminator="\n")
    writer: Any = plain if raw else _SafeWriter(plain)
    writer.writerow(CSV_COLUMNS)
    for e in hood.edges:
        titles, urls = _join_sources(e.sources)
        writer.writerow(
            [
                e.id,
                e.source,
                names.get(e.source, ""),
                e.relation,
                e.target,
                names.get(e.target, ""),
                _blank(e.share),
                _blank(e.share_min),
                _blank(e.share_max),
                _blank(e.valid_from),
                _blank(e.valid_to),
                "true" if e.current else "false",
                f"{e.confidence:g}",
                e.strength,
                e.weak_reason or "",
                titles,
                urls,
            ]
        )
    return buf.getvalue().encode("utf-8")


def _blank(value: float | date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else f"{value:g}"


# -- FollowTheMoney ----------------------------------------------------------------------------

_FTM_ORG_SCHEMA = {
    "company": "Company",
    "state_owned_enterprise": "Company",
    "state_body": "PublicBody",
    "public_body": "PublicBody",
}
_FTM_ID_PROPS = {"lei": "leiCode", "isin": "isinCode", "uscc": "registrationNumber"}


def _ftm_id(*parts: str) -> str:
    return "sg-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20]


def _ftm_provenance(props: dict[str, list[str]], sources: list[SourceRef]) -> None:
    urls = [s.url for s in sources if s.url]
    if urls:
        props["sourceUrl"] = urls
    props["publisher"] = [s.title for s in sources]


def _ftm_node(n: GraphNode) -> dict[str, Any] | None:
    if n.kind == "identifier":
        return None  # identifiers become Identification entities on their ASSIGNED edge
    if n.kind == "person":
        schema = "Person"
    elif n.kind == "organization":
        schema = _FTM_ORG_SCHEMA.get(n.org_type or "", "Organization")
    else:
        # FtM has no brand or product schema; an Organization named like the brand, with the
        # kind in its classification, keeps the ownership and OEM links usable in Aleph.
        schema = "Organization"
    props: dict[str, list[str]] = {"name": [n.name]}
    if n.aliases:
        props["alias"] = list(n.aliases)
    if n.country:
        props["country"] = [n.country.lower()]
    if n.kind not in ("organization", "person"):
        props["classification"] = [n.kind]
    for ident in n.identifiers:
        prop = _FTM_ID_PROPS.get(ident["scheme"])
        if prop and schema != "Person":
            props.setdefault(prop, []).append(ident["value"])
    if schema != "Person" and any(d.active for d in n.designations):
        props["topics"] = ["sanction"]
    _ftm_provenance(props, n.sources)
    return {"id": n.id, "schema": schema, "properties": props}


def _ftm_edge(e: GraphEdge, kinds: dict[str, str], names: dict[str, str]) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    if e.valid_from:
        props["startDate"] = [e.valid_from.isoformat()]
    if e.valid_to:
        props["endDate"] = [e.valid_to.isoformat()]
    if e.relation == "OWNS":
        schema = "Ownership"
        props |= {"owner": [e.source], "asset": [e.target]}
        if e.share is not None:
            props["percentage"] = [f"{e.share:g}"]
        elif e.share_min is not None or e.share_max is not None:
            props["percentage"] = [share_text(e)]
    elif e.relation == "CONTROLS":
        schema = "Control"
        props |= {"controller": [e.source], "controlled": [e.target]}
    elif e.relation == "ASSIGNED" and kinds.get(e.target) == "identifier":
        schema = "Identification"
        props |= {"holder": [e.source], "number": [names.get(e.target, e.target)]}
        props["type"] = [e.target.split(":", 1)[0]]
    else:
        schema = "UnknownLink"
        props |= {"subject": [e.source], "object": [e.target], "role": [e.relation]}
    summary = [e.note] if e.note else []
    if e.weak_reason:
        # FtM has no strength property: a weak link says so where readers look for context.
        summary.append(f"weak evidence: {e.weak_reason}")
    if summary:
        props["summary"] = summary
    _ftm_provenance(props, e.sources)
    return {"id": _ftm_id("edge", e.id), "schema": schema, "properties": props}


def share_text(e: GraphEdge) -> str:
    low = "?" if e.share_min is None else f"{e.share_min:g}"
    high = "?" if e.share_max is None else f"{e.share_max:g}"
    return f"{low}-{high}"


def to_ftm(hood: Neighbourhood) -> bytes:
    """FollowTheMoney entities as JSON lines: nodes, then links, then sanctions."""
    kinds = {n.id: n.kind for n in hood.nodes}
    ident_values = {
        n.id: str(n.properties.get("value") or n.name) for n in hood.nodes if n.kind == "identifier"
    }
    lines: list[dict[str, Any]] = []
    for n in hood.nodes:
        entity = _ftm_node(n)
        if entity is not None:
            lines.append(entity)
    exported = {line["id"] for line in lines}
    for e in hood.edges:
        ends_ok = e.source in exported and (
            e.target in exported
            or (e.relation == "ASSIGNED" and kinds.get(e.target) == "identifier")
        )
        if ends_ok:
            lines.append(_ftm_edge(e, kinds, ident_values))
    for n in hood.nodes:
        if n.id not in exported:
            continue
        for d in n.designations:
            props: dict[str, list[str]] = {"entity": [n.id], "program": [d.program or d.list_]}
            if d.authority:
                props["authority"] = [d.authority]
            if d.start_date:
                props["startDate"] = [d.start_date.isoformat()]
            if d.end_date:
                props["endDate"] = [d.end_date.isoformat()]
            if d.citation:
                props["provisions"] = [d.citation]
            _ftm_provenance(props, d.sources)
            lines.append(
                {
                    "id": _ftm_id("sanction", n.id, d.list_),
                    "schema": "Sanction",
                    "properties": props,
                }
            )
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")


# -- BODS 0.4 ----------------------------------------------------------------------------------

_BODS_ENTITY_TYPE = {
    "state_body": "stateBody",
    "public_body": "stateBody",
}
_BODS_SCHEMES = {"lei": "XI-LEI", "uscc": "CN-SAIC"}


def _statement_id(*parts: str) -> str:
    # BODS wants 32-64 characters; a content hash keeps re-exports stable.
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def _bods_source(sources: list[SourceRef]) -> dict[str, Any]:
    first = sources[0]
    graded_a = any(s.grade == "A" for s in sources)
    out: dict[str, Any] = {
        "type": ["officialRegister" if graded_a else "thirdParty"],
        "description": " | ".join(s.title for s in sources),
    }
    if first.url:
        out["url"] = first.url
    if first.retrieved:
        out["retrievedAt"] = first.retrieved.isoformat()
    return out


def to_bods(hood: Neighbourhood, published: date | None = None) -> bytes:
    """BODS 0.4 entity, person and relationship statements for the ownership and control facts.

    Brands, OEM ties and identifiers have no place in BODS and are left out.
    """
    day = (published or date.today()).isoformat()
    subject = hood.center.id
    publication = {
        "publicationDate": day,
        "bodsVersion": "0.4",
        "publisher": {"name": "supplygraph"},
    }
    parties = {n.id: n for n in hood.nodes if n.kind in ("organization", "person")}
    statements: list[dict[str, Any]] = []
    for n in parties.values():
        base = {
            "statementId": _statement_id("record", n.id),
            "declarationSubject": subject,
            "statementDate": day,
            "publicationDetails": publication,
            "recordId": n.id,
            "recordStatus": "new",
            "source": _bods_source(n.sources),
        }
        if n.kind == "person":
            details: dict[str, Any] = {
                "isComponent": False,
                "personType": "knownPerson",
                "names": [{"type": "individual", "fullName": n.name}],
            }
            statements.append({**base, "recordType": "person", "recordDetails": details})
            continue
        details = {
            "isComponent": False,
            "entityType": {"type": _BODS_ENTITY_TYPE.get(n.org_type or "", "registeredEntity")},
            "name": n.name,
        }
        if n.aliases:
            details["alternateNames"] = list(n.aliases)
        if n.country:
            details["jurisdiction"] = {"name": n.country, "code": n.country}
        idents = [
            {"id": i["value"], "scheme": _BODS_SCHEMES[i["scheme"]]}
            for i in n.identifiers
            if i["scheme"] in _BODS_SCHEMES
        ]
        if idents:
            details["identifiers"] = idents
        statements.append({**base, "recordType": "entity", "recordDetails": details})
    for e in hood.edges:
        if e.relation not in ("OWNS", "CONTROLS"):
            continue
        if e.source not in parties or e.target not in parties:
            continue
        interest: dict[str, Any] = {
            "type": "shareholding" if e.relation == "OWNS" else "otherInfluenceOrControl",
            "directOrIndirect": "direct",
            "beneficialOwnershipOrControl": False,
        }
        share = {
            k: v
            for k, v in (("exact", e.share), ("minimum", e.share_min), ("maximum", e.share_max))
            if v is not None
        }
        if share:
            interest["share"] = share
        if e.valid_from:
            interest["startDate"] = e.valid_from.isoformat()
        if e.valid_to:
            interest["endDate"] = e.valid_to.isoformat()
        statements.append(
            {
                "statementId": _statement_id("relationship", e.id),
                "declarationSubject": subject,
                "statementDate": day,
                "publicationDetails": publication,
                "recordId": e.id,
                "recordStatus": "new",
                "recordType": "relationship",
                "recordDetails": {
                    "isComponent": False,
                    "subject": e.target,
                    "interestedParty": e.source,
                    "interests": [interest],
                },
                "source": _bods_source(e.sources),
            }
        )
    return json.dumps(statements, ensure_ascii=False, indent=1).encode("utf-8")


FORMATS: dict[str, tuple[Callable[[Neighbourhood], bytes], str, str]] = {
    "graphml": (to_graphml, "application/graphml+xml", "graphml"),
    "gexf": (to_gexf, "application/gexf+xml", "gexf"),
    "ftm": (to_ftm, "application/x-ndjson", "ftm.jsonl"),
    "bods": (to_bods, "application/json", "bods.json"),
    "csv": (to_csv, "text/csv; charset=utf-8", "edges.csv"),
}


def export(hood: Neighbourhood, fmt: str, raw: bool = False) -> Export:
    """Render ``hood`` in ``fmt`` (graphml, gexf, ftm, bods or csv); ``raw`` keeps CSV cells
    that start like a formula as they are.

    >>> export(Neighbourhood.model_validate({"center": {"id": "x", "name": "X", "kind": "brand"},
    ...     "depth": 1, "as_of": None, "truncated": False, "nodes": [], "edges": []}),
    ...     "csv").content.decode().split(",")[0]
    'edge_id'
    """
    try:
        render, media_type, suffix = FORMATS[fmt]
    except KeyError:
        raise InvalidQuery(
            "format", f"unknown export format {fmt!r}: use {', '.join(FORMATS)}"
        ) from None
    safe_id = "".join(c if c.isalnum() or c in "-_" else "_" for c in hood.center.id)
    if fmt == "csv" and raw:
        return Export(to_csv(hood, raw=True), media_type, f"{safe_id}-depth{hood.depth}.{suffix}")
    return Export(render(hood), media_type, f"{safe_id}-depth{hood.depth}.{suffix}")
