"""Record linkage at load time: the same company from several sources becomes one entity, or is
linked by SAME_AS with a score and a reason. Deterministic and explainable:

1. **Identifiers** (USCC, LEI, ISIN, each checked for shape and check characters by
   :mod:`supplygraph.graph.model.identifiers`, so a mistyped one is never a key): a loaded node
   whose identifier is already held by a stored node takes that node's id, so its names,
   identifiers, sources and designations land on the existing entity. When several stored nodes hold
   it, the curated one (a hand-written id such as ``hikvision``) wins, then the smallest id; the
   others are linked to it by SAME_AS with score 1.0 and the identifier as the reason.
2. **Strict name and country**: an organization with no identifier match is linked by SAME_AS to
   stored organizations whose full normalized name (case, punctuation and script folded, legal
   form kept) is the same: score 0.9 when both state the same country; 0.7 when one side states
   none (and at most three such candidates exist). Different countries, a conflicting identifier
   of the same scheme, or a candidate from the same dataset never link.

The linker also counts what a batch adds or changes, and keeps back edges and designations whose
entity has not been seen yet (files may name an owner before they describe it) until the end of
the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from supplygraph.graph.model.identifiers import STRONG_SCHEMES, is_checked
from supplygraph.graph.model.ids import is_curated, make_id
from supplygraph.graph.model.normalize import name_keys
from supplygraph.graph.model.records import (
    Designation,
    Edge,
    Identifier,
    Node,
    NodeKind,
    Record,
    Relation,
    SourceRef,
)
from supplygraph.graph.store.merge import merge_designation, merge_edge, merge_node
from supplygraph.graph.store.protocol import Direction, GraphView

from .common import Ref, designation_id
from .context import LoadContext

MAX_NAME_CANDIDATES = 3
MAX_PRESENT = 500_000  # about 50 MB of ids at most
# The entities a file states are kept for the next load's diff up to this many (sanctions lists
# and the IEEE registry fit; a full GLEIF golden copy does not, and is diffed by its listings).
MAX_TRACKED_ENTITIES = 250_000
MAX_CHANGED = 10_000  # changed entities and listings listed per load (counts stay complete)
LINKAGE_SOURCE = SourceRef(
    id="supplygraph-linkage",
    title="supplygraph record linkage at load time: same USCC/LEI/ISIN, or same normalized "
    "name and country (see the edge's reason)",
    # The rule links records that graded sources state; how sure a link is lives in its
    # confidence (0.7 for a name without a country), which the strength rule also reads.
    grade="B",
)


def _pick(ids: Iterable[str]) -> str:
    return min(ids, key=lambda i: (not is_curated(i), i))


def same_as_id(a: str, b: str) -> str:
    low, high = sorted((a, b))
    return make_id("same", low, high)


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0  # nodes merged into an existing entity by identifier
    same_as: int = 0  # SAME_AS edges written
    dropped: int = 0  # edges/designations naming an entity found nowhere
    des_added: list[str] = field(default_factory=list)
    des_changed: list[str] = field(default_factory=list)
    nodes_changed: list[str] = field(default_factory=list)  # stored before, and this file added


class Linker:
    """Rewrites one file's records against the store before they are written."""

    def __init__(self, view: GraphView, ctx: LoadContext, previous: frozenset[str]) -> None:
        self.view = view
        self.ctx = ctx
        self.previous = previous  # designation ids the dataset's last load stated
        self.redirect: dict[str, str] = {}
        self.missing: set[str] = set()  # Ref targets that no stored node holds
        self.deferred: list[Edge | Designation] = []
        self.designation_ids: set[str] = set()
        # The entities this file states (None once there are too many to keep), and the
        # listings it states by id, for the change set of the load.
        self.entity_ids: set[str] | None = set()
        self.listings: dict[str, Designation] = {}
        self.counts = Counts()
        # Node ids known to be stored: written by this load or found by an earlier lookup. A
        # load never deletes nodes, so edges naming them need no second lookup. Bounded so a
        # huge file cannot grow it without limit (past that, lookups simply run again).
        self.present: set[str] = set()
        # Nodes this load created, and the ids of the edges it wrote from them: such a node had
        # no stored edges before this load, so counting its edges needs no store lookup (a
        # registry assignee with a thousand blocks would otherwise be read back every batch).
        # Bounded like ``present``; past the bound, lookups simply run.
        self.created: set[str] = set()
        self.reopened: list[str] = []
        self.created_edges: set[str] = set()

    # -- the batch step ---------------------------------------------------------------------
    def link(self, batch: Sequence[Record | Ref]) -> list[Record]:
        """The records to write for ``batch``, ids rewritten, SAME_AS links added."""
        refs = [r for r in batch if isinstance(r, Ref)]
        if refs:
            self._resolve_refs(refs)
        nodes, links = self._link_nodes([r for r in batch if isinstance(r, Node)])
        node_ids = {n.id for n in nodes}
        out: list[Record] = [*nodes, *links]
        pending: list[Edge | Designation] = []
        for record in batch:
            if isinstance(record, Edge | Designation):
                pending.append(self._rewrite(record))
        out += self._ready(pending, node_ids)
        self._remember(node_ids)
        return self._count(out)

    def finish(self) -> list[Record]:
        """Deferred records whose entities now exist; the rest are dropped with a warning."""
        if not self.deferred:
            return []
        kept: list[Record] = []
        deferred, self.deferred = self.deferred, []
        for chunk_start in range(0, len(deferred), 1000):
            chunk = [self._rewrite(r) for r in deferred[chunk_start : chunk_start + 1000]]
            wanted = {i for r in chunk for i in _ends(r)}
            found = set(self.view.nodes(wanted))
            for record in chunk:
                absent = [i for i in _ends(record) if i not in found]
                if absent:
                    self._drop(record, absent)
                else:
                    kept.append(record)
        return self._count(kept)

    # -- identifiers ------------------------------------------------------------------------
    def _resolve_refs(self, refs: list[Ref]) -> None:
        # A node known to be stored under its own id was settled by an earlier batch: a parent
        # named by thousands of relationship records is looked up once, not once per batch.
        settled = (self.redirect, self.missing, self.present)
        todo = [r for r in refs if not any(r.node_id in known for known in settled)]
        if not todo:
            return
        found = self.view.find_by_identifier({r.identifier for r in todo})
        # Whether a node is stored under the ref's own id matters only when no node holds the
        # identifier: the common case (a GLEIF parent found by its LEI) reads no documents.
        unfound = {r.node_id for r in todo if not found.get(r.identifier)}
        existing = self.view.nodes(unfound) if unfound else {}
        stored_as_named: list[str] = []
        for ref in todo:
            ids = found.get(ref.identifier, [])
            if ref.node_id in ids or (not ids and ref.node_id in existing):
                stored_as_named.append(ref.node_id)
                continue
            if ids:
                self.redirect[ref.node_id] = _pick(ids)
            else:
                self.missing.add(ref.node_id)
        self._remember(stored_as_named)

    def _link_nodes(self, nodes: list[Node]) -> tuple[list[Node], list[Edge]]:
        if not nodes:
            return [], []
        strong = {i for n in nodes for i in n.identifiers if is_checked(i)}
        found = self.view.find_by_identifier(strong) if strong else {}
        linked: list[Node] = []
        links: list[Edge] = []
        name_pending: list[Node] = []
        for node in nodes:
            candidates: dict[str, Identifier] = {}
            for ident in node.identifiers:
                for other in found.get(ident, []):
                    candidates.setdefault(other, ident)
            target = self.redirect.get(node.id)
            if target is None and candidates:
                target = _pick(candidates)
            if target is not None and target != node.id:
                self.redirect[node.id] = target
                self.counts.linked += 1
                node = node.model_copy(update={"id": target})
            for other, ident in sorted(candidates.items()):
                if other != node.id:
                    links.append(self._same_as(node, other, 1.0, _ident_reason(ident)))
            if not candidates and node.kind is NodeKind.ORGANIZATION and self.ctx.link_names:
                name_pending.append(node)
            linked.append(node)
        return linked, links + self._name_links(name_pending)

    # -- names ------------------------------------------------------------------------------
    def _name_links(self, nodes: list[Node]) -> list[Edge]:
        keys = {n.id: name_keys(n.name)[0] for n in nodes if name_keys(n.name)}
        if not keys:
            return []
        found = self.view.find_by_name_key(set(keys.values()))
        cand_ids = {c for ids in found.values() for c in ids}
        stored = self.view.nodes(cand_ids) if cand_ids else {}
        edges: list[Edge] = []
        for node in nodes:
            key = keys.get(node.id)
            if key is None:
                continue
            mine = {s.id for s in node.sources}
            candidates = []
            for cid in sorted(set(found.get(key, []))):
                other = stored.get(cid)
                if other is None or cid == node.id or other.kind is not NodeKind.ORGANIZATION:
                    continue
                if mine & {s.id for s in other.sources} or _conflict(node, other):
                    continue
                if node.country and other.country and node.country != other.country:
                    continue
                candidates.append(other)
            stated = [c for c in candidates if node.country and c.country == node.country]
            if stated:
                for other in stated:
                    reason = f"same normalized name {key!r} and country {node.country}"
                    edges.append(self._same_as(node, other.id, 0.9, reason))
            elif 0 < len(candidates) <= MAX_NAME_CANDIDATES:
                for other in candidates:
                    reason = f"same normalized name {key!r}; country not stated by both records"
                    edges.append(self._same_as(node, other.id, 0.7, reason))
        return edges

    def _same_as(self, node: Node, other: str, score: float, reason: str) -> Edge:
        self.counts.same_as += 1
        return Edge(
            id=same_as_id(node.id, other),
            src=node.id,
            dst=other,
            relation=Relation.SAME_AS,
            confidence=score,
            reason=reason,
            # The link is our inference, not a statement of either source: it cites the rule,
            # and the same link found from either side is the same record.
            sources=(LINKAGE_SOURCE,),
        )

    # -- references -------------------------------------------------------------------------
    def _rewrite(self, record: Edge | Designation) -> Edge | Designation:
        if isinstance(record, Designation):
            entity = self.redirect.get(record.entity_id, record.entity_id)
            new_id = designation_id(entity, record.list_id, record.start_date)
            if entity == record.entity_id and new_id == record.id:
                return record
            return record.model_copy(update={"entity_id": entity, "id": new_id})
        src = self.redirect.get(record.src, record.src)
        dst = self.redirect.get(record.dst, record.dst)
        if (src, dst) == (record.src, record.dst):
            return record
        return record.model_copy(update={"src": src, "dst": dst})

    def _ready(self, records: list[Edge | Designation], batch_nodes: set[str]) -> list[Record]:
        """Records whose entities exist (in this batch or the store); the rest wait."""
        if not records:
            return []
        present = self.present
        wanted = {i for r in records for i in _ends(r) if i not in batch_nodes and i not in present}
        found = set(self.view.nodes(wanted)) if wanted else set()
        self._remember(found)
        ready: list[Record] = []
        for record in records:
            ends = _ends(record)
            gone = [i for i in ends if i in self.missing]
            if gone:
                self._drop(record, gone)
            elif all(i in batch_nodes or i in found or i in present for i in ends):
                ready.append(record)
            else:
                self.deferred.append(record)
        return ready

    def _remember(self, ids: Iterable[str]) -> None:
        if len(self.present) < MAX_PRESENT:
            self.present.update(ids)

    def _drop(self, record: Edge | Designation, absent: list[str]) -> None:
        self.counts.dropped += 1
        self.ctx.skip()
        what = f"{record.relation.value} edge" if isinstance(record, Edge) else "designation"
        self.ctx.warn(
            None,
            f"{what} {record.id} names {', '.join(absent)}, which is neither in this file nor "
            "in the store (for GLEIF relationships, load the LEI records first); skipped",
        )

    # -- counting ---------------------------------------------------------------------------
    def _between_created(self, edge: Edge) -> bool:
        """Whether every earlier copy of ``edge`` was written by this load (both ends created
        by it, and the record of its edges still complete)."""
        if len(self.created_edges) >= MAX_PRESENT:
            return False
        return edge.src in self.created and edge.dst in self.created

    def _count(self, records: list[Record]) -> list[Record]:
        merged: dict[tuple[type[Record], str], Record] = {}
        for record in records:
            key = (type(record), record.id)
            seen = merged.get(key)
            merged[key] = record if seen is None else _merge(seen, record)
        items = list(merged.values())
        nodes: list[Node] = []
        edges: list[Edge] = []
        des: list[Designation] = []
        for item in items:
            if isinstance(item, Node):
                nodes.append(item)
            elif isinstance(item, Edge):
                edges.append(item)
            else:
                des.append(item)
        old_nodes = self.view.nodes({n.id for n in nodes}) if nodes else {}
        if len(self.created) < MAX_PRESENT:
            self.created.update(n.id for n in nodes if n.id not in old_nodes)
        old_edges: dict[str, Edge] = {}
        looked_up = [e for e in edges if not self._between_created(e)]
        if looked_up:
            rels = {e.relation for e in looked_up}
            # BOTH: a SAME_AS link may be stored in the other direction under the same id.
            for e in self.view.edges({e.src for e in looked_up}, Direction.BOTH, rels):
                old_edges[e.id] = e
        old_des: dict[str, Designation] = {}
        if des:
            for found in self.view.designations({d.entity_id for d in des}).values():
                old_des.update((d.id, d) for d in found)
        for index, record in enumerate(items):
            old: Any = (
                old_nodes.get(record.id)
                if isinstance(record, Node)
                else old_edges.get(record.id)
                if isinstance(record, Edge)
                else old_des.get(record.id)
            )
            if isinstance(record, Designation) and self._relisted(record, old):
                # Listed again after an earlier version of the list dropped it: that end date
                # was inferred from the absence, so the listing is open again (sources kept).
                items[index] = merge_designation(old, record).model_copy(update={"end_date": None})
                self.reopened.append(record.id)
            if isinstance(record, Designation):
                self.designation_ids.add(record.id)
                if record.id not in self.previous and len(self.counts.des_added) < MAX_CHANGED:
                    self.counts.des_added.append(record.id)
                    self.listings[record.id] = record
            elif isinstance(record, Node):
                self._track(record.id)
            if old is None and isinstance(record, Edge) and self._between_created(record):
                if record.id in self.created_edges:
                    self.counts.unchanged += 1  # written earlier in this load; merged on write
                    continue
                self.created_edges.add(record.id)
            if old is None:
                self.counts.added += 1
                continue
            new = _merge(old, record)
            if new == old:
                self.counts.unchanged += 1
            else:
                self.counts.updated += 1
                if isinstance(record, Designation) and record.id in self.previous:
                    if len(self.counts.des_changed) < MAX_CHANGED:
                        self.counts.des_changed.append(record.id)
                        self.listings[record.id] = record
                elif isinstance(record, Node) and len(self.counts.nodes_changed) < MAX_CHANGED:
                    self.counts.nodes_changed.append(record.id)
        return items

    def _relisted(self, record: Designation, old: Designation | None) -> bool:
        """Whether ``record`` states again a listing this dataset's last load left out and the
        store holds as ended. Only then: an end date a source stated itself stays."""
        return (
            old is not None
            and old.end_date is not None
            and record.end_date is None
            and bool(self.previous)
            and record.id not in self.previous
        )

    def take_reopened(self) -> list[str]:
        """Ids of listings to reopen: the writer drops the stored (ended) copy before writing
        the open one, since writes otherwise keep an end date once set."""
        ids, self.reopened = self.reopened, []
        return ids

    def _track(self, node_id: str) -> None:
        if self.entity_ids is None:
            return
        self.entity_ids.add(node_id)
        if len(self.entity_ids) > MAX_TRACKED_ENTITIES:
            self.entity_ids = None


def _ends(record: Edge | Designation) -> tuple[str, ...]:
    return (record.entity_id,) if isinstance(record, Designation) else (record.src, record.dst)


def _merge(old: Record, new: Record) -> Record:
    if isinstance(old, Node) and isinstance(new, Node):
        return merge_node(old, new)
    if isinstance(old, Edge) and isinstance(new, Edge):
        return merge_edge(old, new)
    if isinstance(old, Designation) and isinstance(new, Designation):
        return merge_designation(old, new)
    raise TypeError(f"cannot merge {type(old).__name__} with {type(new).__name__}")


def _ident_reason(ident: Identifier) -> str:
    return f"same {ident.scheme.value.upper()} {ident.value}"


def _conflict(a: Node, b: Node) -> bool:
    """Both records state an identifier of the same strong scheme, and the values differ."""
    for scheme in STRONG_SCHEMES:
        mine = {i.value for i in a.identifiers if i.scheme is scheme and is_checked(i)}
        theirs = {i.value for i in b.identifiers if i.scheme is scheme and is_checked(i)}
        if mine and theirs and not mine & theirs:
            return True
    return False
