"""Field outcomes for the keys a batch sees for the first time, matched by the very code single
lookups use (:meth:`Resolver.match`) over data prefetched in a few batched store calls.

An outcome is what one field resolved to against the run's target: its matches, the best
evidence path, the DISTRIBUTES steps into the target's group and, when no path reaches the
matches, what is known of them (stakes, name affinity, denials: a `no` is earned).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from supplygraph.graph.engine.bulk_rows import NOTHING_FOUND, FieldOutcome
from supplygraph.graph.engine.cached_view import CachedView
from supplygraph.graph.engine.judge import Evidence, evidence_text
from supplygraph.graph.engine.reach import Reach
from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.engine.resolve import MAX_PATHS, Query, Resolver
from supplygraph.graph.engine.verdicts import rank_paths
from supplygraph.graph.match.matcher import typo_neighbours
from supplygraph.graph.match.typed import as_typed
from supplygraph.graph.model.answers import Match, Step
from supplygraph.graph.model.normalize import name_keys, name_tokens
from supplygraph.graph.model.records import Edge, IdScheme, Node


class KeyMatcher:
    """Matches a batch's new keys against one target on one day."""

    def __init__(
        self, cached: CachedView, matcher: Resolver, target: Node, day: date, reach: Reach
    ) -> None:
        self.cached = cached
        self.matcher = matcher
        self.target = target
        self.day = day
        self.reach = reach

    def outcomes(
        self, want: dict[tuple[str, str], str]
    ) -> Iterator[tuple[tuple[str, str], FieldOutcome]]:
        """Each wanted ``(field, key)`` with its outcome; ``want`` maps them to the raw value to
        match (a MAC or FCC ID as typed, or the text itself)."""
        if not want:
            return
        self._prefetch(want)
        reach, resolver = self.reach, self.matcher
        matched = {key: resolver.match(Query(**{key[0]: raw})) for key, raw in want.items()}
        # What the batch's matches outside the target's group distribute into it: one edge call
        # for the batch, with the single lookup's own rule (matches inside the group have paths,
        # so their rows are never `no`).
        outside = [m for ms, _ in matched.values() for m in ms if m.id not in reach.depth]
        sold: dict[str, list[Edge]] = {}
        for edge in resolver.distributes(outside, reach, self.day):
            sold.setdefault(edge.src, []).append(edge)
        # Names of the nodes on evidence paths and distribution edges, read in one batched call
        # with the subjects of the unreached matches (a `no` must be earned: relatedness).
        names = {
            x
            for matches, _ in matched.values()
            for m in matches
            for p in reach.evidence_paths(m.id, MAX_PATHS)
            for e in p
            for x in (e.src, e.dst)
        } | {x for edges in sold.values() for e in edges for x in (e.src, e.dst)}
        unreached = {
            key: [m.id for m in ms]
            for key, (ms, _) in matched.items()
            if ms and not any(m.id in reach.depth for m in ms)
        }
        sellers = {key for key, (ms, _) in matched.items() if any(m.id in sold for m in ms)}
        above = resolver.above_target(self.target.id, self.day) if unreached else frozenset()
        findings = resolver.related.find_many(
            unreached, reach, above, self.day, sellers, also=names
        )
        for (kind, key), (matches, notes) in matched.items():
            finding = findings.get((kind, key))
            yield (kind, key), self._outcome(kind, matches, notes, sold, finding)

    def _prefetch(self, want: dict[tuple[str, str], str]) -> None:
        """Read what matching the wanted keys needs, in one call per primitive: names, tokens
        (and stored neighbours of words in no name, which may be typos), then the nodes."""
        cached = self.cached
        texts = [
            as_typed(raw) for (kind, _), raw in want.items() if kind in ("brand", "model", "name")
        ]
        keys = {k for t in texts for k in name_keys(t)}
        tokens = {t for text in texts for t in name_tokens(text)}
        cached.fetch_names([k for k in keys if cached.names[k] is None])
        cached.fetch_tokens([t for t in tokens if cached.tokens[t] is None])
        near = typo_neighbours(cached, [t for t in tokens if not cached.tokens[t]])
        cached.fetch_tokens([w for w in near if cached.tokens[w] is None])
        tokens |= near.keys()
        ids: set[str] = set()
        for k in keys:
            ids.update(cached.names[k] or ())
        for t in tokens:
            ids.update(cached.tokens[t] or ())
        for kind, key in want:
            if kind == "mac" and not key.startswith("none/"):
                scheme, value = key.split(":", 1)
                ids.update(cached.idents[IdScheme(scheme)][value] or ())
            elif kind == "fcc_id":
                ids.update(cached.idents[IdScheme.FCC_GRANTEE][key] or ())
        cached.fetch_nodes(ids)

    def _outcome(
        self,
        field_name: str,
        matches: list[Match],
        notes: list[str],
        sold: dict[str, list[Edge]],
        finding: Finding | None = None,
    ) -> FieldOutcome:
        ranked = rank_paths(matches, self.reach, MAX_PATHS)
        evidence = None
        if ranked:
            best = ranked[0]
            m, path = best.match, best.path
            node_ids = {m.id, self.target.id} | {x for e in path for x in (e.src, e.dst)}
            names = {i: n.name for i, n in self.cached.nodes(node_ids).items()}
            text = evidence_text(field_name, m, self.target.id, path, names)
            evidence = Evidence(
                field_name, m, self.target.id, path, names, best.score, text, best.weak
            )
        top = None
        for m in matches:
            if top is None or m.score > top.score:
                top = m
        if not matches and not notes:
            return NOTHING_FOUND
        steps = self._steps(matches, sold)
        return FieldOutcome(tuple(matches), evidence, top, tuple(notes), steps, finding)

    def _steps(self, matches: list[Match], sold: dict[str, list[Edge]]) -> tuple[Step, ...]:
        """The DISTRIBUTES edges out of ``matches``, as path steps with names and strength."""
        edges = {e.id: e for m in matches for e in sold.get(m.id, ())}
        if not edges:
            return ()
        ids = {x for e in edges.values() for x in (e.src, e.dst)}
        names = {i: n.name for i, n in self.cached.nodes(ids).items()}
        ordered = sorted(edges.values(), key=lambda e: (e.src, e.dst, e.id))
        return tuple(Step.of(e, names) for e in ordered)
