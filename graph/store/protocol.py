"""The store protocol: a writer half and a read-only view half, both working in batches.

Backends implement a handful of primitives; everything else (paths, ownership arithmetic,
resolution) is written once on top of them in the engines. A single lookup is a batch of one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol, runtime_checkable

from supplygraph.graph.model.records import (
    ChangeSet,
    Designation,
    Edge,
    Identifier,
    LoadEntry,
    Node,
    NodeKind,
    Record,
    Relation,
)

# The (kind, property) pairs a store indexes for :meth:`GraphView.nodes_with_property`: what a
# query asks for (the resolver's model-number patterns), nothing more. Indexing every property
# cost each GLEIF entity four index rows no reader asked for (``lei_category``,
# ``lei_entity_status``, ...): four in ten of its lookup rows on a Cypher server.
INDEXED_PROPERTIES: dict[NodeKind, frozenset[str]] = {NodeKind.PRODUCT: frozenset({"pattern"})}


def indexed_properties(node: Node) -> list[str]:
    """The properties of ``node`` its store indexes (see :data:`INDEXED_PROPERTIES`)."""
    wanted = INDEXED_PROPERTIES.get(node.kind)
    return [p for p in node.properties if p in wanted] if wanted and node.properties else []


def check_indexed_property(kind: NodeKind, prop: str) -> None:
    """Refuse a property the stores do not index: its answer would be empty, not true."""
    if prop not in INDEXED_PROPERTIES.get(kind, ()):
        indexed = ", ".join(f"{k.value}.{p}" for k, ps in INDEXED_PROPERTIES.items() for p in ps)
        raise ValueError(f"{kind.value}.{prop} is not indexed (indexed: {indexed})")


class Direction(StrEnum):
    OUT = "out"  # edges whose src is in the given ids
    IN = "in"  # edges whose dst is in the given ids
    BOTH = "both"


@runtime_checkable
class GraphWriter(Protocol):
    """Puts records in batches; everything put inside one ``with store.writer()`` is atomic."""

    def put(self, records: Iterable[Record]) -> None: ...

    def delete_designations(self, ids: Sequence[str]) -> None: ...

    def record_load(self, entry: LoadEntry) -> None:
        """Append to the load log, in the same transaction as the records it describes."""
        ...

    def record_changes(self, changes: ChangeSet) -> None:
        """Keep what a load changed in its dataset, in the load's own transaction."""
        ...


@runtime_checkable
class GraphView(Protocol):
    """Read-only batch primitives."""

    def version(self) -> str:
        """Changes whenever committed data changes; engines key their caches on it."""
        ...

    def nodes(self, ids: Collection[str]) -> dict[str, Node]: ...

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]: ...

    def find_by_identifier(
        self, identifiers: Collection[Identifier]
    ) -> dict[Identifier, list[str]]: ...

    def subdivided_blocks(self) -> frozenset[str]:
        """The 24-bit MAC prefixes (six hex digits) under which a 28- or 36-bit block is assigned.

        A MAC outside these prefixes is decided by its 24-bit block alone, so bulk resolution
        needs no lookup for a device's smaller blocks; the registry subdivides few prefixes.
        """
        ...

    def find_by_name_key(self, keys: Collection[str]) -> dict[str, list[str]]: ...

    def find_by_token(self, tokens: Collection[str], limit: int) -> dict[str, list[str]]: ...

    def find_by_token_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        """Nodes with a name token that starts with each prefix (search as you type): at most
        ``limit`` node ids per prefix, in token order."""
        ...

    def tokens_with_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        """The distinct name tokens that start with each prefix, at most ``limit`` each, in
        token order: the vocabulary a typo is looked up in ("chegnxing" -> "chengxing")."""
        ...

    def designations(self, ids: Collection[str]) -> dict[str, list[Designation]]: ...

    def nodes_with_property(self, kind: NodeKind, prop: str) -> list[Node]:
        """Every node of ``kind`` that has ``prop`` set, for the pairs in
        :data:`INDEXED_PROPERTIES` (model-number patterns); any other pair is a ValueError."""
        ...

    def counts(self) -> dict[str, int]: ...

    def loads(self, dataset: str | None = None) -> list[LoadEntry]:
        """The load log, newest first; only one dataset's entries when ``dataset`` is given."""
        ...

    def changes(
        self,
        since: datetime | None = None,
        dataset: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> list[ChangeSet]:
        """What loads changed, newest first (ties by id): those at or after ``since``, of
        ``dataset``; for paging, only those after ``after`` (the ``loaded_at`` and ``id`` of
        the last one of the previous page) and at most ``limit`` of them."""
        ...

    def iter_records(self) -> Iterator[Record]:
        """Every node, edge and designation: for migration and export."""
        ...


# One step of a walk: the relations it follows, in which direction ("owners": OWNS in).
WalkStep = tuple[Direction, Collection[Relation]]


@runtime_checkable
class HopsView(Protocol):
    """A view that hands out a whole neighbourhood in one call (the server stores: one query
    instead of one round trip per hop). Engines use it when a view has it."""

    def edges_along(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> list[Edge] | None:
        """Every edge that ``edges(x, direction, relations)`` gives for some step and some
        ``x`` within ``hops - 1`` steps of ``ids``, a step being an edge of one step's
        relations followed in that step's direction: all that a walk of ``hops`` levels could
        read. With ``day``, only those of them in force that day (``Edge.active_on``): for a
        walk that never follows nor counts another. ``None`` when that is more than ``limit``
        edges or the server cannot follow these steps in one query; the walk then reads hop by
        hop."""
        ...

    def around(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> tuple[list[Edge], dict[str, Node]] | None:
        """:meth:`edges_along`, with the nodes at either end of those edges as ``nodes``
        gives them (stubs left out), from the same call: a walk that shows what it reached
        needs no second read. ``None`` as for :meth:`edges_along`."""
        ...


class GraphStore(Protocol):
    url: str

    def writer(self) -> AbstractContextManager[GraphWriter]: ...

    def view(self) -> GraphView: ...

    def close(self) -> None: ...
