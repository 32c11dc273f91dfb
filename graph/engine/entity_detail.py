"""One entity as the entity endpoint and page show it: names, identifiers, relations, sources."""

from __future__ import annotations

from datetime import date

from supplygraph.graph.match.references import find_reference
from supplygraph.graph.model.answers import DesignationOut, EntityDetail, Step
from supplygraph.graph.model.records import Relation
from supplygraph.graph.store.protocol import Direction, GraphView


def entity_detail(view: GraphView, ref: str) -> EntityDetail:
    """An entity with its direct relations, designations and sources (the entity page)."""
    node = find_reference(view, ref)
    entity_id = node.id
    edges = [
        e
        for e in view.edges([entity_id], Direction.BOTH)
        if e.relation is not Relation.ASSIGNED or e.src == entity_id
    ]
    # An OUI-holding organization has many ASSIGNED edges; list them, they are the evidence.
    names = {n.id: n.name for n in view.nodes({x for e in edges for x in (e.src, e.dst)}).values()}
    today = date.today()
    designations = [
        DesignationOut.of(d, node.name, today)
        for d in view.designations([entity_id]).get(entity_id, [])
    ]
    return EntityDetail(
        id=node.id,
        kind=node.kind.value,
        name=node.name,
        aliases=list(node.aliases),
        country=node.country,
        org_type=node.org_type.value if node.org_type else None,
        identifiers=[{"scheme": i.scheme.value, "value": i.value} for i in node.identifiers],
        properties=dict(node.properties),
        designations=designations,
        relations=[Step.of(e, names) for e in sorted(edges, key=lambda e: (e.relation, e.id))],
        sources=list(node.sources),
    )
