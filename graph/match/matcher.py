"""Turning what a user typed into known nodes: names, identifiers, model numbers.

Names: candidates come from the store in batches, never from a scan: the exact normalized keys
(any script, aliases, legal forms removed), the word index, and for a word that is in no name
the stored words one typo away from it (looked up in the store's vocabulary by first letters).
The best-placed candidates (by how many rare query words they carry) are then scored part by
part (:mod:`supplygraph.graph.match.name_scoring`; the candidate loop runs its faster twin,
:mod:`supplygraph.graph.match.fast_scoring`), and every match says which name matched, which
parts paired and which did not.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.match import fast_scoring
from supplygraph.graph.match.name_scoring import TYPO_TWO, analyze, compare, df_weight
from supplygraph.graph.match.typed import as_typed
from supplygraph.graph.model.answers import Match, NameMatchDetail
from supplygraph.graph.model.ids import is_curated
from supplygraph.graph.model.normalize import (
    fcc_grantee_code,
    fuzzy_key,
    mac_prefixes,
    model_key,
    name_keys,
    name_tokens,
)
from supplygraph.graph.model.records import Identifier, IdScheme, Node, NodeKind
from supplygraph.graph.store.protocol import GraphView

# A name is taken as a match from this score on (a setting: SUPPLYGRAPH_NAME_MATCH_THRESHOLD,
# applied at start with configure()).
MATCH_THRESHOLD = 0.8
_threshold = MATCH_THRESHOLD


def configure(threshold: float) -> None:
    """Set the score from which a name matches; the service calls this once at start."""
    global _threshold
    _threshold = threshold


CANDIDATES_PER_TOKEN = 300
# Only this many candidates, the ones carrying the most (and rarest) query words, are scored.
SCORED_CANDIDATES = 20
# Candidates tied at the cut are ordered by closeness to the typed name when there are at most
# this many of them (their names are read for it).
TIE_BREAK_LIMIT = 100
# A word this long that is in no name may hold a typo: the store's words sharing its first
# letters (two, three from TYPO_LONG letters on; at most TYPO_VOCABULARY of them) are compared
# with it, and those within one edit (two from TYPO_TWO letters) select candidates as if they
# had been typed. A typo in the first letters is not looked for.
TYPO_MIN_LENGTH = 5
TYPO_LONG = 8
TYPO_VOCABULARY = 5000


@dataclass(frozen=True)
class NameProfile:
    """What scoring needs of a candidate node: its kind, and each of its names with the index
    words that name carries (so only the names sharing a selecting word are compared)."""

    name: str
    kind: NodeKind
    names: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, node: Node) -> NameProfile:
        return cls(node.name, node.kind, tuple((n, frozenset(name_tokens(n))) for n in node.names))


# Candidates repeat across questions (every name with "trading" or "industries" is one), and so
# do the first letters of mistyped words ("cor", "pha", "ele": 189 prefixes in 5,000 real and
# typed names): both are kept, a few hundred bytes per profile, a few KiB per prefix.
PROFILE_CACHE_SIZE = 50_000
VOCABULARY_CACHE_SIZE = 512


class CandidateCache:
    """What matching reads of one store again and again: candidate profiles and the stored
    words under a typo's first letters. Keyed by store version: a load makes old entries
    unreachable, and they age out of the LRU."""

    def __init__(
        self, profiles: int = PROFILE_CACHE_SIZE, prefixes: int = VOCABULARY_CACHE_SIZE
    ) -> None:
        self._profiles: AnswerCache[NameProfile] = AnswerCache(profiles)
        self._words: AnswerCache[tuple[str, ...]] = AnswerCache(prefixes)

    def profiles(self, view: GraphView, ids: Collection[str]) -> dict[str, NameProfile]:
        version = view.version()
        found: dict[str, NameProfile] = {}
        missing: list[str] = []
        for node_id in ids:
            hit = self._profiles.get((version, node_id), count=False)
            if hit is None:
                missing.append(node_id)
            else:
                found[node_id] = hit
        for node_id, node in view.nodes(missing).items():
            profile = NameProfile.of(node)
            self._profiles.put((version, node_id), profile)
            found[node_id] = profile
        return found

    def vocabulary(self, view: GraphView, prefixes: Collection[str]) -> dict[str, tuple[str, ...]]:
        """Stored words under each prefix (at most TYPO_VOCABULARY of them)."""
        version = view.version()
        found: dict[str, tuple[str, ...]] = {}
        for prefix in prefixes:
            hit = self._words.get((version, prefix), count=False)
            if hit is not None:
                found[prefix] = hit
        missing = [p for p in prefixes if p not in found]
        if missing:
            read = view.tokens_with_prefix(missing, TYPO_VOCABULARY)
            for prefix in missing:
                words = found[prefix] = tuple(read.get(prefix, ()))
                self._words.put((version, prefix), words)
        return found

    def clear(self) -> None:
        self._profiles.clear()
        self._words.clear()


def _typo_prefix(word: str) -> str:
    return word[: 3 if len(word) >= TYPO_LONG else 2]


# A key that is an exact alias scores 1.0; one that only matches after transliteration a bit less.
TRANSLITERATED_SCORE = 0.95


def typo_neighbours(
    view: GraphView, missing: Collection[str], cache: CandidateCache | None = None
) -> dict[str, str]:
    """Stored words one typo (two in long words) away from words that are in no name:
    {stored word: typed word}. One vocabulary call for all of them."""
    typos = [t for t in missing if len(t) >= TYPO_MIN_LENGTH and t.isalpha()]
    if not typos:
        return {}
    vocabulary = (cache or CandidateCache()).vocabulary(view, {_typo_prefix(t) for t in typos})
    near: dict[str, str] = {}
    for typo in typos:
        budget = 2 if len(typo) >= TYPO_TWO else 1
        words = vocabulary.get(_typo_prefix(typo), ())
        # One C-level pass over the vocabulary; hits come back as (word, edits, index).
        for word, _, _ in process.extract(
            typo, words, scorer=OSA.distance, score_cutoff=budget, limit=None
        ):
            near[word] = typo
    return near


def _df_key(token: str) -> str:
    return token.removeprefix("cjk:")


def _candidates(
    view: GraphView, text: str, exclude: Collection[str], cache: CandidateCache | None = None
) -> tuple[list[str], dict[str, int], set[str]]:
    """Candidate node ids for ``text``, best placed first, each query word's frequency, and the
    index words that selected them (typed, or a stored word one typo away)."""
    tokens = name_tokens(text)
    if not tokens:
        return [], {}, set()
    found = view.find_by_token(tokens, CANDIDATES_PER_TOKEN)
    df = {_df_key(t): len(ids) for t, ids in found.items()}
    typos = [t for t in tokens if t not in found]
    near = typo_neighbours(view, typos, cache)
    if near:
        for word, ids in view.find_by_token(near.keys(), CANDIDATES_PER_TOKEN).items():
            found[word] = ids
            df.setdefault(_df_key(near[word]), len(ids))
    placed: dict[str, float] = {}
    for _token, ids in found.items():
        weight = df_weight(len(ids))
        for node_id in ids:
            placed[node_id] = placed.get(node_id, 0.0) + weight
    for node_id in exclude:
        placed.pop(node_id, None)
    ranked = sorted(placed, key=lambda i: (-placed[i], i))
    return _cut(view, text, ranked, placed, cache), df, set(found)


def _cut(
    view: GraphView,
    text: str,
    ranked: list[str],
    placed: dict[str, float],
    cache: CandidateCache | None,
) -> list[str]:
    """The best-placed candidates. Those tied with the last of them are ordered by how close
    their names are to the typed text as a whole, not by id: an id order would drop a company
    for its name's place in the alphabet ("Huawei Technologies" behind forty other Huawei
    companies that share only the word "Huawei" with "Huawei Technologies Deutschland GmbH")."""
    if len(ranked) <= SCORED_CANDIDATES:
        return ranked
    last = placed[ranked[SCORED_CANDIDATES - 1]]
    head = [i for i in ranked if placed[i] > last]
    tied = [i for i in ranked if placed[i] == last]
    if len(tied) > TIE_BREAK_LIMIT:
        # A word hundreds of names share ties them all; reading every one to order them costs
        # more than the order is worth: keep the id order there.
        return ranked[:SCORED_CANDIDATES]
    profiles = (cache or CandidateCache()).profiles(view, tied)
    typed = fuzzy_key(text)

    def closeness(node_id: str) -> float:
        profile = profiles.get(node_id)
        if profile is None:
            return 0.0
        return max((fuzz.ratio(typed, fuzzy_key(name)) for name, _ in profile.names), default=0.0)

    tied.sort(key=lambda i: (-closeness(i), i))
    return (head + tied)[:SCORED_CANDIDATES]


def _names_to_score(profile: NameProfile, words: Collection[str]) -> list[str]:
    """Only the names that carry a selecting word can score; a person listed under twenty
    aliases is compared on the two that share a word with the query."""
    return [n for n, tokens in profile.names if not tokens.isdisjoint(words)] or [
        n for n, _ in profile.names
    ]


@dataclass(frozen=True)
class Scored:
    """What :func:`match_name` scores part by part for one typed name: the typed text, the
    query words' frequencies, and each candidate's names with whether it is a person's."""

    query: str
    df: dict[str, int]
    names: list[tuple[str, bool]]


def scored_names(view: GraphView, text: str, cache: CandidateCache | None = None) -> Scored:
    """The names ``match_name(view, text)`` scores, without scoring them (the bench times the
    scorers on them, a test holds the two scorers equal on them)."""
    text = as_typed(text)
    keys = name_keys(text)
    if not keys:
        return Scored(text, {}, [])
    exact = view.find_by_name_key(keys)
    cache = cache or CandidateCache()
    ids, df, words = _candidates(view, text, {i for k in keys for i in exact.get(k, [])}, cache)
    known = cache.profiles(view, ids)
    names: list[tuple[str, bool]] = []
    for node_id in ids:
        profile = known.get(node_id)
        if profile is not None:
            person = profile.kind is NodeKind.PERSON
            names += [(n, person) for n in _names_to_score(profile, words)]
    return Scored(text, df, names)


def match_name(
    view: GraphView,
    text: str,
    field: str = "name",
    kinds: Collection[NodeKind] | None = None,
    limit: int = 10,
    threshold: float | None = None,
    cache: CandidateCache | None = None,
) -> list[Match]:
    """Nodes whose name or alias matches ``text``, best first, each with its explanation.

    ``threshold`` defaults to the configured match threshold; 1.0 asks for exact keys only.
    ``cache`` keeps what is read of the store between calls (the resolver holds one).
    """
    if threshold is None:
        threshold = _threshold
    text = as_typed(text)
    keys = name_keys(text)
    if not keys:
        return []
    best: dict[str, tuple[float, str, NameMatchDetail]] = {}
    exact = view.find_by_name_key(keys)
    for key in keys:
        for node_id in exact.get(key, []):
            score = TRANSLITERATED_SCORE if key.isascii() and not text.isascii() else 1.0
            if score > best.get(node_id, (0.0,))[0]:
                how = "transliterated key" if score < 1.0 else "normalized key"
                detail = NameMatchDetail(name=key, method=how, features={"exact": score})
                best[node_id] = (score, key, detail)
    known: dict[str, NameProfile] = {}
    if threshold < 1.0:
        cache = cache or CandidateCache()
        ids, df, words = _candidates(view, text, best.keys(), cache)
        known = cache.profiles(view, ids)
        query = fast_scoring.typed(fast_scoring.prepare(text), df)
        for node_id in ids:
            profile = known.get(node_id)
            if profile is None or (kinds is not None and profile.kind not in kinds):
                continue
            person = profile.kind is NodeKind.PERSON
            names = _names_to_score(profile, words)
            # The first of the best-scored names, as max() picks it.
            top_score, top_name = max(
                (
                    (fast_scoring.score(query, fast_scoring.prepare(n, person), person), n)
                    for n in names
                ),
                key=lambda s: s[0],
            )
            if top_score >= threshold and top_score > best.get(node_id, (0.0,))[0]:
                # Only a kept match is explained: the reference scorer compares that one name
                # again, in full (the same score, with its pairs and features).
                explained = compare(query.name.name, analyze(top_name, person), df, person)
                best[node_id] = (top_score, top_name, NameMatchDetail.of(explained))
    exact_nodes = view.nodes([i for i in best if i not in known])
    found = {i: (n.name, n.kind) for i, n in exact_nodes.items()}
    found.update((i, (known[i].name, known[i].kind)) for i in best if i in known)
    matches = [
        Match(
            id=node_id,
            name=name,
            kind=kind.value,
            score=best[node_id][0],
            field=field,
            matched_on=best[node_id][1],
            detail=best[node_id][2],
        )
        for node_id, (name, kind) in found.items()
        if kinds is None or kind in kinds
    ]
    # Equal scores: the curated record first (it stands for its group), then by name.
    matches.sort(key=lambda m: (-m.score, not is_curated(m.id), m.name, m.id))
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
    """Product families whose ``pattern`` matches the model number, plus exact product names.

    A family match is weak evidence of its own (prefixes are shared and copied): its ``detail``
    says so, and the verdict engine never turns it into a plain ``yes``.
    """
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
                    detail=NameMatchDetail(
                        name=pattern,
                        method="model-number family",
                        features={"pattern": MODEL_PATTERN_SCORE},
                    ),
                    weak="the model number only fits a model-number family pattern",
                )
            )
    return matches
