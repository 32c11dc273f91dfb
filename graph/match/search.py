"""Search: entities by identifier, by name (fuzzy) and by a name still being typed."""

from __future__ import annotations

from contextlib import suppress

from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.match.matcher import match_name
from supplygraph.graph.model.answers import SearchHit, SearchRecord
from supplygraph.graph.model.ids import is_curated
from supplygraph.graph.model.normalize import fcc_grantee_code, fuzzy_key, has_cjk, mac_prefixes
from supplygraph.graph.model.records import Identifier, IdScheme, NodeKind, Relation
from supplygraph.graph.store.protocol import Direction, GraphView

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


def _rank(query: str, hits: list[SearchHit]) -> list[SearchHit]:
    """Best first. Ties on the score go to the entity the query names: the name that matched
    begins with the query (中电海康, CETHIK, holds 海康 after its owner's prefix 中电: a parent
    or a relative is often named after what it holds), then the query covers more of that
    name, then organizations, then by name."""
    words = fuzzy_key(query)

    def key(h: SearchHit) -> tuple[float, bool, float, bool, str]:
        matched = fuzzy_key(h.matched_on.removeprefix("prefix:"))
        names_itself = bool(words) and matched.startswith(words)
        coverage = min(1.0, len(words) / max(len(matched), 1))
        return (
            -h.score,
            not names_itself,
            -coverage,
            h.kind != NodeKind.ORGANIZATION.value,
            h.name,
        )

    return sorted(hits, key=key)


def _merge_records(view: GraphView, ordered: list[SearchHit]) -> list[SearchHit]:
    """A curated entity and the registry records linked to it as the same entity (SAME_AS:
    its IEEE MAC registry assignee record, ...) become one hit, the records in its ``also``
    with their own scores. The hit stands where the best of them ranked, with that one's score
    and what it matched on."""
    ranked = {h.id: i for i, h in enumerate(ordered)}
    home: dict[str, str] = {}
    for edge in view.edges(list(ranked), Direction.BOTH, [Relation.SAME_AS]):
        for host, record in ((edge.src, edge.dst), (edge.dst, edge.src)):
            if host not in ranked or record not in ranked:
                continue
            if not is_curated(host) or is_curated(record):
                continue
            # A record linked to two curated hits goes under the better ranked one.
            if record not in home or ranked[host] < ranked[home[record]]:
                home[record] = host
    if not home:
        return ordered
    members: dict[str, list[SearchHit]] = {}
    for hit in ordered:
        members.setdefault(home.get(hit.id, hit.id), []).append(hit)
    by_id = {h.id: h for h in ordered}
    merged: list[SearchHit] = []
    for hit in ordered:
        host_id = home.get(hit.id, hit.id)
        group = members.pop(host_id, None)
        if group is None:
            continue  # the group was placed at its best member
        host_hit = by_id[host_id]
        records = [SearchRecord(**h.model_dump(exclude={"also"})) for h in group if h.id != host_id]
        best = max(group, key=lambda h: h.score)  # the first of equals: the best ranked
        update = {"score": best.score, "matched_on": best.matched_on, "also": records}
        merged.append(host_hit.model_copy(update=update))
    return merged


def search_entities(
    view: GraphView, q: str, limit: int = 20, merge_records: bool = False
) -> list[SearchHit]:
    """Entities by name, alias or identifier (MAC, FCC ID, USCC, LEI, ISIN), best first.

    With ``merge_records``, registry records linked to a curated hit as the same entity are
    listed under it (``also``) instead of as hits of their own."""
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
    ordered = _rank(text, list(hits.values()))
    if merge_records:
        ordered = _merge_records(view, ordered)
    return ordered[:limit]
