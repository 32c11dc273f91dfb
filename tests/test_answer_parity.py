"""One judge: a single lookup and a bulk row for the same question give the same answer, field
by field (not only the verdict), on the seed store with the IEEE registry.

The questions cover every way to each verdict: strong and weak paths, a weak model-number match,
possible by name affinity and by a minority stake, a distributor's no, an owner's no, plain no,
unknown, locally administered MACs (a note) and rows of several fields.
"""

from __future__ import annotations

from typing import Any

import pytest

from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.bulk_rows import FIELDS
from supplygraph.graph.engine.judge import Judgement
from supplygraph.graph.engine.resolve import Query
from supplygraph.service import SupplyGraph

QUESTIONS: list[tuple[str, dict[str, str]]] = [
    ("hikvision", {"brand": "HiLook"}),
    ("hikvision", {"brand": "EZVIZ"}),
    ("hikvision", {"brand": "HiWatch"}),  # OWNS_BRAND on grade C only: possible
    ("hikvision", {"model": "DS-2CD2143G2-I"}),  # a model-number family: possible
    ("hikvision", {"mac": "24:b1:05:00:00:01"}),  # possible by name affinity
    ("hikvision", {"name": "CCTV Empire Limited"}),  # a distributor: no
    ("hikvision", {"brand": "CCTV Empire Limited", "name": "CCTV Empire Limited"}),
    ("hikvision", {"name": "CETHIK"}),  # an owner of the target: no
    ("hikvision", {"name": "Honeywell"}),
    ("hikvision", {"name": "Zqxv Nonesuch Widgets"}),  # nothing known: unknown
    ("hikvision", {"mac": "02:00:00:00:00:01"}),  # locally administered: a note
    ("hikvision", {"mac": "0C-75-D2-AB-CD-EF"}),
    ("hikvision", {"mac": "0C-75-D2-AB-CD-EF", "brand": "Lorex"}),
    ("hikvision", {"brand": "Lorex"}),
    ("hikvision", {"name": "Hangzhou Hikvision Digital Technology"}),
    ("hikvision", {"name": "Hikvision", "brand": "Honeywell"}),
    ("hikvision", {"name": "\u041dikvision"}),
    ("hikvision", {"name": "Pyronix"}),
    ("hikvision", {"name": "Hikmicro"}),
    ("hikvision", {"name": "CETHIK", "brand": "HiLook"}),
    ("zte", {"name": "Nubia Technology"}),  # possible by a 49.9% stake
    ("zte", {"name": "ZTE Microelectronics"}),
    ("zte", {"name": "Sepura"}),
    ("hytera", {"name": "Sepura"}),
    ("hytera", {"name": "Teltronic"}),
    ("dahua", {"name": "Dahua Electronics Corporation"}),  # unrelated namesake
    ("dahua", {"name": "Zhejiang Dahua Technology Co.,Ltd"}),
    ("dahua", {"brand": "Lorex"}),
    ("dahua", {"name": "HuaRay"}),
    ("huawei", {"mac": "00:22:A1:00:00:01"}),
    ("huawei", {"name": "Futurewei Technologies"}),
    ("huawei", {"name": "Huawei Technologies Japan K.K."}),
    ("huawei", {"name": "HiSilicon"}),
    ("huawei", {"name": "Honor"}),
    ("huawei", {"name": "Symantec"}),
]


def _fields(j: Judgement) -> dict[str, Any]:
    """Every field of a judgement, comparable across engines (paths by their edges)."""
    best = j.best
    return {
        "verdict": j.verdict,
        "confidence": j.confidence,
        "evidence": j.evidence,
        "explanation": j.explanation,
        "entity": j.entity,
        "notes": j.notes,
        "weak_links": [w.model_dump(by_alias=True) for w in j.weak_links],
        "distributes": [s.model_dump(by_alias=True) for s in j.distributes],
        "best": None
        if best is None
        else (best.field, best.match, best.score, [e.id for e in best.path], best.weak),
    }


@pytest.fixture(scope="module")
def bulk_answers(graph: SupplyGraph) -> dict[int, Judgement]:
    """Each question answered in bulk: all of a target's questions in one run, so rows share
    the run's caches as an audit's do."""
    out: dict[int, Judgement] = {}
    for target in dict.fromkeys(t for t, _ in QUESTIONS):
        run = BulkResolver(graph.resolver).prepare(target)
        mine = [i for i, (t, _) in enumerate(QUESTIONS) if t == target]
        rows = [tuple(QUESTIONS[i][1].get(f, "") for f in FIELDS) for i in mine]
        for i, result in zip(mine, run.resolve(rows), strict=True):  # type: ignore[arg-type]
            assert result.answer is not None, (QUESTIONS[i], result.error)
            out[i] = result.answer
    return out


def test_the_questions_reach_every_verdict(bulk_answers: dict[int, Judgement]) -> None:
    verdicts = [a.verdict for a in bulk_answers.values()]
    assert {"yes", "possible", "no", "unknown"} <= set(verdicts)
    assert any(a.distributes for a in bulk_answers.values())
    assert any(a.verdict == "possible" and a.best is None for a in bulk_answers.values())


@pytest.mark.parametrize("at", range(len(QUESTIONS)), ids=lambda i: str(QUESTIONS[i]))
def test_single_and_bulk_answers_agree_on_every_field(
    graph: SupplyGraph, bulk_answers: dict[int, Judgement], at: int
) -> None:
    target, fields = QUESTIONS[at]
    resolver = graph.resolver
    node = resolver.find_target(target)
    bulk = bulk_answers[at]
    single, *_ = resolver.judged(Query(**fields), node, bulk_day(graph, target))
    assert _fields(single) == _fields(bulk)
    # The single answer is written from its judgement: its fields say the same.
    result = graph.resolve(target=target, **fields)  # type: ignore[arg-type]
    assert (result.verdict, result.confidence, result.explanation) == (
        bulk.verdict,
        bulk.confidence,
        bulk.explanation,
    )
    assert result.notes == list(bulk.notes)
    assert result.weak_links == list(bulk.weak_links)
    assert result.distributes == list(bulk.distributes)


def bulk_day(graph: SupplyGraph, target: str) -> Any:
    return BulkResolver(graph.resolver).prepare(target).day
