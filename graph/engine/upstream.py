"""Everything above one entity on one day, as the regime rules read it: owners, controllers,
makers, assignees, brand owners (active edges), their nodes and designations, plus the sister
companies under the same controller (FAR 2.101 "affiliates" by common control).

Collected once per entity and day, one batched store call per hop and direction, for many
entities at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import networkx as nx

from supplygraph.graph.engine.ownership import collapse_parallel
from supplygraph.graph.engine.prefetch import edge_source
from supplygraph.graph.engine.reach import counts_as_downstream
from supplygraph.graph.engine.walk_budget import WalkBudget
from supplygraph.graph.model.evidence import policy
from supplygraph.graph.model.records import (
    SOURCE_ABOVE,
    TARGET_ABOVE,
    Designation,
    Edge,
    Node,
    NodeKind,
    OrgType,
    Relation,
)
from supplygraph.graph.store.protocol import Direction, GraphView, WalkStep

MAX_DEPTH = 12
MAX_NODES = 5_000
# Edges read by one batch of walks together (a bulk report walks thousands of roots at once).
MAX_EDGES_READ = 500_000
# Regime verdicts change when a walk is cut, so the clock only stops a runaway walk.
UPSTREAM_SECONDS = 30.0
# A brand is its owner's property outright: for the 50% rules it counts as a 100% stake.
STAKE_RELATIONS = frozenset({Relation.OWNS, Relation.OWNS_BRAND})
NON_ENTITY_KINDS = frozenset({NodeKind.BRAND, NodeKind.PRODUCT, NodeKind.IDENTIFIER})
# One step up: to an owner, maker or assignee (in), or from a model to its brand (out).
UPWARD_STEPS: list[WalkStep] = [(Direction.IN, SOURCE_ABOVE), (Direction.OUT, TARGET_ABOVE)]


# -- the upstream neighbourhood -------------------------------------------------------------
@dataclass
class Upstream:
    """Everything above one entity on one day: active edges, nodes, designations."""

    root: str
    day: date
    edges: list[Edge]
    nodes: dict[str, Node]
    designations: dict[str, list[Designation]]
    truncated: bool
    names: dict[str, str] = field(default_factory=dict)
    # Companies under common control with the root: controller -> child edges of the root's
    # controllers, for children that some list names (FAR 2.101 affiliates), with their listings.
    sisters: list[Edge] = field(default_factory=list)
    _clusters: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)
    _down: nx.DiGraph[str] | None = field(default=None, repr=False, compare=False)

    def name(self, node_id: str) -> str:
        return self.names.get(node_id, node_id)

    def strong_only(self) -> Upstream:
        """The same neighbourhood with weak links left out (see
        :mod:`supplygraph.graph.model.evidence`)."""
        rule = policy()
        return replace(
            self,
            edges=[e for e in self.edges if rule.weakness(e) is None],
            sisters=[e for e in self.sisters if rule.weakness(e) is None],
            _clusters=None,
            _down=None,
        )

    def has_weak(self) -> bool:
        rule = policy()
        return any(rule.weakness(e) is not None for e in (*self.edges, *self.sisters))

    def same_as(self) -> dict[str, set[str]]:
        """Each node's SAME_AS cluster (records of one real-world entity); worked out once,
        as every regime evaluated on this neighbourhood asks for it."""
        if self._clusters is None:
            g: nx.Graph[str] = nx.Graph()
            g.add_nodes_from(self.nodes)
            g.add_edges_from((e.src, e.dst) for e in self.edges if e.relation is Relation.SAME_AS)
            self._clusters = {n: set(c) for c in nx.connected_components(g) for n in c}
        return self._clusters

    def down_graph(self) -> nx.DiGraph[str]:
        """Edges pointed from the party above to the thing below (owner -> owned, brand ->
        product), one edge per pair; SAME_AS both ways. Built once; callers only read it."""
        if self._down is None:
            self._down = self._build_down_graph()
        return self._down

    def _build_down_graph(self) -> nx.DiGraph[str]:
        g: nx.DiGraph[str] = nx.DiGraph()
        g.add_node(self.root)
        for e in sorted(self.edges, key=lambda e: (-e.confidence, e.id)):
            if e.relation is Relation.MODEL_OF:
                pairs = [(e.dst, e.src)]
            elif e.relation is Relation.SAME_AS:
                pairs = [(e.src, e.dst), (e.dst, e.src)]
            else:
                pairs = [(e.src, e.dst)]
            for a, b in pairs:
                if not g.has_edge(a, b):
                    g.add_edge(a, b, edge=e)
        return g


def collect_upstream(
    view: GraphView, root: str, day: date, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES
) -> Upstream:
    """The upstream neighbourhood of one entity (see :func:`collect_upstream_many`)."""
    return collect_upstream_many(view, [root], day, max_depth, max_nodes)[root]


@dataclass
class _Walk:
    """One root's breadth-first walk upward."""

    seen: set[str]
    frontier: list[str]
    found: dict[str, Edge] = field(default_factory=dict)
    truncated: bool = False
    done: bool = False


def collect_upstream_many(
    view: GraphView,
    roots: Iterable[str],
    day: date,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    budget: WalkBudget | None = None,
) -> dict[str, Upstream]:
    """Upstream neighbourhoods of many entities, walked side by side.

    Each hop asks the store once per direction for every root's frontier together, and the
    nodes and designations of all of them in one call each, so a report over thousands of
    entities costs a few round trips per hop, and a node shared by many walks is read once.
    A node's edges are the same whichever walk reaches it, so each walk sees exactly what a
    walk of its own would. The walks share one :class:`WalkBudget` (edges read, time; nodes
    are bounded per walk by ``max_nodes``): past it every walk still going is ``truncated``.
    """
    budget = budget or WalkBudget(max_edges=MAX_EDGES_READ, max_seconds=UPSTREAM_SECONDS)
    walks = {r: _Walk({r}, [r]) for r in dict.fromkeys(roots)}
    # Everything the walks can reach, in one query on a server store (see prefetch). Edges not
    # in force on the day stay in it: the budget counts every edge read, as it does here.
    source = edge_source(view, list(walks), UPWARD_STEPS, max_depth)
    ins: dict[str, list[Edge]] = {}
    outs: dict[str, list[Edge]] = {}
    for _ in range(max_depth):
        active = [w for w in walks.values() if not w.done and w.frontier]
        if not active:
            break
        need = list(dict.fromkeys(n for w in active for n in w.frontier if n not in ins))
        if need:
            for n in need:
                ins[n], outs[n] = [], []
            wanted = set(need)
            for e in sorted(source.edges(need, Direction.IN, SOURCE_ABOVE), key=by_id):
                if e.dst in wanted:
                    ins[e.dst].append(e)
            for e in sorted(source.edges(need, Direction.OUT, TARGET_ABOVE), key=by_id):
                if e.src in wanted:
                    outs[e.src].append(e)
            if not budget.take_edges(sum(len(ins[n]) + len(outs[n]) for n in need)):
                for w in active:
                    w.truncated = w.done = True
                break
        for w in active:
            steps = [(e, e.src) for n in w.frontier for e in ins[n]]
            steps += [(e, e.dst) for n in w.frontier for e in outs[n]]
            nxt: list[str] = []
            for e, above in steps:
                if not e.active_on(day):
                    continue
                w.found[e.id] = e
                if above not in w.seen:
                    w.seen.add(above)
                    nxt.append(above)
            if len(w.seen) > max_nodes:
                w.truncated = w.done = True
            w.frontier = nxt
    for w in walks.values():
        if not w.done:
            w.truncated = bool(w.frontier)  # the depth bound cut it
    everyone = {n for w in walks.values() for n in w.seen}
    nodes = view.nodes(everyone)
    listed = view.designations(everyone)
    sisters, sister_nodes, sister_listed = _sister_companies(view, nodes, day)
    out: dict[str, Upstream] = {}
    for root, w in walks.items():
        mine = {i: nodes[i] for i in w.seen if i in nodes}
        mine_sisters = [e for e in sisters if e.src in w.seen and e.dst not in w.seen]
        for e in mine_sisters:
            if e.dst in sister_nodes:
                mine[e.dst] = sister_nodes[e.dst]
        designations = {i: listed[i] for i in w.seen if i in listed}
        designations.update({e.dst: sister_listed[e.dst] for e in mine_sisters})
        out[root] = Upstream(
            root=root,
            day=day,
            edges=collapse_parallel(w.found.values()),
            nodes=mine,
            designations=designations,
            truncated=w.truncated,
            names={i: n.name for i, n in mine.items()},
            sisters=mine_sisters,
        )
    return out


# Common control by a state body or a state-owned enterprise is not followed: whether every
# company a state owns is an "affiliate" of every other is a legal question the data cannot
# settle, and following it would make each state's whole portfolio one group.
_STATE_TYPES = frozenset({OrgType.STATE_BODY, OrgType.STATE_OWNED_ENTERPRISE, OrgType.PUBLIC_BODY})


def _controls(edge: Edge) -> bool:
    """Whether an edge gives control: CONTROLS, or a majority (or unpublished) stake, by the
    same rule that makes a holding "the target's" (:func:`.reach.counts_as_downstream`)."""
    return edge.relation in (Relation.OWNS, Relation.CONTROLS) and counts_as_downstream(edge)


def _sister_companies(
    view: GraphView, nodes: dict[str, Node], day: date
) -> tuple[list[Edge], dict[str, Node], dict[str, list[Designation]]]:
    """Controller -> child edges from the companies above the roots to designated children.

    Two store calls for every root together: the controllers' outgoing control edges, then the
    children's designations (and the nodes of the designated ones).
    """
    controllers = [
        n.id
        for n in nodes.values()
        if n.kind is NodeKind.ORGANIZATION and n.org_type not in _STATE_TYPES
    ]
    if not controllers:
        return [], {}, {}
    wanted = set(controllers)
    # Not filtered by what the walks saw: in a batch, a company one walk reached is still a
    # sister of another walk's root (each walk keeps the sisters outside its own neighbourhood).
    edges = [
        e
        for e in view.edges(controllers, Direction.OUT, [Relation.OWNS, Relation.CONTROLS])
        if e.src in wanted and e.active_on(day) and _controls(e)
    ]
    if not edges:
        return [], {}, {}
    listed = view.designations({e.dst for e in edges})
    named = [e for e in sorted(edges, key=by_id) if listed.get(e.dst)]
    return named, view.nodes({e.dst for e in named}), listed


def by_id(e: Edge) -> str:
    return e.id
