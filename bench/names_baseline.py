"""The name matcher supplygraph used before name-part scoring, kept as the bench's baseline.

Exact normalized keys first, then every candidate sharing a distinctive word, scored by a
whole-string ratio (the better of rapidfuzz ``ratio`` and ``token_sort_ratio``) and accepted
from 0.88. It is here only so that ``supplygraph bench`` can measure the current matcher against
it on the same labelled names in the same run.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from supplygraph.graph.model.normalize import fuzzy_key, name_keys, name_tokens
from supplygraph.graph.store.protocol import GraphView

THRESHOLD = 0.88
CANDIDATES_PER_TOKEN = 300


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100.0


def match_ids(view: GraphView, text: str, limit: int = 10) -> list[tuple[str, float]]:
    """(node id, score) best first, as the earlier ``match_name`` ranked them."""
    keys = name_keys(text)
    if not keys:
        return []
    best: dict[str, float] = {}
    exact = view.find_by_name_key(keys)
    for key in keys:
        for node_id in exact.get(key, []):
            best[node_id] = 1.0
    tokens = name_tokens(text)
    query = fuzzy_key(text)
    if tokens:
        found = view.find_by_token(tokens, CANDIDATES_PER_TOKEN)
        candidates = {i for ids in found.values() for i in ids} - best.keys()
        for node in view.nodes(candidates).values():
            for name in node.names:
                score = _similarity(query, fuzzy_key(name))
                if score >= THRESHOLD and score > best.get(node.id, 0.0):
                    best[node.id] = round(score, 3)
    names = {n.id: n.name for n in view.nodes(best.keys()).values()}
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], names.get(kv[0], ""), kv[0]))
    return ranked[:limit]
