"""The library facade: one object over a store that the CLI, the API and integrators share.

>>> from supplygraph import SupplyGraph
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> sg.resolve(brand="HiLook").verdict
'yes'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from datetime import date

from supplygraph.errors import InvalidQuery
from supplygraph.graph import ownership
from supplygraph.graph.matching import match_name
from supplygraph.graph.model import Identifier, IdScheme, NodeKind, Record, Relation
from supplygraph.graph.neighbourhood import Neighbourhood
from supplygraph.graph.neighbourhood import neighbourhood as build_neighbourhood
from supplygraph.graph.normalize import fcc_grantee_code, fuzzy_key, has_cjk, mac_prefixes
from supplygraph.graph.references import find_reference
from supplygraph.graph.resolve import Query, Resolver
from supplygraph.graph.results import (
    DesignationOut,
    EntityDetail,
    EntityRef,
    OwnersResult,
    RegimesResult,
    ResolveResult,
    SearchHit,
    Step,
)
from supplygraph.graph.store import DEFAULT_STORE_URL, Direction, GraphStore, open_store

Progress = Callable[[int], None]


def load_records(
    store: GraphStore, records: Iterable[Record], progress: Progress | None = None
) -> int:
    """Write records in one atomic transaction; returns how many were written."""
    count = 0
    with store.writer() as writer:
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) >= 1000:
                writer.put(batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        writer.put(batch)
        count += len(batch)
        if progress:
            progress(len(batch))
    return count


class SupplyGraph:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.view = store.view()
        self.resolver = Resolver(self.view)

    @classmethod
    def open(cls, url: str = DEFAULT_STORE_URL) -> SupplyGraph:
        return cls(open_store(url))

    def close(self) -> None:
        self.store.close()

    # -- loading ----------------------------------------------------------------------------
    def load_seed(self, progress: Progress | None = None) -> int:
        from supplygraph.loaders import seed

        return load_records(self.store, seed.records(), progress)

    def load_oui(self, progress: Progress | None = None) -> int:
        from supplygraph.loaders import oui

        return load_records(self.store, oui.records(), progress)

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
        _check_depth(max_depth)
        return ownership.owners(self.view, self.find_entity(ref), max_depth, as_of or date.today())

    def holdings(self, ref: str, max_depth: int = 6, as_of: date | None = None) -> OwnersResult:
        _check_depth(max_depth)
        return ownership.holdings(
            self.view, self.find_entity(ref), max_depth, as_of or date.today()
        )

    def neighbourhood(
        self, entity_id: str, depth: int = 1, as_of: date | None = None
    ) -> Neighbourhood:
        """Every node and edge within ``depth`` hops of an entity, with sources (UI, exports)."""
        return build_neighbourhood(self.view, self.find_entity(entity_id).id, depth, as_of)

    def regimes(self, ref: str, as_of: date | None = None) -> RegimesResult:
        """Per-regulation verdicts (OFAC 50%, BIS affiliates, listings, NDAA 889, ...)."""
        return self.resolver.regimes.result(self.find_entity(ref), as_of or date.today())

    def entity(self, ref: str) -> EntityDetail:
        node = find_reference(self.view, ref)
        entity_id = node.id
        edges = [
            e
            for e in self.view.edges([entity_id], Direction.BOTH)
            if e.relation is not Relation.ASSIGNED or e.src == entity_id
        ]
        # An OUI-holding organization has many ASSIGNED edges; list them, they are the evidence.
        names = {
            n.id: n.name
            for n in self.view.nodes({x for e in edges for x in (e.src, e.dst)}).values()
        }
        today = date.today()
        designations = [
            DesignationOut.of(d, node.name, today)
            for d in self.view.designations([entity_id]).get(entity_id, [])
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

    def _prefix_hits(self, text: str, limit: int) -> list[SearchHit]:
        """Entities with a name word that starts with the query's last word (search as you
        type: "hikv" finds Hikvision before the word is complete)."""
        query = fuzzy_key(text)
        words = query.split()
        if not words or len(words[-1]) < PREFIX_MIN_CHARS or has_cjk(query):
            return []
        found = self.view.find_by_token_prefix([words[-1]], PREFIX_CANDIDATES)
        hits: list[SearchHit] = []
        for node in self.view.nodes(found.get(words[-1], [])).values():
            best = max(((_prefix_score(query, words, n), n) for n in node.names), default=None)
            if best is not None and best[0] > 0:
                hits.append(
                    SearchHit(
                        id=node.id,
                        name=node.name,
                        kind=node.kind.value,
                        score=best[0],
                        matched_on=f"prefix:{best[1]}",
                    )
                )
        hits.sort(key=lambda h: (-h.score, h.name))
        return hits[:limit]

    def search(self, q: str, limit: int = 20) -> list[SearchHit]:
        """Entities by name, alias or identifier (MAC, FCC ID, USCC, LEI, ISIN), best first."""
        text = q.strip()
        if not text:
            raise InvalidQuery("q", "the search text is empty")
        hits: dict[str, SearchHit] = {}
        idents = [
            Identifier(scheme=s, value=text.upper())
            for s in (IdScheme.USCC, IdScheme.LEI, IdScheme.ISIN, IdScheme.TICKER)
        ]
        # The text may also be a MAC address or an FCC ID; if it is not, those keys are skipped.
        with suppress(InvalidQuery):
            idents += [
                Identifier(scheme=IdScheme(k), value=v) for k, v in mac_prefixes(text).items()
            ]
        with suppress(InvalidQuery):
            idents.append(Identifier(scheme=IdScheme.FCC_GRANTEE, value=fcc_grantee_code(text)))
        found = self.view.find_by_identifier(idents)
        nodes = self.view.nodes({i for ids in found.values() for i in ids})
        for ident, ids in found.items():
            for i in ids:
                n = nodes[i]
                hits[i] = SearchHit(
                    id=i,
                    name=n.name,
                    kind=n.kind.value,
                    score=1.0,
                    matched_on=f"{ident.scheme.value}:{ident.value}",
                )
        for m in match_name(self.view, text, field="q", threshold=SEARCH_THRESHOLD, limit=limit):
            if m.id not in hits:
                hits[m.id] = SearchHit(
                    id=m.id, name=m.name, kind=m.kind, score=m.score, matched_on=m.matched_on
                )
        for hit in self._prefix_hits(text, limit):
            hits.setdefault(hit.id, hit)
        ordered = sorted(
            hits.values(), key=lambda h: (-h.score, h.kind != NodeKind.ORGANIZATION.value, h.name)
        )
        return ordered[:limit]


# Search as you type: a last word of at least this many characters is taken as a prefix; the
# store gives at most this many candidates for it; their scores stay below the fuzzy threshold.
PREFIX_MIN_CHARS = 3
# Search lists near misses too, below the resolve threshold (they are shown, not judged).
SEARCH_THRESHOLD = 0.6
PREFIX_CANDIDATES = 200
PREFIX_SCORE_MAX = 0.7


def _prefix_score(query: str, words: list[str], name: str) -> float:
    """How well a name fits a query whose last word is still being typed: 0 when it does not
    (an earlier word missing, or no word starting with the last), else the share of the name
    the query covers, kept below the fuzzy-match threshold so that whole-word matches come
    first."""
    key = fuzzy_key(name)
    tokens = key.split()
    if not all(w in tokens for w in words[:-1]):
        return 0.0
    if not any(t.startswith(words[-1]) for t in tokens):
        return 0.0
    return round(PREFIX_SCORE_MAX * min(1.0, len(query) / max(len(key), 1)), 3)


def _check_depth(max_depth: int) -> None:
    if not 1 <= max_depth <= 20:
        raise InvalidQuery("max_depth", "max_depth must be between 1 and 20")
