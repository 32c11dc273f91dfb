"""What every rule family shares: the regime's calendar (not in force, suspended), the
designations on its lists, the wording of reasons, and the verdict record."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import networkx as nx

from supplygraph.graph.engine.rulebook import Period, Regime, RuleBook
from supplygraph.graph.engine.upstream import MAX_DEPTH, Upstream
from supplygraph.graph.model.answers import RegimeOut, RegimeVerdict, Step
from supplygraph.graph.model.records import Designation, Edge, Relation, SourceRef

MAX_PATHS = 10


# -- small helpers --------------------------------------------------------------------------
def pct(x: float) -> str:
    return f"{round(x, 4):g}%"


def listing_text(d: Designation, label: str) -> str:
    since = f" since {d.start_date.isoformat()}" if d.start_date else ""
    return f"{label}{since}"


def dedupe(sources: Iterable[SourceRef]) -> list[SourceRef]:
    out: dict[tuple[str, str | None], SourceRef] = {}
    for s in sources:
        out.setdefault((s.id, s.quote), s)
    return list(out.values())


_VERBS = {
    Relation.OWNS: "owns",
    Relation.CONTROLS: "controls",
    Relation.OWNS_BRAND: "owns the brand",
    Relation.MANUFACTURES_FOR: "makes products for",
    Relation.ASSIGNED: "was assigned",
    Relation.SAME_AS: "is recorded as",
}


def chain_text(up: Upstream, down_edges: list[tuple[str, str, Edge]]) -> str:
    """'A owns 100% of B, which owns the brand C' along edges in top-down order."""
    if not down_edges:
        return ""
    text = up.name(down_edges[0][0])
    for i, (_, b, e) in enumerate(down_edges):
        if e.relation is Relation.MODEL_OF:
            verb = "has the model"
        elif e.relation is Relation.OWNS and e.share is not None:
            verb = f"owns {pct(e.share)} of"
        else:
            verb = _VERBS.get(e.relation, e.relation.value)
        text += f"{' ' if i == 0 else ', which '}{verb} {up.name(b)}"
    return text


def full_stop(text: str) -> str:
    """End a sentence once: names often end in "Ltd." or "Inc." already."""
    return text if text.endswith(".") else f"{text}."


class Evaluation:
    """One regime on one upstream neighbourhood; a subclass per rule family gives the verdict
    while the regime is in force (:meth:`verdict`)."""

    def __init__(self, rule: Regime, book: RuleBook, up: Upstream) -> None:
        self.rule = rule
        self.book = book
        self.up = up
        self.clusters = up.same_as()
        self.root_name = up.name(up.root)

    def active(self, node_id: str) -> list[Designation]:
        """Designations of the node (or a SAME_AS record of it) on the rule's lists, that day."""
        return [
            d
            for member in sorted(self.clusters.get(node_id, {node_id}))
            for d in self.up.designations.get(member, [])
            if d.list_id in self.rule.lists and d.active_on(self.up.day)
        ]

    def inactive(self, node_id: str) -> list[Designation]:
        return [
            d
            for d in self.up.designations.get(node_id, [])
            if d.list_id in self.rule.lists and not d.active_on(self.up.day)
        ]

    def label(self, d: Designation) -> str:
        return self.rule.lists.get(d.list_id, d.list_id)

    def out(
        self,
        verdict: RegimeVerdict,
        reason: str,
        paths: list[list[Edge]] | None = None,
        designations: Iterable[Designation] = (),
        missing: list[str] | None = None,
        extra: Iterable[SourceRef] = (),
    ) -> RegimeOut:
        sources = [*self.book.source_refs(self.rule.sources), *extra]
        sources += [s for d in designations for s in d.sources]
        return RegimeOut(
            regime=self.rule.id,
            name=self.rule.name,
            verdict=verdict,
            reason=reason,
            missing=missing or [],
            paths=[[Step.of(e, self.up.names) for e in p] for p in (paths or [])[:MAX_PATHS]],
            sources=dedupe(sources),
        )

    def depth_note(self) -> str:
        if self.up.truncated:
            return f" The chain was cut at depth {MAX_DEPTH}; parties above it were not checked."
        return ""

    def verdict(self) -> RegimeOut:
        """The verdict of the rule family on the day, the regime taken to be in force."""
        raise NotImplementedError

    # -- entry point ------------------------------------------------------------------------
    def run(self) -> RegimeOut:
        status, period = self.rule.status(self.up.day)
        if status == "not_in_force" and period is not None:
            return self._not_in_force(period)
        result = self.verdict()
        if status == "suspended" and period is not None:
            return self._suspended(period, result)
        if period is not None:
            result.sources = dedupe([*result.sources, *self.book.source_refs(period.sources)])
        return result

    def _not_in_force(self, period: Period) -> RegimeOut:
        cite = f" ({period.citation})" if period.citation else ""
        when = (
            f"takes effect on {period.start.isoformat()}"
            if self.up.day < period.start
            else f"ceased to apply on {period.end.isoformat() if period.end else '?'}"
        )
        return self.out(
            "not_covered",
            f"{self.rule.name} is not in force on {self.up.day.isoformat()}: it {when}{cite}. "
            f"It therefore does not apply to {self.root_name} on that day.",
            extra=self.book.source_refs(period.sources),
        )

    def _suspended(self, period: Period, would: RegimeOut) -> RegimeOut:
        cite = f" ({period.citation})" if period.citation else ""
        # Periods are half-open; people read "through" the last day.
        end = f" through {(period.end - timedelta(days=1)).isoformat()}" if period.end else ""
        if would.verdict == "covered":
            hypo = f" Were it in force, {self.root_name} would be covered: {would.reason}"
        elif would.verdict == "unknown":
            hypo = f" Were it in force, the answer would be unknown: {would.reason}"
        else:
            hypo = ""
        return RegimeOut(
            regime=would.regime,
            name=would.name,
            verdict="not_covered",
            reason=f"{self.rule.name} is suspended from {period.start.isoformat()}{end}{cite}, "
            f"so it does not apply to {self.root_name} on {self.up.day.isoformat()}.{hypo}",
            missing=[],
            paths=would.paths,
            sources=dedupe([*would.sources, *self.book.source_refs(period.sources)]),
        )

    def chains_to_root(
        self, sources: Iterable[str]
    ) -> list[tuple[str, list[tuple[str, str, Edge]]]]:
        """Shortest chains from each of ``sources`` down to the root, shortest first."""
        g = self.up.down_graph()
        out: list[tuple[str, list[tuple[str, str, Edge]]]] = []
        for s in sorted(sources):
            if s not in g:
                continue
            try:
                hops = nx.shortest_path(g, s, self.up.root)
            except nx.NetworkXNoPath:
                continue
            out.append(
                (s, [(a, b, g.edges[a, b]["edge"]) for a, b in zip(hops, hops[1:], strict=False)])
            )
        out.sort(key=lambda t: (len(t[1]), t[0]))
        return out
