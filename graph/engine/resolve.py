"""The verdict engine: "is this (product, brand, device, company) ultimately the target?"

``yes``: an evidence path runs from the target down to what the query resolved to, every link
strong. ``possible``: the best path rests on a weak link (named in ``weak_links``). ``no``: the
query resolved to known nodes and none is reached from the target (a distributor of the target's
products is ``no``, with ``distributes`` saying what it sells). ``unknown``: nothing known matched.
"""

from __future__ import annotations

import gzip
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.judge import Case, Evidence, Judgement, judge
from supplygraph.graph.engine.outlets import answer_fields
from supplygraph.graph.engine.prefetch import edge_source
from supplygraph.graph.engine.reach import Reach, ReachCache
from supplygraph.graph.engine.regimes import RegimeEngine
from supplygraph.graph.engine.relatedness import Finding, RelatednessEngine
from supplygraph.graph.engine.verdicts import rank_paths
from supplygraph.graph.errors import EntityNotFound, InvalidQuery, TargetNotFound
from supplygraph.graph.match.matcher import (
    CandidateCache,
    match_fcc,
    match_mac,
    match_model,
    match_name,
)
from supplygraph.graph.match.references import find_reference
from supplygraph.graph.model.answers import (
    DesignationOut,
    EntityRef,
    Match,
    ResolveResult,
    Step,
)
from supplygraph.graph.model.mac_blocks import deciding_block
from supplygraph.graph.model.normalize import (
    fcc_grantee_code,
    is_locally_administered,
    mac_prefixes,
)
from supplygraph.graph.model.records import (
    Designation,
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    Relation,
)
from supplygraph.graph.store.protocol import Direction, GraphView, WalkStep

DEFAULT_TARGET = "hikvision"
# A cached answer (model and JSON, with sources and regimes) takes about 150 KiB: 1024 of them
# bound the cache near 160 MiB while holding every popular question of a procurement flow.
ANSWER_CACHE_SIZE = 1024
# Devices have unique MACs but share a few thousand IEEE blocks: remember which block each
# prefix falls in (small entries, so many of them), and cache answers per block.
MAC_BLOCK_CACHE_SIZE = 65536
MAX_PATHS = 10
# Entities whose designations are kept (most have none: an empty list is kept too).
DESIGNATION_CACHE_SIZE = 8192
# Owners above the target are looked for this many levels up, to explain a `no` for one of them.
ABOVE_DEPTH = 8
UPWARD = (Relation.OWNS, Relation.CONTROLS, Relation.SAME_AS)
ABOVE_STEPS: list[WalkStep] = [(Direction.IN, UPWARD), (Direction.OUT, [Relation.SAME_AS])]


@dataclass(frozen=True)
class Query:
    name: str | None = None
    brand: str | None = None
    model: str | None = None
    mac: str | None = None
    fcc_id: str | None = None

    def fields(self) -> dict[str, str]:
        raw = {
            "name": self.name,
            "brand": self.brand,
            "model": self.model,
            "mac": self.mac,
            "fcc_id": self.fcc_id,
        }
        return {k: v.strip() for k, v in raw.items() if v is not None and v.strip()}

    def cache_key(self) -> tuple[object, ...]:
        """What the answer depends on: normalized identifiers, names as typed.

        Raises the same errors as matching, in the same order (empty query, MAC, FCC ID), so a
        bad query never reaches the cache. Different spellings of one MAC share a key.
        """
        fields = self.fields()
        if not fields:
            raise InvalidQuery("query", "give at least one of name, brand, model, mac, fcc_id")
        parts: list[object] = []
        if "mac" in fields:
            # The note about locally administered addresses reads the raw text: keep it in.
            mac = fields["mac"]
            parts.append(("mac", tuple(mac_prefixes(mac).items()), is_locally_administered(mac)))
        if "fcc_id" in fields:
            parts.append(("fcc_id", fcc_grantee_code(fields["fcc_id"])))
        parts.extend((k, fields[k]) for k in ("brand", "model", "name") if k in fields)
        return tuple(parts)


# Answers are tens of KiB of JSON (paths, sources, regimes) and gzip shrinks them several
# times over, but compressing one costs a sizeable share of computing a new answer
# (docs/benchmarks.md), so an answer is compressed only when it is sent a second time (then
# kept): a question asked once goes out as it is.
GZIP_LEVEL = 6


@dataclass
class Answer:
    """A cached answer: the result, its JSON as the API sends it, and that JSON gzipped for
    clients that accept it (see GZIP_LEVEL)."""

    result: ResolveResult
    json: bytes
    key: Hashable = None  # the engine's cache key: the API maps repeated requests to it
    _gzipped: bytes | None = None
    _sent: bool = False

    def body(self, gzip_ok: bool) -> tuple[bytes, bool]:
        """The bytes to send and whether they are gzipped: plain the first time, then gzipped
        for a client that accepts it."""
        first, self._sent = not self._sent, True
        if not gzip_ok or first:
            return self.json, False
        return self.gzipped(), True

    @classmethod
    def of(cls, result: ResolveResult, key: Hashable = None) -> Answer:
        return cls(result, result.model_dump_json(by_alias=True).encode(), key)

    def gzipped(self) -> bytes:
        if self._gzipped is None:  # two threads may both compress once: same bytes, no harm
            self._gzipped = gzip.compress(self.json, GZIP_LEVEL, mtime=0)
        return self._gzipped


class Resolver:
    """Answers queries against one store view; caches by store version.

    Closures, pattern lists, targets and whole answers are cached per store version, so a
    repeated question (the common case for procurement lookups) costs a version check and a key
    lookup; a load bumps the version and the next question is computed afresh.
    """

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.reach_cache = ReachCache()
        self._patterns: tuple[str, list[Node]] | None = None
        self.answers: AnswerCache[Answer] = AnswerCache(ANSWER_CACHE_SIZE)
        self._mac_blocks: AnswerCache[tuple[str, str]] = AnswerCache(MAC_BLOCK_CACHE_SIZE)
        self._targets: AnswerCache[Node] = AnswerCache(size=256)
        self._above: AnswerCache[frozenset[str]] = AnswerCache(size=256)
        self._listed: AnswerCache[list[Designation]] = AnswerCache(size=DESIGNATION_CACHE_SIZE)
        # Regime verdicts per (entity, day, version): the target's are computed once per day.
        self.regimes = RegimeEngine(view)
        self.related = RelatednessEngine(view)
        self.name_cache = CandidateCache()

    def drop_caches(self) -> None:
        """Forget every cached answer, closure and regime verdict (after a refresh: entries of
        the old version could never be hit again, but would hold memory until they aged out)."""
        for cache in (self.answers, self._mac_blocks, self._targets, self._above, self._listed):
            cache.clear()
        self._patterns = None
        self.reach_cache.clear()
        self.regimes.clear()
        self.related.clear()
        self.name_cache.clear()

    # -- pieces -----------------------------------------------------------------------------
    def find_target(self, target: str | None, version: str | None = None) -> Node:
        wanted = (target or DEFAULT_TARGET).strip()
        if not wanted:
            raise InvalidQuery("target", "target is empty")
        if version is None:
            return self._find_target(wanted)
        hit = self._targets.get((wanted, version))
        if hit is None:
            hit = self._find_target(wanted)
            self._targets.put((wanted, version), hit)
        return hit

    def _find_target(self, wanted: str) -> Node:
        try:
            return find_reference(self.view, wanted)
        except EntityNotFound:
            raise TargetNotFound(wanted) from None

    def patterns(self) -> list[Node]:
        version = self.view.version()
        if self._patterns is None or self._patterns[0] != version:
            self._patterns = (version, self.view.nodes_with_property(NodeKind.PRODUCT, "pattern"))
        return self._patterns[1]

    def match(self, query: Query) -> tuple[list[Match], list[str]]:
        fields = query.fields()
        if not fields:
            raise InvalidQuery("query", "give at least one of name, brand, model, mac, fcc_id")
        matches: list[Match] = []
        notes: list[str] = []
        if "mac" in fields:
            found = match_mac(self.view, fields["mac"])
            if not found and is_locally_administered(fields["mac"]):
                notes.append(
                    "the MAC address is locally administered (randomized or virtual): "
                    "the IEEE registry cannot tell its maker"
                )
            matches += found
        if "fcc_id" in fields:
            matches += match_fcc(self.view, fields["fcc_id"])
        if "brand" in fields:
            matches += match_name(
                self.view,
                fields["brand"],
                field="brand",
                kinds={NodeKind.BRAND, NodeKind.ORGANIZATION},
                cache=self.name_cache,
            )
        if "model" in fields:
            matches += match_model(self.view, fields["model"], self.patterns())
        if "name" in fields:
            matches += match_name(self.view, fields["name"], field="name", cache=self.name_cache)
        return matches, notes

    # -- the verdict ------------------------------------------------------------------------
    def resolve(
        self, query: Query, target: str | None = None, as_of: date | None = None
    ) -> ResolveResult:
        """The verdict for ``query``; answers are cached per (query, target, day, version).

        The returned object is a shallow copy of the cached answer: replace its fields freely,
        but do not mutate the nested lists in place.
        """
        return self._computed(query, target, as_of).result.model_copy()

    def answer(self, query: Query, target: str | None = None, as_of: date | None = None) -> Answer:
        """The answer with its serialized forms, cached (see :meth:`resolve`)."""
        return self._computed(query, target, as_of)

    def resolve_json(
        self, query: Query, target: str | None = None, as_of: date | None = None
    ) -> bytes:
        """The answer serialized as the API sends it (by alias), cached with the answer."""
        return self._computed(query, target, as_of).json

    def cached_answer(
        self, query: Query, target: str | None = None, as_of: date | None = None
    ) -> Answer | None:
        """The answer if it is cached, else None (never computes one).

        The API answers from here on the event loop and sends only misses to a worker thread.
        """
        return self._answer(query, target, as_of, compute=False)

    def answer_by_key(self, key: Hashable) -> Answer | None:
        """The cached answer under an :attr:`Answer.key` seen before, if still cached."""
        return self.answers.get(key)

    def _computed(self, query: Query, target: str | None, as_of: date | None) -> Answer:
        found = self._answer(query, target, as_of, compute=True)
        assert found is not None  # compute=True always yields an answer
        return found

    def _answer(
        self, query: Query, target: str | None, as_of: date | None, compute: bool
    ) -> Answer | None:
        day = as_of or date.today()
        version = self.view.version()
        target_node = self.find_target(target, version)
        key = (target_node.id, self._answer_key(query, version), day, version)
        # A peek that misses is not counted: the computing call that follows counts it once.
        cached = self.answers.get(key, count=compute)
        if cached is None and compute:
            cached = Answer.of(self.compute(query, target_node, day), key)
            self.answers.put(key, cached)
        return cached

    def _answer_key(self, query: Query, version: str) -> tuple[object, ...]:
        """The query's cache key with its MAC reduced to the IEEE block that decides the answer.

        Every MAC in one registered block gets the same answer (the registry knows blocks, not
        devices), so answers are shared per block instead of per device.
        """
        parts = list(query.cache_key())
        for i, part in enumerate(parts):
            if isinstance(part, tuple) and part[0] == "mac":
                _, prefixes, local = part
                parts[i] = ("mac", self._mac_block(dict(prefixes), version), local)
        return tuple(parts)

    def _mac_block(self, prefixes: dict[str, str], version: str) -> tuple[str, str]:
        """The most specific registered block among a MAC's prefixes, or ("none", OUI)."""
        most_specific = next(reversed(prefixes.items()))
        key = (most_specific, version)
        block = self._mac_blocks.get(key, count=False)
        if block is None:
            idents = [Identifier(scheme=IdScheme(s), value=v) for s, v in prefixes.items()]
            found = self.view.find_by_identifier(idents)
            decided = deciding_block(list(prefixes.values()), [bool(found.get(i)) for i in idents])
            assert decided is not None  # every block's assignment was just looked up
            block = decided
            self._mac_blocks.put(key, block)
        return block

    def compute(self, query: Query, target_node: Node, day: date) -> ResolveResult:
        """The uncached verdict for ``query`` against ``target_node`` on ``day``."""
        return self.result_of(*self.judged(query, target_node, day))

    def judged(
        self, query: Query, target_node: Node, day: date
    ) -> tuple[Judgement, Node, list[Match], list[list[Step]], set[str], dict[str, Node], date]:
        """The question matched, its evidence gathered and judged (:func:`judge`), with what
        a full answer adds: every path, the nodes on them, their names."""
        matches, notes = self.match(query)
        reach = self.reach_cache.get(self.view, target_node.id, day)

        scored = rank_paths(matches, reach, MAX_PATHS)
        sold = [] if scored else self.distributes(matches, reach, day)
        above: frozenset[str] = frozenset()
        finding = Finding()
        if not scored and matches:
            # A `no` must be earned: look at what is known of the unreached matches first.
            above = self.above_target(target_node.id, day)
            finding = self.related.find(matches, reach, above, day, distributor=bool(sold))
        stake_paths = self.stake_paths(finding, reach)

        on_paths = {target_node.id} | {x for s in scored for e in s.path for x in (e.src, e.dst)}
        on_paths |= {x for path in stake_paths for e in path for x in (e.src, e.dst)}
        node_ids = on_paths | {m.id for m in matches} | {x for e in sold for x in (e.src, e.dst)}
        node_ids |= finding.entities()
        nodes = self.view.nodes(node_ids)
        names = {i: n.name for i, n in nodes.items()}
        paths = [[Step.of(e, names) for e in s.path] for s in scored]
        paths += [[Step.of(e, names) for e in path] for path in stake_paths]
        judgement = judge(
            Case(
                target=target_node,
                matches=matches,
                best=Evidence.of(scored[0], target_node.id, names) if scored else None,
                sold=[Step.of(e, names) for e in sold],
                finding=finding,
                above=above,
                names=names,
                notes=notes,
                truncated=reach.truncated,
            )
        )
        return judgement, target_node, matches, paths, on_paths, nodes, day

    def result_of(
        self,
        judgement: Judgement,
        target_node: Node,
        matches: list[Match],
        paths: list[list[Step]],
        on_paths: set[str],
        nodes: dict[str, Node],
        day: date,
    ) -> ResolveResult:
        """A single answer written from its judgement, with paths, designations and regimes."""
        names = {i: n.name for i, n in nodes.items()}
        # The buyer's question is about what they hold: give the best match's regimes too.
        best_node = nodes.get(judgement.entity) if judgement.entity is not None else None
        return ResolveResult(
            **answer_fields(judgement),
            target=EntityRef.of(target_node),
            matched=matches,
            paths=paths,
            designations=self._designations(on_paths, names, day),
            as_of=day,
            regimes=self.regimes.verdicts(target_node.id, day),
            matched_regimes=(
                self.regimes.result(EntityRef.of(best_node), day) if best_node else None
            ),
        )

    @staticmethod
    def stake_paths(finding: Finding, reach: Reach) -> list[list[Edge]]:
        """For each significant stake: the group's path to its holder, then the stake itself."""
        paths = []
        for stake in finding.stakes:
            if stake.significant:
                to_holder = reach.evidence_paths(stake.holder, 1)
                paths.append([*(to_holder[0] if to_holder else []), stake.edge])
        return paths[:MAX_PATHS]

    def above_target(self, target: str, day: date) -> frozenset[str]:
        """Everything that owns or controls the target on ``day`` (any share), walked upward in
        batches; cached per target, day and store version. A `no` for one of these says why."""
        key = (target, day, self.view.version())
        found = self._above.get(key, count=False)
        if found is None:
            seen = {target}
            frontier = [target]
            # Only edges in force on the day are followed: the query leaves out the others.
            source = edge_source(self.view, [target], ABOVE_STEPS, ABOVE_DEPTH, day=day)
            for _ in range(ABOVE_DEPTH):
                ups = source.edges(frontier, Direction.IN, UPWARD)
                same = source.edges(frontier, Direction.OUT, [Relation.SAME_AS])
                nxt = {e.src for e in ups if e.dst in frontier and e.active_on(day)}
                nxt |= {e.dst for e in same if e.src in frontier and e.active_on(day)}
                frontier = sorted(nxt - seen)
                if not frontier:
                    break
                seen.update(frontier)
            found = frozenset(seen - {target})
            self._above.put(key, found)
        return found

    def distributes(self, matches: list[Match], reach: Reach, day: date) -> list[Edge]:
        """DISTRIBUTES edges from what the query matched to anything in the target's group."""
        if not matches:
            return []
        edges = self.view.edges([m.id for m in matches], Direction.OUT, [Relation.DISTRIBUTES])
        matched = {m.id for m in matches}
        return sorted(
            (e for e in edges if e.src in matched and e.dst in reach.depth and e.active_on(day)),
            key=lambda e: (e.src, e.dst, e.id),
        )

    def _designations(
        self, ids: set[str], names: dict[str, str], day: date
    ) -> list[DesignationOut]:
        found = self._stored_designations(ids)
        return [
            DesignationOut.of(d, names.get(entity_id, entity_id), day)
            for entity_id in sorted(found)
            for d in found[entity_id]
        ]

    def _stored_designations(self, ids: set[str]) -> dict[str, list[Designation]]:
        """The designations of ``ids``, kept per store version: the target is on every path
        and a `no` names it, so its listings were read and parsed for every new question."""
        version = self.view.version()
        found: dict[str, list[Designation]] = {}
        missing = []
        for entity_id in ids:
            hit = self._listed.get((entity_id, version), count=False)
            if hit is None:
                missing.append(entity_id)
            elif hit:
                found[entity_id] = hit
        if missing:
            read = self.view.designations(missing)
            for entity_id in missing:
                listed = read.get(entity_id, [])
                self._listed.put((entity_id, version), listed)
                if listed:
                    found[entity_id] = listed
        return found
