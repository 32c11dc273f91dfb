"""Search: entities by identifier, by name (fuzzy) and by a name still being typed."""

from __future__ import annotations

from contextlib import suppress

from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.match.matcher import match_name
from supplygraph.graph.model.answers import SearchHit
from supplygraph.graph.model.normalize import fcc_grantee_code, fuzzy_key, has_cjk, mac_prefixes
from supplygraph.graph.model.records import Identifier, IdScheme, NodeKind
from supplygraph.graph.store.protocol import GraphView

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


def _prefix_hits(view: GraphView, text: str, limit: int) -> list[SearchHit]:
    """Entities with a name word that starts with the query's last word (search as you
    type: "hikv" finds Hikvision before the word is complete)."""
    query = fuzzy_key(text)
    words = query.split()
    if not words or len(words[-1]) < PREFIX_MIN_CHARS or has_cjk(query):
        return []
    found = view.find_by_token_prefix([words[-1]], PREFIX_CANDIDATES)
    hits: list[SearchHit] = []
    for node in view.nodes(found.get(words[-1], [])).values():
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


def search_entities(view: GraphView, q: str, limit: int = 20) -> list[SearchHit]:
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
        idents += [Identifier(scheme=IdScheme(k), value=v) for k, v in mac_prefixes(text).items()]
    with suppress(InvalidQuery):
        idents.append(Identifier(scheme=IdScheme.FCC_GRANTEE, value=fcc_grantee_code(text)))
    found = view.find_by_identifier(idents)
    nodes = view.nodes({i for ids in found.values() for i in ids})
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
    for m in match_name(view, text, field="q", threshold=SEARCH_THRESHOLD, limit=limit):
        if m.id not in hits:
            hits[m.id] = SearchHit(
                id=m.id, name=m.name, kind=m.kind, score=m.score, matched_on=m.matched_on
            )
    for hit in _prefix_hits(view, text, limit):
        hits.setdefault(hit.id, hit)
    ordered = sorted(
        hits.values(), key=lambda h: (-h.score, h.kind != NodeKind.ORGANIZATION.value, h.name)
    )
    return ordered[:limit]
