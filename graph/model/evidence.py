"""How strong one link of evidence is: the rule behind ``yes`` versus ``possible``.

A link is **strong** when at least one of its sources is graded A (primary: registries, official
lists, filings) or B (reputable press and research) and its confidence reaches
``min_confidence``; otherwise it is **weak** (grade-C-only hints, allegations, low-confidence
links). A verdict is ``yes`` only along a path that is strong end to end; a path with a weak link
gives ``possible`` and names that link. The same rule decides whether a regime is ``covered``.

The thresholds are settings (``SUPPLYGRAPH_STRONG_MIN_CONFIDENCE``,
``SUPPLYGRAPH_STRONG_GRADES``), applied once at start with :func:`configure`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from supplygraph.graph.model.records import Edge

Strength = Literal["strong", "weak"]

DEFAULT_MIN_CONFIDENCE = 0.5
DEFAULT_STRONG_GRADES = frozenset({"A", "B"})


@dataclass(frozen=True)
class EvidencePolicy:
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    strong_grades: frozenset[str] = DEFAULT_STRONG_GRADES

    def weakness(self, edge: Edge) -> str | None:
        """Why ``edge`` is weak, or None when it is strong.

        >>> from supplygraph.graph.model.records import Relation, SourceRef
        >>> src = SourceRef(id="s", title="blog", grade="C")
        >>> e = Edge(id="e", src="a", dst="b", relation=Relation.OWNS, confidence=0.3,
        ...          sources=(src,))
        >>> EvidencePolicy().weakness(e)
        'only grade C sources; confidence 0.3 below 0.5'
        """
        reasons = []
        grades = {s.grade for s in edge.sources}
        if not grades & self.strong_grades:
            named = sorted(g or "ungraded" for g in grades)
            reasons.append(f"only grade {'/'.join(named)} sources")
        if edge.confidence < self.min_confidence:
            reasons.append(f"confidence {edge.confidence:g} below {self.min_confidence:g}")
        return "; ".join(reasons) or None

    def weak_links(self, path: Iterable[Edge]) -> list[tuple[Edge, str]]:
        return [(e, why) for e in path if (why := self.weakness(e)) is not None]


_policy = EvidencePolicy()


def policy() -> EvidencePolicy:
    """The policy in force (set once at start from the settings)."""
    return _policy


def configure(min_confidence: float, strong_grades: Iterable[str]) -> EvidencePolicy:
    """Set the policy in force; the service calls this once when it opens a store."""
    global _policy
    grades = frozenset(g.strip().upper() for g in strong_grades if g.strip())
    _policy = EvidencePolicy(min_confidence=min_confidence, strong_grades=grades)
    return _policy
