"""The regimes engine: every regime's verdict for an entity on a day, strong evidence first,
cached per store version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.rulebook import RULES_FILE, Regime, RuleBook, default_rules
from supplygraph.graph.engine.upstream import Upstream, collect_upstream, collect_upstream_many
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.answers import EntityRef, RegimeOut, RegimesResult
from supplygraph.graph.store.protocol import GraphView

from .affiliates import Affiliates
from .evaluation import Evaluation
from .ica_order import IcaOrder
from .listing import Listing
from .ownership_50 import Ownership50

# The rule families by the ``kind`` a regime in seed_data/rules.yaml names.
FAMILIES: dict[str, type[Evaluation]] = {
    "ownership_50": Ownership50,
    "listing": Listing,
    "affiliates": Affiliates,
    "ica_order": IcaOrder,
}


def evaluate_rule(rule: Regime, book: RuleBook, up: Upstream) -> RegimeOut:
    """One regime's verdict on one neighbourhood. A kind no family evaluates is refused (the
    rules file is validated, but a book built in code is not), never read as another kind."""
    family = FAMILIES.get(rule.kind)
    if family is None:
        raise InvalidRecord(
            RULES_FILE,
            rule.id,
            "kind",
            f"no rule family evaluates kind {rule.kind!r}; known: {', '.join(FAMILIES)}",
        )
    return family(rule, book, up).run()


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
        return [evaluate_rule(rule, book, up) for rule in book.regimes]
    strong = up.strong_only()
    out = []
    for rule in book.regimes:
        result = evaluate_rule(rule, book, strong)
        if result.verdict != "covered":
            full = evaluate_rule(rule, book, up)
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
