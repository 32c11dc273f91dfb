"""The library facade: one object over a store that the CLI, the API and integrators share.

>>> from supplygraph import SupplyGraph
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> sg.resolve(brand="HiLook").verdict
'yes'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine import ownership
from supplygraph.graph.engine.entity_detail import entity_detail
from supplygraph.graph.engine.neighbourhood import Neighbourhood
from supplygraph.graph.engine.neighbourhood import neighbourhood as build_neighbourhood
from supplygraph.graph.engine.resolve import Query, Resolver
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.match.references import find_reference
from supplygraph.graph.match.search import search_entities
from supplygraph.graph.model.answers import (
    EntityDetail,
    EntityRef,
    OwnersResult,
    RegimesResult,
    ResolveResult,
    SearchHit,
)
from supplygraph.graph.store.backends import DEFAULT_STORE_URL, open_store
from supplygraph.graph.store.protocol import GraphStore, GraphView

if TYPE_CHECKING:
    from supplygraph.loaders.ingest import LoadReport
    from supplygraph.loaders.update import SourceOutcome, UpdateReport

Progress = Callable[[int], None]


class SupplyGraph:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.view = store.view()
        self.resolver = Resolver(self.view)
        # Owners and holdings answers per store version: a dense graph's walk costs up to the
        # whole walk budget, so a question asked again is served from here.
        self.walk_cache: AnswerCache[OwnersResult] = AnswerCache(size=1024)

    @classmethod
    def open(cls, url: str = DEFAULT_STORE_URL) -> SupplyGraph:
        return cls(open_store(url))

    def close(self) -> None:
        self.store.close()

    # -- loading ----------------------------------------------------------------------------
    def load_seed(self, progress: Progress | None = None) -> LoadReport:
        """Load the curated seed data through the ingest pipeline (linker, load log)."""
        return self._load_builtin("seed", progress)

    def load_oui(self, progress: Progress | None = None) -> LoadReport:
        """Load the IEEE MAC registry shipped with netaddr through the ingest pipeline."""
        return self._load_builtin("oui", progress)

    def _load_builtin(self, name: str, progress: Progress | None) -> LoadReport:
        from supplygraph.loaders.builtin import BUILTIN
        from supplygraph.loaders.ingest import load_source

        return load_source(self.store, BUILTIN[name](), progress)

    def update(
        self,
        sources: Path | None = None,
        only: Iterable[str] = (),
        mirror: str | None = None,
        allow_shrink: bool = False,
        allow_older: bool = False,
        on_outcome: Callable[[SourceOutcome], None] | None = None,
        assume_complete: bool = False,
        on_start: Callable[[str], None] | None = None,
    ) -> UpdateReport:
        """Fetch the sources of a sources file (the shipped defaults when None) and load those
        that changed, each atomically; cached answers are dropped when anything was loaded."""
        from supplygraph.loaders.update import read_sources, update

        report = update(
            self.store,
            read_sources(sources),
            only=only,
            mirror=mirror,
            allow_shrink=allow_shrink,
            allow_older=allow_older,
            on_outcome=on_outcome,
            assume_complete=assume_complete,
            on_start=on_start,
        )
        if report.loaded:
            self.drop_caches()
        return report

    def drop_caches(self) -> None:
        self.resolver.drop_caches()
        self.walk_cache.clear()

    def is_empty(self) -> bool:
        return self.view.counts()["nodes"] == 0

    # -- questions --------------------------------------------------------------------------
    def resolve(
        self,
        name: str | None = None,
        brand: str | None = None,
        model: str | None = None,
        mac: str | None = None,
        fcc_id: str | None = None,
        target: str | None = None,
        as_of: date | None = None,
    ) -> ResolveResult:
        query = Query(name=name, brand=brand, model=model, mac=mac, fcc_id=fcc_id)
        return self.resolver.resolve(query, target=target, as_of=as_of)

    def find_entity(self, ref: str) -> EntityRef:
        """An id or a name, as every endpoint that takes an entity reads it."""
        return EntityRef.of(find_reference(self.view, ref))

    def owners(self, ref: str, max_depth: int = 6, as_of: date | None = None) -> OwnersResult:
        return self._walk(ownership.owners, ref, max_depth, as_of)

    def holdings(self, ref: str, max_depth: int = 6, as_of: date | None = None) -> OwnersResult:
        return self._walk(ownership.holdings, ref, max_depth, as_of)

    def _walk(
        self,
        walk: Callable[[GraphView, EntityRef, int, date], OwnersResult],
        ref: str,
        max_depth: int,
        as_of: date | None,
    ) -> OwnersResult:
        _check_depth(max_depth)
        entity = self.find_entity(ref)
        day = as_of or date.today()
        key = (walk.__name__, entity.id, max_depth, day, self.view.version())
        found = self.walk_cache.get(key)
        if found is None:
            found = walk(self.view, entity, max_depth, day)
            self.walk_cache.put(key, found)
        return found

    def neighbourhood(
        self, entity_id: str, depth: int = 1, as_of: date | None = None
    ) -> Neighbourhood:
        """Every node and edge within ``depth`` hops of an entity, with sources (UI, exports)."""
        return build_neighbourhood(self.view, self.find_entity(entity_id).id, depth, as_of)

    def regimes(self, ref: str, as_of: date | None = None) -> RegimesResult:
        """Per-regulation verdicts (OFAC 50%, BIS affiliates, listings, NDAA 889, ...)."""
        return self.resolver.regimes.result(self.find_entity(ref), as_of or date.today())

    def entity(self, ref: str) -> EntityDetail:
        return entity_detail(self.view, ref)

    def search(self, q: str, limit: int = 20, merge_records: bool = False) -> list[SearchHit]:
        """Entities by name, alias or identifier (MAC, FCC ID, USCC, LEI, ISIN), best first;
        with ``merge_records``, a curated entity's linked registry records under it."""
        return search_entities(self.view, q, limit, merge_records)


def _check_depth(max_depth: int) -> None:
    if not 1 <= max_depth <= 20:
        raise InvalidQuery("max_depth", "max_depth must be between 1 and 20")
