"""What is known of a resolved entity that no evidence path reaches: is the ``no`` earned?

"No path from the target" is silence, not evidence. Before a lookup answers ``no``, this module
looks at what the store does know of the entity (and, for a MAC block or FCC grantee code, of
the assignee behind it):

- **A stake of the target's group below control.** An ``OWNS`` edge from a group company with
  a share of at least :data:`DEFAULT_STAKE_THRESHOLD` percent (a setting), or one marked as a
  joint venture, makes the answer ``possible`` and names the share. A smaller stake leaves the
  answer ``no`` and is said in the explanation.
- **Name affinity.** The entity carries a distinctive word of the group's own names (Hikvision,
  EZVIZ, Huawei, HiSilicon, ZTE, ...) and nothing else is known: ``possible``, with a weak link
  that names the word. A word is distinctive when the name analysis calls it so (not a legal
  form, place, trade word or number) and few of the store's entities outside the group carry it
  (:data:`DEFAULT_MAX_OUTSIDE` companies, or a quarter of the group's own records that carry it):
  a word that many unrelated companies share is an ordinary name ("Dahua" is also a common
  Chinese name, "Honor" an English word).
  Only the group's own companies and brands give words, never an OEM customer's brand.
- **A sourced statement that they are unrelated** (``UNRELATED_TO``, strong evidence) turns
  affinity back into ``no``, with that source.

The group's words are computed once per target, day and store version.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.reach import MAJORITY, Reach
from supplygraph.graph.match.name_scoring import analyze
from supplygraph.graph.model.answers import Match, WeakLink
from supplygraph.graph.model.evidence import policy
from supplygraph.graph.model.normalize import STOP_TOKENS, fuzzy_key, name_tokens
from supplygraph.graph.model.records import JOINT_VENTURE, Edge, Node, NodeKind, Relation
from supplygraph.graph.store.protocol import Direction, GraphView

# A stake of a quarter or more is a blocking minority in most company laws (a veto over the
# articles) and the usual threshold of beneficial-ownership registers; below it a stake is
# reported but does not make the entity "possibly the group's".
DEFAULT_STAKE_THRESHOLD = 25.0
# How many companies outside the group may carry a word before it counts as an ordinary name
# (or a quarter of the group's own records that carry it, when that is more: a large group's
# word is met in more places).
DEFAULT_MAX_OUTSIDE = 3
# Words shorter than this are initials or fragments (ZTE is the shortest group name we know).
MIN_WORD_LENGTH = 3
# What the affinity and stake findings weigh in the confidence (the match score times this).
AFFINITY_CONFIDENCE = 0.3
# Paths that give a group its words: the group's own companies and brands, never an OEM
# customer reached through MANUFACTURES_FOR, nor identifiers.
_NAMING = frozenset({Relation.OWNS, Relation.CONTROLS, Relation.OWNS_BRAND, Relation.SAME_AS})
_NAMED_KINDS = frozenset({NodeKind.ORGANIZATION, NodeKind.BRAND})
K = TypeVar("K", bound=Hashable | None)


@dataclass(frozen=True)
class Settings:
    stake_threshold: float = DEFAULT_STAKE_THRESHOLD
    max_outside: int = DEFAULT_MAX_OUTSIDE


_settings = Settings()


def configure(stake_threshold: float, max_outside: int) -> Settings:
    """Set the thresholds in force; the service calls this once at start."""
    global _settings
    _settings = Settings(stake_threshold=stake_threshold, max_outside=max_outside)
    return _settings


@dataclass(frozen=True)
class Stake:
    """A stake of a group company in the entity (or its assignee), below control."""

    edge: Edge
    holder: str  # the group company holding it
    entity: str  # the entity held
    share: float | None  # the top of the known range, percent
    significant: bool

    def text(self, names: dict[str, str]) -> str:
        held = names.get(self.entity, self.entity)
        holder = names.get(self.holder, self.holder)
        if self.edge.reason == JOINT_VENTURE:
            what = "a joint venture" + (f" ({_percent(self.share)})" if self.share else "")
        else:
            what = f"a minority stake of {_percent(self.share)}"
        return f"{holder} holds {what} in {held}"


@dataclass(frozen=True)
class Affinity:
    entity: str
    word: str


@dataclass
class Finding:
    """What the store knows of entities the target's group does not reach."""

    stakes: list[Stake] = field(default_factory=list)
    affinity: list[Affinity] = field(default_factory=list)
    denials: list[Edge] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return any(s.significant for s in self.stakes) or bool(self.affinity)

    @property
    def threshold(self) -> float:
        return _settings.stake_threshold

    def entities(self) -> set[str]:
        """Every entity the finding names (stake holders and holdings, name relatives, both
        ends of each denial): whose names an answer needs."""
        ids = {x for s in self.stakes for x in (s.holder, s.entity)}
        ids |= {a.entity for a in self.affinity}
        return ids | {x for e in self.denials for x in (e.src, e.dst)}

    def confidence(self) -> float:
        """What the finding weighs (times the match score): a significant stake its share (an
        unpublished one half) and its link's confidence; affinity a fixed low weight."""
        weights = [
            min(s.edge.confidence, (s.share if s.share is not None else 50.0) / 100)
            for s in self.stakes
            if s.significant
        ]
        if self.affinity:
            weights.append(AFFINITY_CONFIDENCE)
        return max(weights, default=0.0)

    def weak_links(self, names: dict[str, str]) -> list[WeakLink]:
        links = []
        threshold = _settings.stake_threshold
        for stake in self.stakes:
            if stake.significant:
                reason = (
                    f"{stake.text(names)}: significant (at least {_percent(threshold)}), "
                    f"below control ({_percent(MAJORITY)})"
                )
                links.append(
                    WeakLink(from_=stake.holder, to=stake.entity, relation="OWNS", reason=reason)
                )
        for found in self.affinity:
            name = names.get(found.entity, found.entity)
            reason = (
                f"{name} carries '{found.word}', a distinctive name of the target's group; "
                "nothing else is known of its ownership"
            )
            links.append(WeakLink(to=found.entity, reason=reason))
        return links


def _percent(share: float | None) -> str:
    return "an unpublished share" if share is None else f"{share:g}%"


class RelatednessEngine:
    """Finds stakes, name affinity and denials for unreached matches; caches group words."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self._words: AnswerCache[frozenset[str]] = AnswerCache(size=64)
        # Off: no path means no, as before this rule (the bench's same-run baseline).
        self.enabled = True

    def clear(self) -> None:
        self._words.clear()

    def find(
        self,
        matches: Collection[Match],
        reach: Reach,
        above: frozenset[str],
        day: date,
        distributor: bool = False,
    ) -> Finding:
        """What is known of ``matches`` (none reached by ``reach``) for the target's group.

        A distributor of the group's products is a ``no`` that says what it sells: its name is
        no affinity (resellers often carry the maker's name).
        """
        wanted = {None: [m.id for m in matches]}
        sellers = {None} if distributor else set()
        return self.find_many(wanted, reach, above, day, sellers)[None]

    def find_many(
        self,
        wanted: Mapping[K, Collection[str]],
        reach: Reach,
        above: frozenset[str],
        day: date,
        distributors: Collection[K] = (),
        also: Collection[str] = (),
    ) -> dict[K, Finding]:
        """:meth:`find` for many questions at once (the bulk engine's batch), in a fixed
        number of store calls whatever their count. ``also``: node ids the caller wants read
        in the same call (a caching view keeps them)."""
        if not self.enabled:
            wanted = {k: () for k in wanted}
        subjects_of = self._subjects({k: set(ids) for k, ids in wanted.items()}, day)
        everyone = {s for subjects in subjects_of.values() for s in subjects} - above
        group = set(reach.depth)
        # Stakes in the subjects and what they deny, in one store call.
        touching = (
            self.view.edges(everyone, Direction.BOTH, [Relation.OWNS, Relation.UNRELATED_TO])
            if everyone
            else []
        )
        stakes = self._stakes(touching, everyone, group, day)
        denials = self._denials(touching, everyone, group, day)
        words = self.group_words(reach, above) if everyone else frozenset()
        # One read for the subjects' names, the holders and denied groups the answers name, and
        # whatever the caller asked for.
        named = {s.holder for s in stakes} | {e.dst for e in denials} | set(also)
        nodes = self.view.nodes(everyone | named if words or stakes or denials else named)
        found: dict[K, Finding] = {}
        for key, subjects in subjects_of.items():
            mine = subjects - above
            finding = Finding(
                stakes=[s for s in stakes if s.entity in mine],
                denials=[e for e in denials if e.src in mine],
            )
            decided = finding.denials or any(s.significant for s in finding.stakes)
            if not (decided or key in distributors):
                for node_id in sorted(mine):
                    node = nodes.get(node_id)
                    if node is None or node.kind not in _NAMED_KINDS:
                        continue
                    shared = sorted(_words_of(node) & words)
                    if shared:
                        finding.affinity.append(Affinity(entity=node.id, word=shared[0]))
            found[key] = finding
        return found

    def _subjects(self, wanted: dict[K, set[str]], day: date) -> dict[K, set[str]]:
        """Each question's matched nodes, plus the assignees behind matched identifiers and
        their SAME_AS records (two store calls for all questions)."""
        ids = {i for found in wanted.values() for i in found}
        if not ids:
            return wanted
        assigned = [
            e for e in self.view.edges(ids, Direction.IN, [Relation.ASSIGNED]) if e.active_on(day)
        ]
        behind: dict[str, set[str]] = {}
        for e in assigned:
            behind.setdefault(e.dst, set()).add(e.src)
        first = {
            k: found | {a for i in found for a in behind.get(i, ())} for k, found in wanted.items()
        }
        linked = {i for found in first.values() for i in found}
        same = [
            e
            for e in self.view.edges(linked, Direction.BOTH, [Relation.SAME_AS])
            if e.active_on(day)
        ]
        twins: dict[str, set[str]] = {}
        for e in same:
            twins.setdefault(e.src, set()).add(e.dst)
            twins.setdefault(e.dst, set()).add(e.src)
        return {
            k: found | {t for i in found for t in twins.get(i, ())} for k, found in first.items()
        }

    @staticmethod
    def _stakes(
        touching: list[Edge], subjects: set[str], group: set[str], day: date
    ) -> list[Stake]:
        """The group's stakes in the subjects (OWNS edges into them)."""
        threshold = _settings.stake_threshold
        stakes = []
        for edge in sorted(touching, key=lambda e: (e.dst, e.src, e.id)):
            if edge.relation is not Relation.OWNS:
                continue
            if edge.dst not in subjects or edge.src not in group or not edge.active_on(day):
                continue
            low, high = edge.share_bounds
            top = high if high is not None else low
            joint = edge.reason == JOINT_VENTURE
            significant = joint or (top is not None and top >= threshold)
            stakes.append(Stake(edge, edge.src, edge.dst, top, significant))
        return stakes

    @staticmethod
    def _denials(
        touching: list[Edge], subjects: set[str], group: set[str], day: date
    ) -> list[Edge]:
        """Strong statements that a subject is not part of the group (UNRELATED_TO out)."""
        rule = policy()
        return sorted(
            (
                e
                for e in touching
                if e.relation is Relation.UNRELATED_TO
                and e.src in subjects
                and e.dst in group
                and e.active_on(day)
                and rule.weakness(e) is None
            ),
            key=lambda e: e.id,
        )

    def group_words(self, reach: Reach, above: frozenset[str]) -> frozenset[str]:
        """The distinctive words of the group's own names (see the module's docstring)."""
        key = (reach.target, reach.as_of, self.view.version())
        words = self._words.get(key, count=False)
        if words is None:
            words = self._group_words(reach, above)
            self._words.put(key, words)
        return words

    def _group_words(self, reach: Reach, above: frozenset[str]) -> frozenset[str]:
        named = [n for n in reach.depth if _named_by_group(reach, n)]
        nodes = self.view.nodes(named)
        candidates: set[str] = set()
        for node in nodes.values():
            if node.kind in _NAMED_KINDS:
                candidates |= _words_of(node)
        if not candidates:
            return frozenset()
        carriers = self.view.find_by_token(candidates, limit=1000)
        inside = set(reach.depth) | above | {reach.target}
        outside = {w: set(carriers.get(w, [])) - inside for w in candidates}
        # Companies, not records: one company loaded from three lists is one outsider.
        read = self.view.nodes({i for ids in outside.values() for i in ids})
        names = {i: fuzzy_key(n.name) for i, n in read.items()}
        kept = set()
        for word in candidates:
            within = len(set(carriers.get(word, [])) & inside)
            allowed = max(_settings.max_outside, within // 4)
            if len({names.get(i, i) for i in outside[word]}) <= allowed:
                kept.add(word)
        return frozenset(kept)


def _with(ids: set[str], more: dict[str, set[str]]) -> set[str]:
    return ids | {x for i in ids for x in more.get(i, ())}


def _named_by_group(reach: Reach, node: str) -> bool:
    """Whether every shortest path to ``node`` runs over the group's own relations."""
    if node == reach.target:
        return True
    parents = reach.parents.get(node, [])
    return bool(parents) and all(
        e.relation in _NAMING and _named_by_group(reach, prev) for prev, e in parents
    )


def _words_of(node: Node) -> set[str]:
    """The distinctive words of a node's names, as the store's word index writes them."""
    words: set[str] = set()
    for name in (node.name, *node.aliases):
        tokens = name_tokens(name)
        roles = {p.text: p.role for p in analyze(name).parts}
        words |= {
            t
            for t in tokens
            if len(t) >= MIN_WORD_LENGTH
            and t not in STOP_TOKENS
            and not t.startswith("cjk:")
            and roles.get(t, "distinctive") == "distinctive"
            and not t.isdigit()
        }
    return words
