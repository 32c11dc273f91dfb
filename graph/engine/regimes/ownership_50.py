"""``ownership_50`` (``ofac-50``, ``bis-affiliates``): covered when parties designated on the
regime's lists own 50% or more, directly or indirectly, individually or in the aggregate.

"Indirectly" is OFAC's reading in FAQ 401 (https://ofac.treasury.gov/faqs/401): an entity that is
itself 50%-owned by blocked persons is blocked, and its *whole* stake counts at the next level.
So this is a fixpoint over the ownership graph, not the product-of-shares arithmetic of
:mod:`supplygraph.graph.engine.ownership`. Only ownership counts, never control (FAQ 398).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from supplygraph.graph.engine.upstream import NON_ENTITY_KINDS, STAKE_RELATIONS
from supplygraph.graph.model.answers import RegimeOut, Step
from supplygraph.graph.model.records import Designation, Edge, NodeKind, Relation

from .evaluation import MAX_PATHS, Evaluation, listing_text, pct

EPSILON = 1e-9  # shares are floats: 30 + 20 must reach a 50 threshold
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


# The first of these verdicts an owner gets is the brand's (a brand of two owners is covered
# when either owner is).
ENTITY_KINDS = frozenset({NodeKind.ORGANIZATION, NodeKind.PERSON})
_FIRST = {"covered": 0, "unknown": 1, "not_covered": 2}


class Ownership50(Evaluation):
    """The 50% rule on the root; for a brand, product or identifier, on its legal owner.

    The rule speaks of entities (property and interests of blocked persons, entities owned by
    listed parties): a brand is its owner's property, so the question is whether the owner is
    covered. The brand's owner (OWNS_BRAND), the owner of a product's brand (MODEL_OF, then
    OWNS_BRAND) and an identifier's assignee (ASSIGNED) answer for it, and the reason says so.
    """

    def verdict(self) -> RegimeOut:
        owners = self._legal_owners(self.up.root)
        if not owners:
            return self._on(self.up.root)
        judged = [(self._on(owner), owner, chain, what) for owner, chain, what in owners]
        on_owner, owner, chain, what = min(
            judged, key=lambda j: (_FIRST.get(j[0].verdict, 3), j[1])
        )
        steps = [Step.of(e, self.up.names) for e in chain]
        paths = [[*p, *steps] for p in on_owner.paths] or [steps]
        return on_owner.model_copy(
            update={
                "reason": f"{self.root_name} is {what} {self.up.name(owner)}: {on_owner.reason}",
                "paths": paths[:MAX_PATHS],
            }
        )

    def _legal_owners(
        self, root: str, seen: frozenset[str] = frozenset()
    ) -> list[tuple[str, list[Edge], str]]:
        """For a brand, product or identifier: each legal entity that owns it (or its brand,
        or was assigned it), the edges from that entity down to it, and how the reason names
        the relation. Empty for an entity, or when no owner is recorded."""
        node = self.up.nodes.get(root)
        if node is None or node.kind not in NON_ENTITY_KINDS or root in seen:
            return []
        found: list[tuple[str, list[Edge], str]] = []
        for e in self.up.edges:
            if e.relation is Relation.OWNS_BRAND and e.dst == root:
                found.append((e.src, [e], "a brand; the rule applies to its owner"))
            elif e.relation is Relation.ASSIGNED and e.dst == root:
                found.append((e.src, [e], "an identifier; the rule applies to its assignee"))
            elif e.relation is Relation.MODEL_OF and e.src == root:
                what = (
                    f"a product of the brand {self.up.name(e.dst)}; the rule applies to the "
                    "brand's owner"
                )
                above = self._legal_owners(e.dst, seen | {root})
                found += [(o, [*chain, e], what) for o, chain, _ in above]
        return [
            (owner, chain, what)
            for owner, chain, what in found
            if (n := self.up.nodes.get(owner)) is not None and n.kind in ENTITY_KINDS
        ]

    def _on(self, root: str) -> RegimeOut:
        """The rule on one entity of the neighbourhood."""
        up, rule = self.up, self.rule
        name = up.name(root)
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

        lists = ", ".join(sorted(set(rule.lists.values())))
        day = up.day.isoformat()
        if root in seeds:
            d = seeds[root][0]
            cite = f" ({d.citation})" if d.citation else ""
            return self.out(
                "covered",
                f"{name} is itself listed ({listing_text(d, self.label(d))}{cite}), "
                "so the rule's restrictions apply to it directly.",
                designations=seeds[root],
            )
        if root in definite:
            paths = self._why_paths(root, definite)
            used = {e.src for p in paths for e in p[:1]}
            return self.out(
                "covered",
                f"{name} is {rule.covered_as}: {self._why(root, definite, seeds)}.",
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
                f"Whether {name} is {rule.covered_as} depends on data not known: "
                f"{'; '.join(missing) or 'shares along the chain'}. With the known shares, "
                f"parties counted under this rule ({lists}) hold at least {pct(low)} and at "
                f"most {pct(high)} on {day}; the threshold is {pct(rule.threshold)}."
                + self.depth_note(),
                paths=[[e] for o, _, _, e in held if o in possible],
                missing=missing,
            )
        return self._ownership_below(root, held, definite, seeds)

    def _ownership_below(
        self,
        root: str,
        held: list[Stake],
        definite: dict[str, list[tuple[str, float, Edge]]],
        seeds: dict[str, list[Designation]],
    ) -> RegimeOut:
        """The ``not_covered`` verdict of a 50% rule: who holds what, below the threshold."""
        up, rule, name = self.up, self.rule, self.up.name(root)
        lists = ", ".join(sorted(set(rule.lists.values())))
        day = up.day.isoformat()
        counted = [(o, lo, e) for o, lo, _, e in held if o in definite and lo is not None]
        total = sum(lo for _, lo, _ in counted)
        if counted:
            who = " and ".join(
                f"{pct(lo)} by {self._describe(o, definite, seeds)}" for o, lo, _ in counted
            )
            reason = (
                f"{name} is not {rule.covered_as}: {who}, {pct(total)} in the "
                f"aggregate, below the {pct(rule.threshold)} threshold on {day}."
            )
        elif seeds:
            reason = (
                f"{name} is not {rule.covered_as}: listed parties ({lists}) appear "
                f"above it ({', '.join(up.name(s) for s in sorted(seeds))}) but do not own "
                f"{pct(rule.threshold)} of it, directly or through entities they own "
                f"{pct(rule.threshold)} of, on {day}."
            )
        else:
            reason = (
                f"No owner of {name} up the recorded chain is listed ({lists}) on "
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
            return f"{self.up.name(node)} ({listing_text(d, self.label(d))})"
        return f"{self.up.name(node)}, itself {self._why(node, definite, seeds)}"

    def _why(
        self,
        node: str,
        definite: dict[str, list[tuple[str, float, Edge]]],
        seeds: dict[str, list[Designation]],
    ) -> str:
        # Contributors were all settled before `node` in the fixpoint, so this terminates.
        contrib = definite[node]
        parts = [f"{pct(lo)} owned by {self._describe(o, definite, seeds)}" for o, lo, _ in contrib]
        text = " and ".join(parts)
        if len(contrib) > 1:
            text += f", {pct(sum(lo for _, lo, _ in contrib))} in the aggregate"
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
                    bound = f" (at most {pct(hi)})" if hi is not None else ""
                    out.append(
                        f"{self.up.name(o)}'s share in {self.up.name(n)} is not known{bound}"
                    )
                elif o in possible and o not in definite:
                    out.append(f"whether {self.up.name(o)} is itself covered is not known")
        return sorted(set(out))[:10]
