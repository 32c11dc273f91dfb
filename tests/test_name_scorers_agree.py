"""The matcher's scorer (fast_scoring) gives the reference scorer's (name_scoring.compare) exact
score on every candidate name the matcher scores for the bench's labelled and unheld names, and
its compiled pairing (_pairing.c) gives what its Python twin gives, step for step."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from conftest import TEST_DATA
from rapidfuzz.distance import OSA

from supplygraph.bench.names import negatives, positives
from supplygraph.graph.match import _pairing, fast_scoring
from supplygraph.graph.match.fast_scoring import TYPO_SIMS
from supplygraph.graph.match.matcher import CandidateCache, scored_names
from supplygraph.graph.match.name_scoring import FUZZY_FORM_MIN, analyze, compare
from supplygraph.graph.store.backends import open_store
from supplygraph.loaders.ingest import load_file


def test_fast_scores_equal_the_reference_on_the_bench_names(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'sdn.db'}")
    try:
        load_file(store, TEST_DATA / "ofac-sdn-legacy" / "sdn.csv")
        view = store.view()
        queries = [item.query for item in positives(view, 1500)] + negatives(view, 500)
        cache = CandidateCache()
        checked = left_for_fuzzy = 0
        how: Counter[str] = Counter()
        for text in queries:
            scored = scored_names(view, text, cache)
            query = analyze(scored.query)
            typed = fast_scoring.typed(fast_scoring.prepare(scored.query), scored.df)
            for name, person in scored.names:
                known = analyze(name, person)
                reference = compare(query, known, scored.df, person)
                prepared = fast_scoring.prepare(name, person)
                fast = fast_scoring.score(typed, prepared, person)
                # Exact equality: the matcher's threshold and order read these numbers.
                assert fast == reference.score, (text, name, person)
                # The compiled pairing and its Python twin, on the same rows: every similarity
                # and the parts left for the fuzzy pass.
                args = (typed.rows, prepared.rows, prepared.texts, TYPO_SIMS, FUZZY_FORM_MIN)
                compiled = _pairing.pair(*args)
                assert compiled == fast_scoring._pair_py(*args), (text, name, person)
                left_for_fuzzy += bool(compiled[2])
                how.update(pair.how for pair in reference.pairs)
                checked += 1
    finally:
        store.close()
    assert checked > 20_000
    # The matcher runs the compiled pairing (pip builds it at install).
    assert fast_scoring.pair_rows is _pairing.pair
    # Both ways out of the pairing were taken: to rigour's fuzzy comparison and past it.
    assert 0 < left_for_fuzzy < checked
    # Every pass of the pairing was exercised, rigour's fuzzy one included.
    assert {"exact", "symbol", "typo", "fuzzy"} <= set(how)


def test_the_fuzzy_pass_still_pairs_what_only_it_can() -> None:
    # A split word pairs through rigour's comparison only; the shortcut must let it through.
    query = fast_scoring.typed(fast_scoring.prepare("Hik Vision Digital"))
    known = fast_scoring.prepare("Hikvision Digital Technology")
    want = compare(analyze("Hik Vision Digital"), analyze("Hikvision Digital Technology"))
    assert [p.how for p in want.pairs if p.name == "hikvision"] == ["fuzzy", "fuzzy"]
    assert fast_scoring.score(query, known) == want.score == 0.943


def _query_row(
    text: str, budget: int = 2, symbols: frozenset[str] = frozenset()
) -> tuple[str, frozenset[str], str, int, bool]:
    return (text, symbols, "distinctive", budget, True)


def _known_row(
    text: str, role: str = "distinctive", symbols: frozenset[str] = frozenset()
) -> tuple[str, frozenset[str], str, bool]:
    return (text, symbols, role, role != "number")


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("hikvsion", "hikvision"),  # a swapped pair of letters: one step for OSA
        ("hikvision", "hikvisoin"),
        ("dahau", "dahua"),
        ("technolgy", "technology"),
        ("uniview", "univiewx"),
        ("ab" * 40, "ab" * 39 + "ba"),  # longer than the inline buffer: the heap path
        ("ba" + "x" * 70, "ab" + "x" * 70),
        ("zhejiang", "zhejaing"),
        ("müller", "mueller"),  # beyond ASCII
        ("海康威视数字", "海康威视数宇"),
        ("𝔥𝔦𝔨𝔳𝔦𝔰𝔦𝔬𝔫", "𝔥𝔦𝔨𝔳𝔦𝔰𝔦𝔬𝔫𝔰"),  # outside the basic plane
    ],
)
def test_compiled_typo_pass_measures_as_rapidfuzz(typed: str, known: str) -> None:
    # A typo pairs exactly when rapidfuzz's OSA distance is within the budget, at its score.
    for budget in (1, 2):
        args = ([_query_row(typed, budget)], [_known_row(known)], frozenset({known}))
        got = _pairing.pair(*args, TYPO_SIMS, FUZZY_FORM_MIN)
        assert got == fast_scoring._pair_py(*args, TYPO_SIMS, FUZZY_FORM_MIN)
        distance = OSA.distance(typed, known)
        want = TYPO_SIMS[distance] if distance <= budget else None
        assert got[0] == [want], (typed, known, budget, distance)


def test_compiled_pairing_follows_the_reference_order() -> None:
    # Exact text first, then a shared symbol of the same role, then the nearest typo (the first
    # of equals), numbers never by typo; what is left goes to the fuzzy pass only when its
    # letters allow it.
    query = [
        _query_row("hikvision"),
        _query_row("co", symbols=frozenset({"SYMBOL:CO"})),
        _query_row("digitel", budget=1),
        _query_row("12345", budget=1),
        _query_row("vision", budget=0),
    ]
    known = [
        _known_row("digital"),
        _known_row("company", symbols=frozenset({"SYMBOL:CO"})),
        _known_row("12346", role="number"),
        _known_row("hikvision"),
        _known_row("digitol"),
        _known_row("visionar"),
    ]
    texts = frozenset(r[0] for r in known)
    args = (query, known, texts, TYPO_SIMS, FUZZY_FORM_MIN)
    got = _pairing.pair(*args)
    assert got == fast_scoring._pair_py(*args)
    q_sim, k_sim, fuzzy_q, fuzzy_k = got
    assert q_sim == [1.0, 1.0, TYPO_SIMS[1], None, None]
    assert k_sim == [TYPO_SIMS[1], 1.0, None, 1.0, None, None]
    assert (fuzzy_q, fuzzy_k) == ([3, 4], [4, 5])
    # Nothing in common by letters: no fuzzy pass.
    apart = ([_query_row("qqqq", budget=0)], [_known_row("zzzz")], frozenset({"zzzz"}))
    assert _pairing.pair(*apart, TYPO_SIMS, FUZZY_FORM_MIN)[2:] == ([], [])


def test_compiled_pairing_refuses_malformed_rows() -> None:
    with pytest.raises(TypeError):
        _pairing.pair([("a", frozenset(), "distinctive")], [], frozenset(), TYPO_SIMS, 0.75)
    with pytest.raises(TypeError):
        _pairing.pair([], [(1, frozenset(), "distinctive", True)], frozenset(), TYPO_SIMS, 0.75)
    with pytest.raises(TypeError):
        _pairing.pair([], [], {"not frozen"}, TYPO_SIMS, 0.75)
