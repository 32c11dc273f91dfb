"""What an entity reference (an id or a name) means, the same way for every endpoint.

A reference that is a node id is that node. A name resolves to an organization group, not to
one record: the best organization (or person) match, then the curated entity of its SAME_AS
cluster (the seed's ``hikvision``, never a sanctions list's copy of it). Only when no
organization or person matches does a brand stand for itself.
"""

from __future__ import annotations

from supplygraph.graph.errors import EntityNotFound
from supplygraph.graph.match.matcher import match_name
from supplygraph.graph.model.ids import is_curated
from supplygraph.graph.model.records import Node, NodeKind, Relation
from supplygraph.graph.store.protocol import Direction, GraphView

# A SAME_AS cluster larger than this is not walked further (linkage never builds such clusters
# on purpose; the bound keeps a pathological store from costing a whole scan).
MAX_CLUSTER = 200
_GROUP_KINDS = frozenset({NodeKind.ORGANIZATION, NodeKind.PERSON})


def same_as_cluster(view: GraphView, node_id: str) -> set[str]:
    """Every node linked to ``node_id`` by SAME_AS edges, itself included."""
    seen = {node_id}
    frontier = [node_id]
    while frontier and len(seen) < MAX_CLUSTER:
        edges = view.edges(frontier, Direction.BOTH, [Relation.SAME_AS])
        frontier = [x for e in edges for x in (e.src, e.dst) if x not in seen]
        seen.update(frontier)
    return seen


def canonical(view: GraphView, node: Node) -> Node:
    """The curated member of the node's SAME_AS cluster, or the node itself when none is."""
    if is_curated(node.id) or node.kind not in _GROUP_KINDS:
        return node
    curated = sorted(i for i in same_as_cluster(view, node.id) if is_curated(i))
    if not curated:
        return node
    return view.nodes([curated[0]]).get(curated[0], node)


def find_reference(view: GraphView, ref: str) -> Node:
    """The node an id or a name refers to; raises EntityNotFound.

    Exact ids win; a name goes to its organization group's curated entity.
    """
    wanted = ref.strip()
    node = view.nodes([wanted]).get(wanted) if wanted else None
    if node is not None:
        return node
    if not wanted:
        raise EntityNotFound(ref)
    for kinds in (_GROUP_KINDS, frozenset({NodeKind.BRAND})):
        matches = match_name(view, wanted, field="target", kinds=kinds, limit=20)
        if matches:
            top = matches[0].score
            # Among equally good matches the curated record stands for the group.
            best = min(
                (m for m in matches if m.score == top), key=lambda m: (not is_curated(m.id), m.id)
            )
            found = view.nodes([best.id]).get(best.id)
            if found is not None:
                return canonical(view, found)
    raise EntityNotFound(ref)
