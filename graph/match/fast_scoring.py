"""The matcher's scorer: :func:`name_scoring.compare`'s score, with the work moved out of the
candidate loop.

A matcher scores a typed name against twenty-odd candidate names, and the same stored names come
back question after question. What only depends on a stored name is worked out once and kept
with its analysis (:func:`prepare`, cached like :func:`name_scoring.analyze`): the parts that are
not legal forms, their texts, the legal-form words among them, their total weight. It is kept
small, since on a store of millions of names most candidates are met for the first time. What
depends on the typed name alone (each part's weight under the store's word frequencies, which
parts are mistyped legal forms, which may hold a typo) is worked out once per question
(:func:`typed`). What is left per candidate is the pairing itself.

Most of the time the pairing used to spend was in rigour's typo-aware comparison of the parts
left over after the exact, symbol and typo passes (``compare_parts``), called for nearly every
candidate although it pairs a part in under one call in a hundred. A pairing it finds only counts
when the joined forms are at least ``FUZZY_FORM_MIN`` alike as plain strings; a Levenshtein
distance is never below the longer string's length less the letters the two share, so that
needs some leftover query part with three quarters of its letters among the leftover known
parts' letters (and the same the other way round). Without one, the call cannot change the
score and is not made.

:func:`score` gives exactly the number ``compare(..., explain=False).score`` gives (the same
operations on the same floats, in the same order); ``compare`` stays the reference, explains the
matches the matcher keeps, and a test holds the two equal over the bench's labelled names.

The pairing passes themselves (equal text, symbol, typo, and the letter test before rigour's
comparison) run in C (``_pairing.c``, built at install) over each part's text, symbols and role
kept as plain tuples; :func:`_pair_py` is their Python twin, used where the module is missing,
and the same test holds the two equal step for step. The scores' arithmetic stays here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein
from rigour.names import compare_parts

from supplygraph.graph.match.name_scoring import (
    FUZZY_CEILING,
    FUZZY_FORM_MIN,
    FUZZY_PART_MIN,
    LEGAL_WORDS,
    MIN_EXPLAINED_WEIGHT,
    QUERY_SHARE_ORG,
    QUERY_SHARE_PERSON,
    TYPO_MIN,
    TYPO_SCORE,
    TYPO_TWO,
    UNEXPLAINED_CAP,
    AnalyzedName,
    Part,
    _legal_typo,
    analyze,
    df_weight,
)


class _Slot:
    """One part of a typed name with what the pairing asks of it (made once per question; the
    candidates' parts are used as analysed)."""

    __slots__ = ("df_key", "part", "role", "row", "text", "weight")

    def __init__(self, part: Part) -> None:
        text = part.text
        self.part = part
        self.text = text
        self.role = part.role
        self.weight = part.weight
        # A distinctive word long enough to look for one typo (two from TYPO_TWO letters) in.
        typo_ok = part.role == "distinctive" and len(text) >= TYPO_MIN and text.isalpha()
        typo_budget = (2 if len(text) >= TYPO_TWO else 1) if typo_ok else 0
        # The key of the query-word frequency table (rigour's form; the text without one).
        self.df_key = part.source.form if part.source is not None else text
        self.row: QueryRow = (text, part.symbols, part.role, typo_budget, _may_fuzz(part))


def _may_fuzz(part: Part) -> bool:
    """Whether a part may go to rigour's fuzzy comparison: it has rigour's part, not a number."""
    return part.source is not None and part.role != "number"


# What the pairing reads of a part, as plain tuples (the compiled pairing reads them without
# attribute look-ups): a typed name's part is (text, symbols, role, typo budget, may go to the
# fuzzy comparison); a known name's part is (text, symbols, role, may go to the fuzzy one).
QueryRow = tuple[str, frozenset[str], str, int, bool]
KnownRow = tuple[str, frozenset[str], str, bool]
# The similarity of a typo pairing by its distance (at most TYPO_TWO's budget of two).
TYPO_SIMS = tuple(round(1.0 - TYPO_SCORE * d, 3) for d in range(3))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A name's analysis with its scoring data worked out once."""

    name: AnalyzedName
    parts: tuple[Part, ...]  # the parts that are not legal forms
    texts: frozenset[str]  # their texts
    legal: frozenset[str]  # texts of parts that are legal-form words
    weight: float  # the parts' summed weight, in order (as the reference sums it)
    rows: tuple[KnownRow, ...]  # one per part


@lru_cache(maxsize=65536)
def prepare(text: str, person: bool = False) -> Prepared:
    """``analyze(text, person)`` with its scoring data (cached: stored names come back)."""
    return prepared(analyze(text, person))


def prepared(name: AnalyzedName) -> Prepared:
    parts = tuple(p for p in name.parts if p.role != "legal")
    texts = frozenset(p.text for p in parts)
    return Prepared(
        name=name,
        parts=parts,
        texts=texts,
        legal=texts & LEGAL_WORDS,
        weight=sum(p.weight for p in parts),
        rows=tuple((p.text, p.symbols, p.role, _may_fuzz(p)) for p in parts),
    )


@dataclass(frozen=True, slots=True)
class Typed:
    """A typed name ready to be scored against many candidates: its parts' weights with the
    query words' frequencies in the store, worked out once per question."""

    name: Prepared
    slots: tuple[_Slot, ...]  # one per part
    rows: tuple[QueryRow, ...]  # one per slot
    weights: tuple[float, ...]  # one per slot
    weight: float  # their sum, in order
    # Mistyped legal-form words ("copmany"), one flag per slot: asked of typed names only.
    legal_typos: tuple[bool, ...]
    any_legal_typo: bool


def typed(query: Prepared, df: Mapping[str, int] | None = None) -> Typed:
    slots = tuple(_Slot(p) for p in query.parts)
    weights = tuple(_query_weight(s, df) for s in slots)
    legal_typos = tuple(_legal_typo(p) for p in query.parts)
    rows = tuple(s.row for s in slots)
    return Typed(query, slots, rows, weights, sum(weights), legal_typos, any(legal_typos))


def score(query: Typed, known: Prepared, person: bool = False) -> float:
    """``compare(query.name.name, known.name, df, person, explain=False).score``, with ``df``
    the frequencies ``query`` was made with."""
    q_slots: Sequence[_Slot] = query.slots
    q_weights: Sequence[float] = query.weights
    q_total = query.weight
    k_slots: Sequence[Part] = known.parts
    k_total = known.weight
    q_rows: Sequence[QueryRow] = query.rows
    k_rows: Sequence[KnownRow] = known.rows
    q_name = query.name
    if (
        not q_name.name.cjk
        and not known.name.cjk
        and (q_name.legal or known.legal or query.any_legal_typo)
    ):
        # As the reference does: legal-form words pair when both sides have them and are
        # dropped when only one does; mistyped legal-form words in the query are dropped.
        q_only = q_name.legal - known.legal
        k_only = known.legal - q_name.legal
        if q_only or query.any_legal_typo:
            typos = query.legal_typos
            kept = [i for i, s in enumerate(q_slots) if s.text not in q_only and not typos[i]]
            if len(kept) < len(q_slots):
                q_slots = [q_slots[i] for i in kept]
                q_weights = [q_weights[i] for i in kept]
                q_total = sum(q_weights)
                q_rows = [s.row for s in q_slots]
        if k_only:
            k_slots = [s for s in k_slots if s.text not in k_only]
            k_total = sum(s.weight for s in k_slots)
            k_rows = [r for r in k_rows if r[0] not in k_only]
    if not q_slots or not k_slots:
        return 0.0
    q_sim, k_sim, fuzzy_q, fuzzy_k = pair_rows(
        q_rows, k_rows, known.texts, TYPO_SIMS, FUZZY_FORM_MIN
    )
    if fuzzy_q:
        _fuzzy(q_slots, fuzzy_q, k_slots, fuzzy_k, q_sim, k_sim)
    q_explained = sum(w * (q_sim[i] or 0.0) for i, w in enumerate(q_weights))
    k_explained = sum(s.weight * (k_sim[i] or 0.0) for i, s in enumerate(k_slots))
    query_coverage = q_explained / q_total if q_total else 0.0
    name_coverage = k_explained / k_total if k_total else 0.0
    share = QUERY_SHARE_PERSON if person else QUERY_SHARE_ORG
    result = min(FUZZY_CEILING, share * query_coverage + (1 - share) * name_coverage)
    if any(q_sim[i] is None and s.role != "place" for i, s in enumerate(q_slots)):
        result = min(result, UNEXPLAINED_CAP)
    complete = query_coverage >= 0.99 and name_coverage >= 0.99
    if q_explained < MIN_EXPLAINED_WEIGHT and not complete:
        result = min(result, UNEXPLAINED_CAP)
    return round(result, 3)


def _query_weight(slot: _Slot, df: Mapping[str, int] | None) -> float:
    """As ``name_scoring._query_weight``: a distinctive word counts less the more names carry
    it."""
    if slot.role == "distinctive" and df is not None:
        return slot.weight * df_weight(df.get(slot.df_key, 0))
    return slot.weight


def _paired(sims: list[float | None], i: int, sim: float) -> None:
    old = sims[i]
    sims[i] = sim if old is None else max(old, sim)


def _pair_py(
    query: Sequence[QueryRow],
    known: Sequence[KnownRow],
    known_texts: frozenset[str],
    typo_sims: tuple[float, ...],
    form_min: float,
) -> tuple[list[float | None], list[float | None], list[int], list[int]]:
    """Each part's best pairing similarity (None: paired with nothing), found as
    :func:`name_scoring._pair` finds its pairs: equal text, a shared symbol, one typo; then the
    parts left for rigour's fuzzy comparison (both lists empty when it cannot pair any, see the
    module docstring). ``known_texts`` holds at least the known parts' texts (a quick test
    before the search).

    Parts are tried in order and each takes the first free partner, as there; a part is paired
    at most once before the fuzzy pass, so its similarity is set rather than raised. The
    compiled ``_pairing.pair`` does the same steps; this is its reference."""
    q_sim: list[float | None] = [None] * len(query)
    k_sim: list[float | None] = [None] * len(known)
    k_left = list(range(len(known)))
    q_left: list[int] = []
    for qi, q in enumerate(query):
        text = q[0]
        if text in known_texts:
            for j, ki in enumerate(k_left):
                if known[ki][0] == text:
                    q_sim[qi] = k_sim[ki] = 1.0
                    del k_left[j]
                    break
            else:
                q_left.append(qi)
        else:
            q_left.append(qi)
    if not q_left:
        return q_sim, k_sim, [], []
    rest: list[int] = []
    for qi in q_left:
        q_text, q_symbols, q_role, _, _ = query[qi]
        if q_symbols and q_role != "number":
            for j, ki in enumerate(k_left):
                k = known[ki]
                if k[1] & q_symbols and k[2] == q_role:
                    q_sim[qi] = k_sim[ki] = 1.0
                    del k_left[j]
                    break
            else:
                rest.append(qi)
        else:
            rest.append(qi)
    q_left, rest = rest, []
    for qi in q_left:
        q_text, _, _, budget, _ = query[qi]
        best: tuple[int, int] | None = None
        if budget:
            for j, ki in enumerate(k_left):
                k_text, _, k_role, _ = known[ki]
                # The length difference is a lower bound of the distance: past the budget, the
                # distance cannot pair them.
                if k_role == "number" or abs(len(k_text) - len(q_text)) > budget:
                    continue
                d = OSA.distance(q_text, k_text, score_cutoff=budget)
                # The first of the nearest, as min() picks it there.
                if d <= budget and (best is None or d < best[0]):
                    best = (d, j)
        if best is None:
            rest.append(qi)
            continue
        dist, j = best
        q_sim[qi] = k_sim[k_left[j]] = typo_sims[dist]
        del k_left[j]
    fuzzy_q = [qi for qi in rest if query[qi][4]]
    fuzzy_k = [ki for ki in k_left if known[ki][3]]
    if fuzzy_q and fuzzy_k and _may_align(query, fuzzy_q, known, fuzzy_k, form_min):
        return q_sim, k_sim, fuzzy_q, fuzzy_k
    return q_sim, k_sim, [], []


def _may_align(
    query: Sequence[QueryRow],
    fuzzy_q: list[int],
    known: Sequence[KnownRow],
    fuzzy_k: list[int],
    form_min: float,
) -> bool:
    """Whether any leftover parts could be paired by rigour's comparison and pass the
    FUZZY_FORM_MIN check (see the module docstring): ``False`` only when none can."""
    k_letters = frozenset("".join(known[ki][0] for ki in fuzzy_k))
    if not any(_covered(query[qi][0], k_letters, form_min) for qi in fuzzy_q):
        return False
    q_letters = frozenset("".join(query[qi][0] for qi in fuzzy_q))
    return any(_covered(known[ki][0], q_letters, form_min) for ki in fuzzy_k)


def _covered(text: str, letters: frozenset[str], form_min: float) -> bool:
    """At least ``form_min`` of ``text``'s letters (counted with repeats) are in ``letters``."""
    absent = set(text).difference(letters)
    if not absent:
        return True
    size = len(text)
    # Each absent letter occurs at least once: too many of them settle it without counting.
    if size - len(absent) < form_min * size:
        return False
    return size - sum(text.count(ch) for ch in absent) >= form_min * size


PairRows = Callable[
    [Sequence[QueryRow], Sequence[KnownRow], frozenset[str], tuple[float, ...], float],
    tuple[list[float | None], list[float | None], list[int], list[int]],
]

# The compiled pairing when the extension was built (pip builds it at install, with the C
# compiler PyICU needs anyway); the Python twin otherwise, with the same results.
try:
    from supplygraph.graph.match._pairing import pair as _compiled_pair
except ImportError:  # a source tree run without building
    COMPILED = False
    pair_rows: PairRows = _pair_py
else:
    COMPILED = True
    pair_rows = _compiled_pair


def _fuzzy(
    query: Sequence[_Slot],
    fuzzy_q: list[int],
    known: Sequence[Part],
    fuzzy_k: list[int],
    q_sim: list[float | None],
    k_sim: list[float | None],
) -> None:
    by_source_q = {id(query[qi].part.source): qi for qi in fuzzy_q}
    by_source_k = {id(known[ki].source): ki for ki in fuzzy_k}
    sources_q = [query[qi].part.source for qi in fuzzy_q]
    sources_k = [known[ki].source for ki in fuzzy_k]
    for alignment in compare_parts(
        [s for s in sources_q if s is not None], [s for s in sources_k if s is not None]
    ):
        if not alignment.qps or not alignment.rps or alignment.score < FUZZY_PART_MIN:
            continue
        qs = [by_source_q[id(p)] for p in alignment.qps if id(p) in by_source_q]
        ks = [by_source_k[id(p)] for p in alignment.rps if id(p) in by_source_k]
        if not qs or not ks:
            continue
        joined_q = "".join(query[qi].text for qi in qs)
        joined_k = "".join(known[ki].text for ki in ks)
        if Levenshtein.normalized_similarity(joined_q, joined_k) < FUZZY_FORM_MIN:
            continue
        sim = round(alignment.score, 3)
        for qi in qs:
            _paired(q_sim, qi, sim)
            _paired(k_sim, ks[0], sim)
        for ki in ks[1:]:
            _paired(q_sim, qs[0], sim)
            _paired(k_sim, ki, sim)
