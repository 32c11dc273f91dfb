"""``name_score_us``: what scoring one candidate name costs the matcher.

The candidates are the ones :func:`match_name` scores for the labelled and unheld names of the
``name_recall_at_1`` set (:func:`scored_names` lists them), every analysis already made (a
stored name is analysed once and kept; what that costs on first sight is in the note). The
matcher's scorer (:mod:`~supplygraph.graph.match.fast_scoring`) stands next to the reference it
must agree with (:func:`~supplygraph.graph.match.name_scoring.compare`, as the matcher called it
before) on the same candidates in the same run; scores that differ anywhere make the figure
"not measured", with the count.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from supplygraph.graph.match import fast_scoring
from supplygraph.graph.match.matcher import CandidateCache, Scored, scored_names
from supplygraph.graph.match.name_scoring import analyze, compare
from supplygraph.graph.store.protocol import GraphView

from .figures import Figure, not_measured

NAME = "name_score_us"
UNIT = "us per candidate"
BASELINE = "reference part-by-part scorer (name_scoring.compare), same candidates"
GOAL = "the reference's scores exactly; reported"
ROUNDS = 5


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def figure(view: GraphView, queries: list[str]) -> Figure:
    cache = CandidateCache()
    asked = [s for s in (scored_names(view, q, cache) for q in queries) if s.names]
    pairs = sum(len(s.names) for s in asked)
    if not pairs:
        return not_measured(NAME, UNIT, BASELINE, GOAL, "no candidate names to score")

    def reference() -> list[float]:
        return [
            compare(analyze(s.query), analyze(n, person), s.df, person, explain=False).score
            for s in asked
            for n, person in s.names
        ]

    def fast() -> list[float]:
        out: list[float] = []
        for s in asked:
            query = fast_scoring.typed(fast_scoring.prepare(s.query), s.df)
            out += [
                fast_scoring.score(query, fast_scoring.prepare(n, person), person)
                for n, person in s.names
            ]
        return out

    def twin() -> list[float]:
        """``fast`` with the pairing's Python twin in place of the compiled one."""
        compiled = fast_scoring.pair_rows
        fast_scoring.pair_rows = fast_scoring._pair_py
        try:
            return fast()
        finally:
            fast_scoring.pair_rows = compiled

    wanted, got = reference(), fast()  # also makes every analysis
    differ = sum(a != b for a, b in zip(wanted, got, strict=True))
    differ += sum(a != b for a, b in zip(wanted, twin(), strict=True))
    if differ:
        why = f"the scorers disagree on {differ} of {pairs} candidate names"
        return not_measured(NAME, UNIT, BASELINE, GOAL, why)
    # Alternating rounds, so that a busy machine weighs on all alike.
    ours: list[float] = []
    theirs: list[float] = []
    python: list[float] = []
    for _ in range(ROUNDS):
        theirs.append(_seconds(reference))
        ours.append(_seconds(fast))
        python.append(_seconds(twin))
    how = "compiled pairing (_pairing.c)" if fast_scoring.COMPILED else "Python pairing only"
    return Figure(
        NAME,
        statistics.median(ours) / pairs * 1e6,
        UNIT,
        BASELINE,
        statistics.median(theirs) / pairs * 1e6,
        goal=GOAL,
        note=(
            f"{pairs:,} candidate names of {len(asked):,} typed names on the OFAC SDN store, "
            f"identical scores; {how}; with the pairing's Python twin "
            f"{statistics.median(python) / pairs * 1e6:.1f} us; a stored name's first analysis "
            f"{_analysis_us(asked):.0f} us, once (then kept)"
        ),
    )


def _analysis_us(asked: list[Scored]) -> float:
    """Microseconds to analyse and prepare one stored name seen for the first time."""
    distinct = list(dict.fromkeys(n for s in asked for n in s.names))
    uncached = analyze.__wrapped__
    seconds = _seconds(
        lambda: [fast_scoring.prepared(uncached(n, person)) for n, person in distinct]
    )
    return seconds / len(distinct) * 1e6
