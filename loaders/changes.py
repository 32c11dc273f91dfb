"""What one load changed in its dataset: the change set kept beside the load log.

A load is compared with the previous load of the same dataset. Listings (designations) are
compared by id: added, removed (a delisting, which ingest end-dates rather than deletes) and
changed (stored before, and this file stated something new about them). Entities are compared
by the node ids each file stated, when the previous load kept them (see
:data:`~supplygraph.loaders.linker.MAX_TRACKED_ENTITIES`): added to the dataset, removed from it
(the entity stays in the graph: other sources may state it, and its history matters), changed.

Counts are complete; at most :data:`MAX_ITEMS` items are listed, with names looked up once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from supplygraph.graph.model.records import Change, ChangeItem, ChangeSet, Designation, LoadEntry
from supplygraph.graph.store.protocol import GraphView

if TYPE_CHECKING:
    from .linker import Linker

MAX_ITEMS = 5_000


def change_set(
    view: GraphView,
    entry: LoadEntry,
    previous: LoadEntry | None,
    linker: Linker,
    listings_added: Sequence[str],
    listings_ended: Sequence[Designation],
    listings_removed: int,
    listings_withheld: int = 0,
) -> ChangeSet:
    """The change set of ``entry`` against ``previous`` (None: the dataset's first load).

    Runs inside the load's transaction, so ``view`` already sees what the load wrote.
    """
    current = linker.entity_ids
    counts = {"entities": len(current) if current is not None else linker.counts.added}
    items: list[ChangeItem] = []
    if previous is None:
        counts |= {
            "entities_added": counts["entities"],
            "designations_added": len(linker.designation_ids),
        }
        return _finish(entry, previous, counts, items)
    tracked = previous.entities_tracked and current is not None
    if tracked:
        assert current is not None
        before = set(previous.entity_ids)
        added = sorted(current - before)
        removed = sorted(before - current)
        changed = [i for i in linker.counts.nodes_changed if i in before]
        counts |= {
            "entities_added": len(added),
            "entities_removed": len(removed),
            "entities_changed": len(changed),
        }
        lists: tuple[tuple[Change, list[str]], ...] = (
            ("added", added),
            ("removed", removed),
            ("changed", changed),
        )
        for change, ids in lists:
            items += _entity_items(view, change, ids[: max(0, MAX_ITEMS - len(items))])
    counts |= {
        "designations_added": len(listings_added),
        "designations_removed": listings_removed,
        "designations_ended": len(listings_ended),
        "designations_changed": len(linker.counts.des_changed),
        # Left out by a file not shown complete: still open (see ingest); not listed as items.
        "delistings_withheld": listings_withheld,
    }
    listed = [(a, linker.listings.get(a)) for a in listings_added]
    listed_changed = [(c, linker.listings.get(c)) for c in linker.counts.des_changed]
    groups: tuple[tuple[Change, list[tuple[str, Designation | None]]], ...] = (
        ("added", listed),
        ("removed", [(d.id, d) for d in listings_ended]),
        ("changed", listed_changed),
    )
    for change, pairs in groups:
        items += _listing_items(view, change, pairs[: max(0, MAX_ITEMS - len(items))])
    return _finish(entry, previous, counts, items)


LISTED = (
    "entities_added",
    "entities_removed",
    "entities_changed",
    "designations_added",
    "designations_ended",
    "designations_changed",
)


def _finish(
    entry: LoadEntry, previous: LoadEntry | None, counts: dict[str, int], items: list[ChangeItem]
) -> ChangeSet:
    return ChangeSet(
        id=entry.id,
        dataset=entry.dataset,
        loaded_at=entry.loaded_at,
        file=entry.file,
        sha256=entry.sha256,
        source=entry.source,
        previous_load=previous.id if previous else None,
        previous_loaded_at=previous.loaded_at if previous else None,
        counts=counts,
        items=tuple(items),
        # A first load lists nothing (everything in it is new); later ones list what changed,
        # removed listings through the records they end.
        truncated=previous is not None and len(items) < sum(counts.get(k, 0) for k in LISTED),
    )


def _entity_items(view: GraphView, change: Change, ids: list[str]) -> list[ChangeItem]:
    nodes = view.nodes(ids) if ids else {}
    out = []
    for node_id in ids:
        node = nodes.get(node_id)
        out.append(
            ChangeItem(
                kind="entity",
                change=change,
                id=node_id,
                name=node.name if node else None,
                entity_kind=node.kind.value if node else None,
            )
        )
    return out


def _listing_items(
    view: GraphView, change: Change, pairs: list[tuple[str, Designation | None]]
) -> list[ChangeItem]:
    entity_ids = [d.entity_id for _, d in pairs if d is not None]
    nodes = view.nodes(entity_ids) if entity_ids else {}
    out = []
    for des_id, des in pairs:
        node = nodes.get(des.entity_id) if des is not None else None
        out.append(
            ChangeItem(
                kind="designation",
                change=change,
                id=des_id,
                name=node.name if node else None,
                entity_kind=node.kind.value if node else None,
                entity_id=des.entity_id if des else None,
                list_id=des.list_id if des else None,
                list_name=des.list_name if des else None,
            )
        )
    return out
