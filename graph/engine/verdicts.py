"""Ranking evidence paths and turning the best one into a verdict (one rule for every caller).

A path scores the match's score times its weakest link's confidence. A path is *strong* when the
match is not weak evidence on its own (a model-number family) and every link is strong
(:mod:`supplygraph.graph.model.evidence`). Strong paths rank before weak ones whatever their scores,
so a single grade-C blog can never outrank a registry fact; then higher scores, then shorter paths.
The verdict is ``yes`` when the best path is strong, ``possible`` when it is weak (or when no path
reaches the match but the group holds a significant stake in it or it carries a distinctive group
name: :mod:`supplygraph.graph.engine.relatedness`), ``no`` when the query matched something no
path reaches and nothing else ties it to the group, ``unknown`` when it matched nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supplygraph.graph.engine.reach import Reach
from supplygraph.graph.model.answers import Match, Verdict, WeakLink
from supplygraph.graph.model.evidence import policy
from supplygraph.graph.model.records import Edge


@dataclass(frozen=True, slots=True)
class ScoredPath:
    score: float
    match: Match
    path: tuple[Edge, ...]
    weak: tuple[WeakLink, ...]

    @property
    def strong(self) -> bool:
        return not self.weak

    def rank(self) -> tuple[bool, float, int]:
        """Sort key, smallest first: strong before weak, then score, then length."""
        return (not self.strong, -self.score, len(self.path))


def score_path(match: Match, path: Iterable[Edge]) -> ScoredPath:
    edges = tuple(path)
    weakest = min((e.confidence for e in edges), default=1.0)
    weak = [
        WeakLink(from_=e.src, to=e.dst, relation=e.relation.value, reason=why)
        for e, why in policy().weak_links(edges)
    ]
    if match.weak:
        weak.insert(0, WeakLink(from_=None, to=match.id, relation=None, reason=match.weak))
    return ScoredPath(match.score * weakest, match, edges, tuple(weak))


def rank_paths(matches: Iterable[Match], reach: Reach, limit: int) -> list[ScoredPath]:
    """Every match's evidence paths from the target, best first, at most ``limit``."""
    scored = [score_path(m, p) for m in matches for p in reach.evidence_paths(m.id, limit)]
    scored.sort(key=ScoredPath.rank)
    return scored[:limit]


def verdict_of(best: ScoredPath | None, matched: bool, related: bool = False) -> Verdict:
    """``related``: no path, but a significant stake or name affinity (see relatedness)."""
    if best is not None:
        return "yes" if best.strong else "possible"
    if related:
        return "possible"
    return "no" if matched else "unknown"
