"""Regulation verdicts: does rule X apply to this entity on day D, and why?

Each regime in the rule calendar (``seed_data/rules.yaml``, see
:mod:`supplygraph.graph.engine.rulebook`) is one of four kinds, evaluated on the entity's upstream
neighbourhood (collected once per entity and day, one batched store call per hop and direction):

``ownership_50`` (``ofac-50``, ``bis-affiliates``)
    Covered when parties designated on the regime's lists own 50% or more, directly or
    indirectly, individually or in the aggregate. "Indirectly" is OFAC's reading in FAQ 401
    (https://ofac.treasury.gov/faqs/401): an entity that is itself 50%-owned by blocked persons
    is blocked, and its *whole* stake counts at the next level (X owns 50% of A, A owns 50% of B:
    B is blocked; it is not "25%"). So this is a fixpoint over the ownership graph, not the
    product-of-shares arithmetic of :mod:`supplygraph.graph.engine.ownership`. Only ownership
    counts, never control (FAQ 398, https://ofac.treasury.gov/faqs/398). The BIS Affiliates Rule (90
    FR 47201, effective 2025-09-29) adopts the same test for Entity List and MEU List parties and
    certain SDNs; it was suspended from 2025-11-10 through 2026-11-09 (90 FR 50857). Those dates are
    data.
``listing`` (``us-entity-list``, ``us-ofac-ns-cmic``, ``us-dod-1260h``)
    The entity itself (or a record linked to it by SAME_AS) is designated on the day asked.
``affiliates`` (``ndaa-889``, ``fcc-covered``)
    NDAA FY2019 section 889 as implemented in FAR 52.204-25 names companies "or any subsidiary
    or affiliate"; the FCC Covered List (Secure Networks Act; FCC 22-84 on equipment
    authorization) does likewise. No percentage: covered when the entity is named, is owned or
    controlled by a named company (any share), or the brand/product/identifier is made by or
    assigned to one (OWNS_BRAND, MANUFACTURES_FOR, ASSIGNED, MODEL_OF).
``ica_order`` (``ca-ica-2025``)
    Canada's Investment Canada Act order of 27 June 2025 against Hikvision Canada Inc., scoped
    as the government's statement says: the order reaches the named company only ("does not
    extend to Hikvision's affiliate operations outside of Canada"), while federal bodies are
    not to use or purchase Hikvision equipment, so Hikvision's brands and products are covered.

Every verdict carries a one-paragraph ``reason``, evidence ``paths`` (steps with their sources)
and the rule's own ``sources``; ``unknown`` names the missing data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import networkx as nx

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.reach import counts_as_downstream
from supplygraph.graph.engine.rulebook import Period, Regime, RuleBook, default_rules
from supplygraph.graph.engine.upstream import (
    MAX_DEPTH,
    NON_ENTITY_KINDS,
    STAKE_RELATIONS,
    Upstream,
    collect_upstream,
    collect_upstream_many,
)
from supplygraph.graph.model.answers import (
    EntityRef,
    RegimeOut,
    RegimesResult,
    RegimeVerdict,
    Step,
)
from supplygraph.graph.model.records import (
    Designation,
    Edge,
    Relation,
    SourceRef,
)
from supplygraph.graph.store.protocol import GraphView

MAX_PATHS = 10
EPSILON = 1e-9  # shares are floats: 30 + 20 must reach a 50 threshold


# -- small helpers --------------------------------------------------------------------------
def _pct(x: float) -> str:
    return f"{round(x, 4):g}%"


def _listing_text(d: Designation, label: str) -> str:
    since = f" since {d.start_date.isoformat()}" if d.start_date else ""
    return f"{label}{since}"


def _dedupe(sources: Iterable[SourceRef]) -> list[SourceRef]:
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


def _chain(up: Upstream, down_edges: list[tuple[str, str, Edge]]) -> str:
    """'A owns 100% of B, which owns the brand C' along edges in top-down order."""
    if not down_edges:
        return ""
    text = up.name(down_edges[0][0])
    for i, (_, b, e) in enumerate(down_edges):
        if e.relation is Relation.MODEL_OF:
            verb = "has the model"
        elif e.relation is Relation.OWNS and e.share is not None:
            verb = f"owns {_pct(e.share)} of"
        else:
            verb = _VERBS.get(e.relation, e.relation.value)
        text += f"{' ' if i == 0 else ', which '}{verb} {up.name(b)}"
    return text


def _stop(text: str) -> str:
    """End a sentence once: names often end in "Ltd." or "Inc." already."""
    return text if text.endswith(".") else f"{text}."


Stake = tuple[str, float | None, float | None, Edge]  # owner, low share, high share, edge


def _held_together(
    stakes: dict[str, list[Stake]],
    seeds: Iterable[str],
    threshold: float,
    share: Callable[[float | None, float | None], float | None],
) -> dict[str, list[tuple[str, float, Edge]]]:
    """The seeds, and every entity whose stakes held by members of the set reach ``threshold``
    together (each stake counted as ``share(low, high)``, None not counted), repeated until
    nothing joins: OFAC's aggregation through entities that are themselves covered. Each
    member maps to the stakes that brought it in (none for a seed)."""
    members: dict[str, list[tuple[str, float, Edge]]] = {n: [] for n in seeds}
    changed = True
    while changed:
        changed = False
        for held_entity, held in stakes.items():
            if held_entity in members:
                continue
            counted = [
                (owner, counted_share, edge)
                for owner, low, high, edge in held
                if owner in members and (counted_share := share(low, high)) is not None
            ]
            if sum(s for _, s, _ in counted) >= threshold - EPSILON:
                members[held_entity] = counted
                changed = True
    return members


class _Evaluation:
    """One regime on one upstream neighbourhood."""

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
            sources=_dedupe(sources),
        )

    def depth_note(self) -> str:
        if self.up.truncated:
            return f" The chain was cut at depth {MAX_DEPTH}; parties above it were not checked."
        return ""

    # -- entry point ------------------------------------------------------------------------
    def run(self) -> RegimeOut:
        status, period = self.rule.status(self.up.day)
        if status == "not_in_force" and period is not None:
            return self._not_in_force(period)
        if self.rule.kind == "ownership_50":
            result = self.ownership_50()
        elif self.rule.kind == "listing":
            result = self.listing()
        elif self.rule.kind == "affiliates":
            result = self.affiliates()
        else:
            result = self.ica_order()
        if status == "suspended" and period is not None:
            return self._suspended(period, result)
        if period is not None:
            result.sources = _dedupe([*result.sources, *self.book.source_refs(period.sources)])
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
            sources=_dedupe([*would.sources, *self.book.source_refs(period.sources)]),
        )

    # -- ownership_50 -------------------------------------------------------------------------
    def ownership_50(self) -> RegimeOut:
        up, rule = self.up, self.rule
        seeds = {n: ds for n in up.nodes if (ds := self.active(n))}
        stakes: dict[str, list[Stake]] = {}
        for e in up.edges:
            if e.relation in STAKE_RELATIONS:
                lo, hi = (100.0, 100.0) if e.relation is Relation.OWNS_BRAND else e.share_bounds
                stakes.setdefault(e.dst, []).append((e.src, lo, hi, e))

        # Least fixpoints, so a cross-holding cannot block itself: `definite` with the low
        # bounds of known shares, `possible` with the high bounds (an unknown share may be 100%).
        definite = _held_together(stakes, seeds, rule.threshold, lambda lo, hi: lo)
        possible = set(
            _held_together(
                stakes, seeds, rule.threshold, lambda lo, hi: 100.0 if hi is None else hi
            )
        )

        root = up.root
        lists = ", ".join(sorted(set(rule.lists.values())))
        day = up.day.isoformat()
        if root in seeds:
            d = seeds[root][0]
            cite = f" ({d.citation})" if d.citation else ""
            return self.out(
                "covered",
                f"{self.root_name} is itself listed ({_listing_text(d, self.label(d))}{cite}), "
                "so the rule's restrictions apply to it directly.",
                designations=seeds[root],
            )
        if root in definite:
            paths = self._why_paths(root, definite)
            used = {e.src for p in paths for e in p[:1]}
            return self.out(
                "covered",
                f"{self.root_name} is {rule.covered_as}: {self._why(root, definite, seeds)}.",
                paths=paths,
                designations=[d for n in used for d in seeds.get(n, [])],
            )
        held = stakes.get(root, [])
        if root in possible:
            missing = self._missing(possible, definite, stakes)
            low = sum(lo for o, lo, _, _ in held if o in definite and lo is not None)
            high = min(
                100.0, sum(100.0 if hi is None else hi for o, _, hi, _ in held if o in possible)
            )
            return self.out(
                "unknown",
                f"Whether {self.root_name} is {rule.covered_as} depends on data not known: "
                f"{'; '.join(missing) or 'shares along the chain'}. With the known shares, "
                f"parties counted under this rule ({lists}) hold at least {_pct(low)} and at "
                f"most {_pct(high)} on {day}; the threshold is {_pct(rule.threshold)}."
                + self.depth_note(),
                paths=[[e] for o, _, _, e in held if o in possible],
                missing=missing,
            )
        return self._ownership_below(held, definite, seeds)

    def _ownership_below(
        self,
        held: list[Stake],
        definite: dict[str, list[tuple[str, float, Edge]]],
        seeds: dict[str, list[Designation]],
    ) -> RegimeOut:
        """The ``not_covered`` verdict of a 50% rule: who holds what, below the threshold."""
        up, rule, root = self.up, self.rule, self.up.root
        lists = ", ".join(sorted(set(rule.lists.values())))
        day = up.day.isoformat()
        counted = [(o, lo, e) for o, lo, _, e in held if o in definite and lo is not None]
        total = sum(lo for _, lo, _ in counted)
        if counted:
            who = " and ".join(
                f"{_pct(lo)} by {self._describe(o, definite, seeds)}" for o, lo, _ in counted
            )
            reason = (
                f"{self.root_name} is not {rule.covered_as}: {who}, {_pct(total)} in the "
                f"aggregate, below the {_pct(rule.threshold)} threshold on {day}."
            )
        elif seeds:
            reason = (
                f"{self.root_name} is not {rule.covered_as}: listed parties ({lists}) appear "
                f"above it ({', '.join(up.name(s) for s in sorted(seeds))}) but do not own "
                f"{_pct(rule.threshold)} of it, directly or through entities they own "
                f"{_pct(rule.threshold)} of, on {day}."
            )
        else:
            reason = (
                f"No owner of {self.root_name} up the recorded chain is listed ({lists}) on "
                f"{day}, so it is not {rule.covered_as}."
            )
        controllers = [
            e.src
            for e in up.edges
            if e.relation is Relation.CONTROLS and e.dst == root and e.src in definite
        ]
        if controllers:
            # FAQ 398: control without 50% ownership does not block.
            reason += (
                f" Control by {', '.join(up.name(c) for c in controllers)} does not count: "
                "the rule speaks only to ownership (OFAC FAQ 398)."
            )
        return self.out(
            "not_covered",
            reason + self.depth_note(),
            paths=[[e] for _, _, e in counted],
            designations=[d for o, _, _ in counted for d in seeds.get(o, [])],
        )

    def _describe(
        self,
        node: str,
        definite: dict[str, list[tuple[str, float, Edge]]],
        seeds: dict[str, list[Designation]],
    ) -> str:
        if node in seeds:
            d = seeds[node][0]
            return f"{self.up.name(node)} ({_listing_text(d, self.label(d))})"
        return f"{self.up.name(node)}, itself {self._why(node, definite, seeds)}"

    def _why(
        self,
        node: str,
        definite: dict[str, list[tuple[str, float, Edge]]],
        seeds: dict[str, list[Designation]],
    ) -> str:
        # Contributors were all settled before `node` in the fixpoint, so this terminates.
        contrib = definite[node]
        parts = [
            f"{_pct(lo)} owned by {self._describe(o, definite, seeds)}" for o, lo, _ in contrib
        ]
        text = " and ".join(parts)
        if len(contrib) > 1:
            text += f", {_pct(sum(lo for _, lo, _ in contrib))} in the aggregate"
        return text

    def _why_paths(
        self, node: str, definite: dict[str, list[tuple[str, float, Edge]]]
    ) -> list[list[Edge]]:
        """Top-down chains from each designated party to ``node`` through counted stakes."""
        if not definite[node]:
            return [[]]
        out: list[list[Edge]] = []
        for owner, _, e in definite[node]:
            for p in self._why_paths(owner, definite):
                out.append([*p, e])
                if len(out) >= MAX_PATHS:
                    return out
        return out

    def _missing(
        self,
        possible: set[str],
        definite: dict[str, list[tuple[str, float, Edge]]],
        stakes: dict[str, list[tuple[str, float | None, float | None, Edge]]],
    ) -> list[str]:
        out: list[str] = []
        for n in sorted(possible - set(definite)):
            for o, lo, hi, _ in stakes.get(n, []):
                if o in possible and lo is None:
                    bound = f" (at most {_pct(hi)})" if hi is not None else ""
                    out.append(
                        f"{self.up.name(o)}'s share in {self.up.name(n)} is not known{bound}"
                    )
                elif o in possible and o not in definite:
                    out.append(f"whether {self.up.name(o)} is itself covered is not known")
        return sorted(set(out))[:10]

    # -- listing ------------------------------------------------------------------------------
    def listing(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        found = self.active(root)
        lists = ", ".join(sorted(set(self.rule.lists.values())))
        if found:
            d = found[0]
            cite = f" ({d.citation})" if d.citation else ""
            via = ""
            paths: list[list[Edge]] = []
            if d.entity_id != root:
                via = f" (listed as {self.up.name(d.entity_id)}, the same entity)"
                link = self._same_as_path(root, d.entity_id)
                paths = [link] if link else []
            return self.out(
                "covered",
                f"{self.root_name} is on the {_listing_text(d, self.label(d))}{cite}{via}.",
                paths=paths,
                designations=[d],
            )
        past = self.inactive(root)
        if past:
            d = past[0]
            span = (
                f"listed from {d.start_date.isoformat()}"
                if d.start_date and self.up.day < d.start_date
                else f"listed until {d.end_date.isoformat() if d.end_date else '?'}"
            )
            return self.out(
                "not_covered",
                f"{self.root_name} is not on the {lists} on {day}: it is {span}.",
                designations=past,
            )
        return self.out(
            "not_covered",
            f"{self.root_name} is not on the {lists} on {day}. This regime is a direct "
            "listing: a listed owner or parent does not make it covered.",
        )

    def _same_as_path(self, a: str, b: str) -> list[Edge]:
        g: nx.Graph[str] = nx.Graph()
        for e in self.up.edges:
            if e.relation is Relation.SAME_AS:
                g.add_edge(e.src, e.dst, edge=e)
        try:
            hops = nx.shortest_path(g, b, a)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []
        return [g.edges[x, y]["edge"] for x, y in zip(hops, hops[1:], strict=False)]

    # -- affiliates ---------------------------------------------------------------------------
    def _chains_to_root(
        self, sources: Iterable[str]
    ) -> list[tuple[str, list[tuple[str, str, Edge]]]]:
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

    def affiliates(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        scope = f" {self.rule.scope}" if self.rule.scope else ""
        own = [d for d in self.up.designations.get(root, []) if d.list_id in self.rule.lists]
        named = {
            n: ds
            for n in self.up.nodes
            if (
                ds := [
                    d
                    for d in self.up.designations.get(n, [])
                    if d.list_id in self.rule.lists and d.active_on(self.up.day)
                ]
            )
        }
        itself = self.active(root)  # the entity or a SAME_AS record of it
        if itself:
            d = itself[0]
            return self.out(
                "covered",
                f"{self.root_name} is named: {_listing_text(d, self.label(d))}.{scope}",
                designations=itself,
            )
        chains = self._chains_to_root(n for n in named if n != root)
        if chains:
            first, edges = chains[0]
            d = named[first][0]
            what = (
                "a brand, product or identifier of"
                if self.up.nodes.get(root) and self.up.nodes[root].kind in NON_ENTITY_KINDS
                else "a subsidiary or affiliate of"
            )
            return self.out(
                "covered",
                f"{self.root_name} is {what} {self.up.name(first)} "
                f"({_listing_text(d, self.label(d))}), which the rule names with "
                f'"any subsidiary or affiliate": {_stop(_chain(self.up, edges))}{scope}',
                paths=[[e for _, _, e in c] for _, c in chains],
                designations=[x for s, _ in chains for x in named[s]],
            )
        sister = self._common_control(named)
        if sister is not None:
            return sister
        later = {
            n: ds
            for n in self.up.nodes
            if (ds := [d for d in self.up.designations.get(n, []) if d.list_id in self.rule.lists])
        }
        pending = self._chains_to_root(later)
        if pending:
            first, edges = pending[0]
            d = later[first][0]
            when = (
                f"listed only from {d.start_date.isoformat()}"
                if d.start_date and self.up.day < d.start_date
                else "not listed on that day"
            )
            lead = (
                f"{self.root_name} is itself {when}"
                if first == root
                else f"{self.root_name} leads to {self.up.name(first)} "
                f"({_chain(self.up, edges)}), but {self.up.name(first)} is {when}"
            )
            return self.out(
                "not_covered",
                f"{lead}, so the rule does not reach it on {day}.",
                paths=[[e for _, _, e in c] for _, c in pending],
                designations=[*own, *later[first]],
            )
        return self.out(
            "not_covered",
            f"None of the companies named by this rule owns, controls, makes or was assigned "
            f"{self.root_name} on {day}, as far as the recorded chain shows." + self.depth_note(),
        )

    def _common_control(self, named: dict[str, list[Designation]]) -> RegimeOut | None:
        """Covered as an affiliate under common control (FAR 2.101: "a third party controls or
        has the power to control both"): a company controls both the entity and a named one."""
        g = self.up.down_graph()
        # Control from the controller down to the entity; the last links may make the entity a
        # brand, product or identifier of a controlled company.
        control: nx.DiGraph[str] = nx.DiGraph()
        for a, b, data in g.edges(data=True):
            if counts_as_downstream(data["edge"]):
                control.add_edge(a, b)
        for link in self.up.sisters:
            if link.dst not in named or link.src not in control or self.up.root not in control:
                continue
            try:
                hops = nx.shortest_path(control, link.src, self.up.root)
            except nx.NetworkXNoPath:
                continue
            steps = [(a, b, g.edges[a, b]["edge"]) for a, b in zip(hops, hops[1:], strict=False)]
            chain = [e for _, _, e in steps]
            below = _stop(_chain(self.up, steps))[:-1]
            d = named[link.dst][0]
            controller, sister = self.up.name(link.src), self.up.name(link.dst)
            scope = f" {self.rule.scope}" if self.rule.scope else ""
            return self.out(
                "covered",
                f"{self.root_name} is an affiliate of {sister} "
                f"({_listing_text(d, self.label(d))}) under common control: {controller} "
                f"controls both ({controller} {link.relation.value} {sister}; "
                f"{below}). "
                f"FAR 2.101 counts companies a third party controls as affiliates.{scope}",
                paths=[[link], chain],
                designations=named[link.dst],
            )
        return None

    # -- ica_order ----------------------------------------------------------------------------
    def ica_order(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        scope = f" {self.rule.scope}" if self.rule.scope else ""
        found = self.active(root)
        if found:
            d = found[0]
            return self.out(
                "covered",
                f"{self.root_name} is the subject of the {_listing_text(d, self.label(d))}: "
                f"ordered to cease operations in Canada and close its Canadian business.{scope}",
                designations=found,
            )
        makers = [m for m in self.rule.products_of if m in self.up.nodes]
        node = self.up.nodes.get(root)
        is_thing = node is not None and node.kind in NON_ENTITY_KINDS
        if root in self.rule.products_of:
            return self.out(
                "covered",
                f"{self.root_name}'s equipment falls under the federal purchase ban; the order "
                f"to cease operations names only the Canadian company.{scope}",
            )
        chains = self._chains_to_root(m for m in makers if m != root)
        if chains and is_thing:
            maker, edges = chains[0]
            return self.out(
                "covered",
                f"{self.root_name} is {self.up.name(maker)}'s equipment "
                f"({_chain(self.up, edges)}), so it falls under the federal purchase ban.{scope}",
                paths=[[e for _, _, e in c] for _, c in chains],
            )
        if chains:
            maker, edges = chains[0]
            return self.out(
                "not_covered",
                f"{self.root_name} is linked to {self.up.name(maker)} "
                f"({_chain(self.up, edges)}), but it is not the company named in the order, "
                f"and the purchase ban reaches equipment, not affiliated companies.{scope}",
                paths=[[e for _, _, e in c] for _, c in chains],
            )
        return self.out(
            "not_covered",
            f"{self.root_name} is neither the company named in the order nor equipment of "
            f"{', '.join(self.up.name(m) for m in self.rule.products_of)} on {day}, as far "
            "as the recorded chain shows." + self.depth_note(),
        )


# -- the engine -----------------------------------------------------------------------------
def evaluate(
    view: GraphView, entity_id: str, day: date, book: RuleBook | None = None
) -> list[RegimeOut]:
    """Every regime's verdict for one entity on one day (uncached)."""
    rules = book or default_rules()
    return _verdicts(rules, collect_upstream(view, entity_id, day))


def _verdicts(book: RuleBook, up: Upstream) -> list[RegimeOut]:
    """Each regime on the strong links alone; ``covered`` that needs a weak link is ``unknown``.

    A regime is ``covered`` only on strong evidence (:mod:`supplygraph.graph.model.evidence`). When
    the strong links do not cover the entity but the weak ones would, the verdict is ``unknown`` and
    ``missing`` names each weak link, so a reviewer knows which fact needs a better source.
    """
    if not up.has_weak():
        return [_Evaluation(rule, book, up).run() for rule in book.regimes]
    strong = up.strong_only()
    out = []
    for rule in book.regimes:
        result = _Evaluation(rule, book, strong).run()
        if result.verdict != "covered":
            full = _Evaluation(rule, book, up).run()
            if full.verdict == "covered":
                result = _weak_only(full)
        out.append(result)
    return out


def _weak_only(covered: RegimeOut) -> RegimeOut:
    weak = [s for path in covered.paths for s in path if s.strength == "weak"]
    missing = [
        f"a strong source for {s.from_name} {s.relation} {s.to_name} ({s.weak_reason})"
        for s in {(s.from_, s.to, s.relation): s for s in weak}.values()
    ]
    return covered.model_copy(
        update={
            "verdict": "unknown",
            "reason": "Only weak evidence would cover it: " + covered.reason,
            "missing": missing or ["strong evidence for the links on the paths"],
        }
    )


class RegimeEngine:
    """Regime verdicts per (entity, day, store version), in a small LRU.

    >>> from supplygraph.graph.store.backends import open_store
    >>> engine = RegimeEngine(open_store("sqlite:///:memory:").view())
    >>> [r.regime for r in engine.verdicts("nobody", date(2026, 1, 1))][:2]
    ['ofac-50', 'bis-affiliates']
    """

    def __init__(self, view: GraphView, book: RuleBook | None = None, size: int = 1024) -> None:
        self.view = view
        self.book = book or default_rules()
        self._cache: AnswerCache[list[RegimeOut]] = AnswerCache(size)

    def clear(self) -> None:
        self._cache.clear()

    def verdicts(self, entity_id: str, day: date) -> list[RegimeOut]:
        return self.verdicts_many([entity_id], day)[entity_id]

    def verdicts_many(self, entity_ids: Iterable[str], day: date) -> dict[str, list[RegimeOut]]:
        """:meth:`verdicts` of many entities; those not cached share their store calls."""
        version = self.view.version()
        wanted = list(dict.fromkeys(entity_ids))
        out: dict[str, list[RegimeOut]] = {}
        for entity_id in wanted:
            hit = self._cache.get((entity_id, day, version))
            if hit is not None:
                out[entity_id] = hit
        missing = [i for i in wanted if i not in out]
        if missing:
            ups = collect_upstream_many(self.view, missing, day)
            for entity_id in missing:
                out[entity_id] = _verdicts(self.book, ups[entity_id])
                self._cache.put((entity_id, day, version), out[entity_id])
        return out

    def result(self, entity: EntityRef, day: date) -> RegimesResult:
        return RegimesResult(entity=entity, as_of=day, regimes=self.verdicts(entity.id, day))
