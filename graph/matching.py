"""Turning what a user typed into known nodes: names, identifiers, model numbers.

Names match exactly on normalized keys first (any script, aliases, legal forms removed), then
fuzzily with rapidfuzz over candidates that share a distinctive token. The fuzzy threshold is
deliberately strict: "Hikari" must not become Hikvision, nor "Dahua Electronics Corporation"
Zhejiang Dahua.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from rapidfuzz import fuzz

from .model import Identifier, IdScheme, Node, NodeKind
from .normalize import fcc_grantee_code, fuzzy_key, mac_prefixes, model_key, name_keys, name_tokens
from .results import Match
from .store import GraphView

FUZZY_THRESHOLD = 0.88
CANDIDATES_PER_TOKEN = 300
# A key that is an exact alias scores 1.0; one that only matches after transliteration a bit less.
TRANSLITERATED_SCORE = 0.95


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    # ratio punishes extra words; token_sort_ratio forgives word order only.
    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100.0


def match_name(
    view: GraphView,
    text: str,
    field: str = "name",
    kinds: Collection[NodeKind] | None = None,
    limit: int = 10,
    threshold: float = FUZZY_THRESHOLD,
) -> list[Match]:
    """Nodes whose name or alias matches ``text``, best first."""
    keys = name_keys(text)
    if not keys:
        return []
    best: dict[str, tuple[float, str]] = {}
    exact = view.find_by_name_key(keys)
    for key in keys:
        for node_id in exact.get(key, []):
            score = TRANSLITERATED_SCORE if key.isascii() and not text.isascii() else 1.0
            if score > best.get(node_id, (0.0, ""))[0]:
                best[node_id] = (score, key)
    tokens = name_tokens(text)
    query = fuzzy_key(text)
    if tokens:
        found = view.find_by_token(tokens, CANDIDATES_PER_TOKEN)
        candidates = {i for ids in found.values() for i in ids} - best.keys()
        for node in view.nodes(candidates).values():
            for name in node.names:
                score = _similarity(query, fuzzy_key(name))
                if score >= threshold and score > best.get(node.id, (0.0, ""))[0]:
                    best[node.id] = (round(score, 3), name)
    nodes = view.nodes(best.keys())
    matches = [
        Match(
            id=n.id,
            name=n.name,
            kind=n.kind.value,
            score=best[n.id][0],
            field=field,
            matched_on=best[n.id][1],
        )
        for n in nodes.values()
        if kinds is None or n.kind in kinds
    ]
    matches.sort(key=lambda m: (-m.score, m.name, m.id))
    return matches[:limit]


def match_identifiers(view: GraphView, idents: list[Identifier], field: str) -> list[Match]:
    """Nodes carrying any of ``idents``; with MAC prefixes only the most specific block counts."""
    found = view.find_by_identifier(idents)
    # ``idents`` run from least to most specific; the most specific block that matched wins.
    hits = [(ident, ids) for ident in reversed(idents) if (ids := found.get(ident))]
    if not hits:
        return []
    ident, ids = hits[0]
    nodes = view.nodes(ids)
    return [
        Match(
            id=n.id,
            name=n.name,
            kind=n.kind.value,
            score=1.0,
            field=field,
            matched_on=f"{ident.scheme.value}:{ident.value}",
        )
        for n in sorted(nodes.values(), key=lambda n: n.id)
    ]


def match_mac(view: GraphView, mac: str) -> list[Match]:
    prefixes = mac_prefixes(mac)
    idents = [Identifier(scheme=IdScheme(s), value=v) for s, v in prefixes.items()]
    return match_identifiers(view, idents, "mac")


def match_fcc(view: GraphView, fcc_id: str) -> list[Match]:
    code = fcc_grantee_code(fcc_id)
    return match_identifiers(view, [Identifier(scheme=IdScheme.FCC_GRANTEE, value=code)], "fcc_id")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# Model-number families are evidence of the weakest kind: prefixes are shared across makers.
MODEL_PATTERN_SCORE = 0.6


def match_model(view: GraphView, model: str, patterns: list[Node]) -> list[Match]:
    """Product families whose ``pattern`` matches the model number, plus exact product names."""
    key = model_key(model)
    matches = match_name(view, model, field="model", kinds={NodeKind.PRODUCT}, threshold=1.0)
    for node in patterns:
        pattern = str(node.properties.get("pattern", ""))
        if pattern and _compile(pattern).search(key):
            matches.append(
                Match(
                    id=node.id,
                    name=node.name,
                    kind=node.kind.value,
                    score=MODEL_PATTERN_SCORE,
                    field="model",
                    matched_on=pattern,
                )
            )
    return matches
