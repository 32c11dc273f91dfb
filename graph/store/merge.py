"""Merging a record into one already stored under the same id: facts accumulate, none is lost.

Backends call these inside their write transaction, so merging is written once for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from supplygraph.graph.model.records import Designation, Edge, Node, Record, SourceRef

T = TypeVar("T")


def _union(old: Iterable[T], new: Iterable[T]) -> tuple[T, ...]:
    seen: dict[T, None] = dict.fromkeys(old)
    for item in new:
        seen.setdefault(item, None)
    return tuple(seen)


def _sources(old: tuple[SourceRef, ...], new: tuple[SourceRef, ...]) -> tuple[SourceRef, ...]:
    return _union(old, new)


def merge_node(old: Node, new: Node) -> Node:
    """Keep the stored name and kind; add aliases, identifiers, properties and sources."""
    aliases = tuple(a for a in _union(old.aliases, (new.name, *new.aliases)) if a != old.name)
    return old.model_copy(
        update={
            "aliases": aliases,
            "identifiers": _union(old.identifiers, new.identifiers),
            "country": old.country or new.country,
            "org_type": old.org_type or new.org_type,
            "properties": {**new.properties, **old.properties},
            "sources": _sources(old.sources, new.sources),
        }
    )


def merge_edge(old: Edge, new: Edge) -> Edge:
    """Sources accumulate; an end date, once stated (a relationship that ended), is kept or
    updated, as for designations."""
    return old.model_copy(
        update={
            "sources": _sources(old.sources, new.sources),
            "valid_to": new.valid_to or old.valid_to,
        }
    )


def merge_designation(old: Designation, new: Designation) -> Designation:
    """Sources accumulate; an end date, once stated (a delisting), is kept or updated."""
    return old.model_copy(
        update={
            "sources": _sources(old.sources, new.sources),
            "end_date": new.end_date or old.end_date,
        }
    )


class RecordBuffer:
    """Records waiting to be written, merged by id so that one batch holds each id once.

    Every backend's writer fills one of these and drains it with :meth:`take` when it flushes.
    """

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[str, Edge] = {}
        self.designations: dict[str, Designation] = {}

    def add(self, record: Record) -> None:
        self.extend((record,))

    def extend(self, records: Iterable[Record]) -> None:
        """:meth:`add` each record in turn (one call per batch: the writers' per-record cost)."""
        nodes, edges, designations = self.nodes, self.edges, self.designations
        for record in records:
            if isinstance(record, Node):
                old_node = nodes.get(record.id)
                nodes[record.id] = record if old_node is None else merge_node(old_node, record)
            elif isinstance(record, Edge):
                old_edge = edges.get(record.id)
                edges[record.id] = record if old_edge is None else merge_edge(old_edge, record)
            else:
                old_des = designations.get(record.id)
                designations[record.id] = (
                    record if old_des is None else merge_designation(old_des, record)
                )

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges) + len(self.designations)

    def take(self) -> tuple[list[Node], list[Edge], list[Designation]]:
        """Everything buffered, emptying the buffer."""
        out = (
            list(self.nodes.values()),
            list(self.edges.values()),
            list(self.designations.values()),
        )
        self.nodes, self.edges, self.designations = {}, {}, {}
        return out
