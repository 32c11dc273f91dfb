"""The matcher's scorer (fast_scoring) gives the reference scorer's (name_scoring.compare) exact
score on every candidate name the matcher scores for the bench's labelled and unheld names."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import TEST_DATA

from supplygraph.bench.names import negatives, positives
from supplygraph.graph.match import fast_scoring
from supplygraph.graph.match.matcher import CandidateCache, scored_names
from supplygraph.graph.match.name_scoring import analyze, compare
from supplygraph.graph.store.backends import open_store
from supplygraph.loaders.ingest import load_file


def test_fast_scores_equal_the_reference_on_the_bench_names(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'sdn.db'}")
    try:
        load_file(store, TEST_DATA / "ofac-sdn-legacy" / "sdn.csv")
        view = store.view()
        queries = [item.query for item in positives(view, 1500)] + negatives(view, 500)
        cache = CandidateCache()
        checked = 0
        how: Counter[str] = Counter()
        for text in queries:
            scored = scored_names(view, text, cache)
            query = analyze(scored.query)
            typed = fast_scoring.typed(fast_scoring.prepare(scored.query), scored.df)
            for name, person in scored.names:
                known = analyze(name, person)
                reference = compare(query, known, scored.df, person)
                fast = fast_scoring.score(typed, fast_scoring.prepare(name, person), person)
                # Exact equality: the matcher's threshold and order read these numbers.
                assert fast == reference.score, (text, name, person)
                how.update(pair.how for pair in reference.pairs)
                checked += 1
    finally:
        store.close()
    assert checked > 20_000
    # Every pass of the pairing was exercised, rigour's fuzzy one included.
    assert {"exact", "symbol", "typo", "fuzzy"} <= set(how)


def test_the_fuzzy_pass_still_pairs_what_only_it_can() -> None:
    # A split word pairs through rigour's comparison only; the shortcut must let it through.
    query = fast_scoring.typed(fast_scoring.prepare("Hik Vision Digital"))
    known = fast_scoring.prepare("Hikvision Digital Technology")
    want = compare(analyze("Hik Vision Digital"), analyze("Hikvision Digital Technology"))
    assert [p.how for p in want.pairs if p.name == "hikvision"] == ["fuzzy", "fuzzy"]
    assert fast_scoring.score(query, known) == want.score == 0.943
