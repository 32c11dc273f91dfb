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
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx
from defusedxml.ElementTree import fromstring as defused_fromstring

from supplygraph.graph.csv_formulas import formula_safe
from supplygraph.graph.engine.neighbourhood import GraphEdge, GraphNode, Neighbourhood
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.records import SourceRef


@dataclass(frozen=True)
class Export:
    """A rendered export: the bytes, their media type and a file name to save them under."""

    content: bytes
    media_type: str
    filename: str


def _join_sources(sources: list[SourceRef]) -> tuple[str, str]:
    # One source cited for two quotes is one source in a cell.
    titles = " | ".join(_unique(s.title for s in sources))
    urls = " | ".join(_unique(s.url for s in sources if s.url))
    return titles, urls


def _scalar_attrs(values: dict[str, Any]) -> dict[str, str | float | int | bool]:
    """GraphML and GEXF take scalars only and no nulls: unknown values are left out."""
    return {k: v for k, v in values.items() if isinstance(v, str | float | int | bool)}


def to_networkx(hood: Neighbourhood) -> nx.MultiDiGraph[str]:
    """The neighbourhood as a directed multigraph; parallel facts (OWNS and CONTROLS) both stay."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph(
        name=f"supplygraph neighbourhood of {hood.center.id}",
        center=hood.center.id,
        depth=hood.depth,
        # Written as a graph attribute in GraphML (and in the GEXF description): a reader must
        # be able to tell a cut graph from a whole one.
        truncated=hood.truncated,
    )
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
                    # The edge's id is the multigraph key: GraphML and GEXF write it as the
                    # edge element's own id, so it is not repeated as a data attribute.
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


_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_GEXF_NS = "http://www.gexf.net/1.2draft"


def _xml(tree: ET.Element, namespace: str) -> bytes:
    # Written back with the format's namespace as the default one, as networkx wrote it
    # (ElementTree would otherwise invent ns0: prefixes).
    ET.register_namespace("", namespace)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    out: bytes = ET.tostring(tree, encoding="utf-8", xml_declaration=True)
    return out


def to_graphml(hood: Neighbourhood) -> bytes:
    """GraphML with typed keys; booleans written ``true``/``false`` as the GraphML schema wants.

    networkx writes Python's ``True``/``False``, which stricter readers (igraph) refuse.
    """
    buf = io.BytesIO()
    nx.write_graphml(to_networkx(hood), buf, encoding="utf-8")
    # Our own networkx output, parsed like every other XML here (defusedxml).
    root = defused_fromstring(buf.getvalue())
    ns = {"g": _GRAPHML_NS}
    booleans = {k.get("id") for k in root.findall("g:key", ns) if k.get("attr.type") == "boolean"}
    for data in root.iter(f"{{{_GRAPHML_NS}}}data"):
        if data.get("key") in booleans and data.text is not None:
            data.text = data.text.strip().lower()
    return _xml(root, _GRAPHML_NS)


def to_gexf(hood: Neighbourhood) -> bytes:
    """GEXF 1.2 for Gephi; the edge id is the fact's id, with no extra multigraph key column."""
    g = to_networkx(hood)
    for _, _, key, data in g.edges(keys=True, data=True):
        data["id"] = key  # networkx's GEXF writer takes the edge id from this attribute
    buf = io.BytesIO()
    nx.write_gexf(g, buf, encoding="utf-8")
    # Our own networkx output, parsed like every other XML here (defusedxml).
    root = defused_fromstring(buf.getvalue())
    ns = {"x": _GEXF_NS}
    # networkx adds the multigraph key as an attribute; it equals the edge id already written.
    stray: set[str] = set()
    for attributes in root.iter(f"{{{_GEXF_NS}}}attributes"):
        for attribute in attributes.findall("x:attribute", ns):
            if attribute.get("title") == "networkx_key":
                stray.add(attribute.get("id", ""))
                attributes.remove(attribute)
    for values in root.iter(f"{{{_GEXF_NS}}}attvalues"):
        for value in values.findall("x:attvalue", ns):
            if value.get("for") in stray:
                values.remove(value)
    # GEXF has no graph attributes; its meta description says whether the graph was cut.
    meta = root.find("x:meta", ns)
    if meta is None:
        meta = ET.Element(f"{{{_GEXF_NS}}}meta")
        root.insert(0, meta)
    description = ET.SubElement(meta, f"{{{_GEXF_NS}}}description")
    description.text = truncation_note(hood) or f"complete to depth {hood.depth}"
    return _xml(root, _GEXF_NS)


def truncation_note(hood: Neighbourhood) -> str | None:
    """The sentence every format carries when the neighbourhood was cut at its node bound."""
    if not hood.truncated:
        return None
    return (
        f"truncated: the neighbourhood of {hood.center.id} at depth {hood.depth} was cut at "
        f"{len(hood.nodes)} nodes; ask a smaller depth or open the nodes at its edge"
    )


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
    note = truncation_note(hood)
    if note:
        # Only a cut file starts with a comment line (pandas: comment="#"); a whole one is plain.
        buf.write(f"# {note}\n")
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


def _unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, each once (a fact cited twice from one source lists it once).

    >>> _unique(["a", "b", "a"])
    ['a', 'b']
    """
    return list(dict.fromkeys(values))


def _ftm_provenance(props: dict[str, list[str]], sources: Iterable[SourceRef]) -> None:
    sources = list(sources)
    urls = _unique(s.url for s in sources if s.url)
    if urls:
        props["sourceUrl"] = urls
    props["publisher"] = _unique(s.title for s in sources)


def ftm_schema(kind: str, org_type: str | None) -> str:
    """The FtM schema a node is written as (the FtM export and ``/match`` share it)."""
    if kind == "person":
        return "Person"
    if kind == "organization":
        return _FTM_ORG_SCHEMA.get(org_type or "", "Organization")
    # FtM has no brand or product schema; an Organization named like the brand, with the kind
    # in its classification, keeps the ownership and OEM links usable in Aleph.
    return "Organization"


def ftm_properties(
    schema: str,
    *,
    kind: str,
    name: str,
    aliases: Iterable[str],
    country: str | None,
    identifiers: Iterable[tuple[str, str]],
    sources: Iterable[SourceRef],
    listed: bool,
) -> dict[str, list[str]]:
    """A node's FtM properties: names, country, identifiers, topics and provenance."""
    props: dict[str, list[str]] = {"name": [name]}
    alias_list = _unique(aliases)
    if alias_list:
        props["alias"] = alias_list
    if country:
        props["country"] = [country.lower()]
    if kind not in ("organization", "person"):
        props["classification"] = [kind]
    for scheme, value in identifiers:
        prop = _FTM_ID_PROPS.get(scheme)
        if prop and schema != "Person" and value not in props.get(prop, []):
            props.setdefault(prop, []).append(value)
    if schema != "Person" and listed:
        props["topics"] = ["sanction"]
    _ftm_provenance(props, sources)
    return props


def _ftm_node(n: GraphNode) -> dict[str, Any] | None:
    if n.kind == "identifier":
        return None  # identifiers become Identification entities on their ASSIGNED edge
    schema = ftm_schema(n.kind, n.org_type)
    props = ftm_properties(
        schema,
        kind=n.kind,
        name=n.name,
        aliases=n.aliases,
        country=n.country,
        identifiers=[(i["scheme"], i["value"]) for i in n.identifiers],
        sources=n.sources,
        listed=any(d.active for d in n.designations),
    )
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
    note = truncation_note(hood)
    for n in hood.nodes:
        entity = _ftm_node(n)
        if entity is not None:
            if note and n.id == hood.center.id:
                entity["properties"]["notes"] = [note]
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


# BODS source types from our evidence grades: a grade A source is a register, filing or official
# list; press, research and everything weaker is a third party's account.
_BODS_SOURCE_TYPE = {"A": "officialRegister", "B": "thirdParty", "C": "thirdParty"}


def _bods_source(sources: list[SourceRef]) -> dict[str, Any]:
    """One BODS ``source`` for all of a fact's sources: every type present, best grade first.

    BODS gives a source one URL; the other sources travel as ``linking`` annotations
    (:func:`_bods_annotations`), so none is lost.
    """
    ranked = sorted(sources, key=lambda s: s.grade or "Z")
    first = next((s for s in ranked if s.url), ranked[0])
    types = list(dict.fromkeys(_BODS_SOURCE_TYPE.get(s.grade or "C", "thirdParty") for s in ranked))
    out: dict[str, Any] = {
        "type": types,
        "description": " | ".join(s.title for s in ranked),
    }
    if first.url:
        out["url"] = first.url
    if first.retrieved:
        out["retrievedAt"] = first.retrieved.isoformat()
    return out


def _bods_annotations(sources: list[SourceRef], day: str) -> list[dict[str, Any]]:
    out = []
    for s in sources:
        if not s.url:
            continue
        text = s.title + (f" (grade {s.grade})" if s.grade else "")
        if s.quote:
            text += f': "{s.quote}"'
        out.append(
            {
                "statementPointerTarget": "",
                "motivation": "linking",
                "description": text,
                "url": s.url,
                "creationDate": day,
                "createdBy": {"name": "supplygraph"},
            }
        )
    return out


# How an interest is held, read from what the sources say (first match wins), then from the
# graph: a CONTROLS fact between two parties that a chain of OWNS/CONTROLS facts through other
# parties also joins is control through that chain. Nothing said and no chain: ``unknown``.
_HELD_UNKNOWN = re.compile(
    r"direct or indirect not stated|whether (?:held )?directly or through", re.IGNORECASE
)
_HELD_INDIRECTLY = re.compile(
    r"indirect(?:ly)? wholly[- ]owned|wholly[- ]owned indirect|held indirectly"
    r"|indirect (?:subsidiary|stake|holding|interest) (?:of|in)\b",
    re.IGNORECASE,
)
_HELD_DIRECTLY = re.compile(
    r"\bdirect stake|\bdirectly (?:holds|held|owned|owns|acquired|controlled)", re.IGNORECASE
)


def direct_or_indirect(e: GraphEdge, chained: bool) -> str:
    """``direct``, ``indirect`` or ``unknown`` for a BODS interest (see the rule above).

    ``chained``: the neighbourhood also joins the two parties through an intermediate one.
    """
    for text in [e.note or "", *(s.quote or "" for s in e.sources)]:
        if _HELD_UNKNOWN.search(text):
            return "unknown"
        if _HELD_INDIRECTLY.search(text):
            return "indirect"
        if _HELD_DIRECTLY.search(text):
            return "direct"
    if e.relation == "CONTROLS" and chained:
        return "indirect"
    return "unknown"


def _chained(edges: list[GraphEdge]) -> set[tuple[str, str]]:
    """(owner, owned) pairs joined by OWNS/CONTROLS chains of two facts or more."""
    out: dict[str, set[str]] = {}
    for e in edges:
        if e.relation in ("OWNS", "CONTROLS") and e.source != e.target:
            out.setdefault(e.source, set()).add(e.target)
    pairs: set[tuple[str, str]] = set()
    for start, firsts in out.items():
        seen: set[str] = set()
        frontier = [n for f in firsts for n in out.get(f, ()) if f != start]
        while frontier:
            node = frontier.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            frontier.extend(out.get(node, ()))
        pairs |= {(start, n) for n in seen}
    return pairs


def bods_subject(hood: Neighbourhood) -> str | None:
    """The record the BODS statements are declared about: the page's entity when it is a party
    (a company or person), else the party nearest to it (a brand's owner, a MAC block's
    holder); None when the neighbourhood holds no party, and BODS has nothing to say."""
    parties = [n for n in hood.nodes if n.kind in ("organization", "person")]
    if any(n.id == hood.center.id for n in parties):
        return hood.center.id
    nearest = min(parties, key=lambda n: (n.depth, n.kind != "organization", n.id), default=None)
    return nearest.id if nearest else None


def to_bods(hood: Neighbourhood, published: date | None = None) -> bytes:
    """BODS 0.4 entity, person and relationship statements for the ownership and control facts.

    Brands, OEM ties and identifiers have no place in BODS and are left out.
    """
    day = (published or date.today()).isoformat()
    publication = {
        "publicationDate": day,
        "bodsVersion": "0.4",
        "publisher": {"name": "supplygraph"},
    }
    parties = {n.id: n for n in hood.nodes if n.kind in ("organization", "person")}
    subject = bods_subject(hood)
    if subject is None:
        return b"[]"
    note = truncation_note(hood)
    statements: list[dict[str, Any]] = []
    for n in parties.values():
        base: dict[str, Any] = {
            "statementId": _statement_id("record", n.id),
            "declarationSubject": subject,
            "statementDate": day,
            "publicationDetails": publication,
            "recordId": n.id,
            "recordStatus": "new",
            "source": _bods_source(n.sources),
        }
        notes = _bods_annotations(n.sources, day)
        if note and n.id == subject:
            notes.append(
                {
                    "statementPointerTarget": "",
                    "motivation": "commenting",
                    "description": note,
                    "creationDate": day,
                    "createdBy": {"name": "supplygraph"},
                }
            )
        if notes:
            base["annotations"] = notes
        if n.kind == "person":
            details: dict[str, Any] = {
                "isComponent": False,
                "personType": "knownPerson",
                # The name as the sources print it; whether it is the legal or a transliterated
                # form is not recorded, so the optional name type is left out.
                "names": [{"fullName": n.name}],
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
    chained = _chained(hood.edges)
    for e in hood.edges:
        if e.relation not in ("OWNS", "CONTROLS"):
            continue
        if e.source not in parties or e.target not in parties:
            continue
        interest: dict[str, Any] = {
            "type": "shareholding" if e.relation == "OWNS" else "otherInfluenceOrControl",
            "directOrIndirect": direct_or_indirect(e, (e.source, e.target) in chained),
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
        relationship: dict[str, Any] = {
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
        notes = _bods_annotations(e.sources, day)
        if notes:
            relationship["annotations"] = notes
        statements.append(relationship)
    return json.dumps(statements, ensure_ascii=False, indent=1).encode("utf-8")


FORMATS: dict[str, tuple[Callable[[Neighbourhood], bytes], str, str]] = {
    "graphml": (to_graphml, "application/graphml+xml", "graphml"),
    "gexf": (to_gexf, "application/gexf+xml", "gexf"),
    "ftm": (to_ftm, "application/x-ndjson", "ftm.jsonl"),
    "bods": (to_bods, "application/json", "bods.json"),
    "csv": (to_csv, "text/csv; charset=utf-8", "edges.csv"),
}


UTF8_BOM = b"\xef\xbb\xbf"


def export(hood: Neighbourhood, fmt: str, bom: bool = False, raw: bool = False) -> Export:
    """Render ``hood`` in ``fmt`` (graphml, gexf, ftm, bods or csv); ``bom`` starts a CSV with
    the UTF-8 byte order mark (Excel), ``raw`` keeps CSV cells that start like a formula as
    they are.

    ``bom``: start a CSV with the UTF-8 byte order mark, without which Excel reads the file in
    the local code page and shows Chinese names as mojibake (other formats ignore it).

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
    content = to_csv(hood, raw=True) if fmt == "csv" and raw else render(hood)
    if bom and fmt == "csv":
        content = UTF8_BOM + content
    return Export(content, media_type, f"{safe_id}-depth{hood.depth}.{suffix}")
