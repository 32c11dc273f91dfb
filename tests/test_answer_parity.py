"""One judge: a single lookup and a bulk row for the same question give the same answer, field
by field (not only the verdict), on the seed store with the IEEE registry.

The questions cover every way to each verdict: strong and weak paths, a weak model-number match,
possible by name affinity and by a minority stake, a distributor's no, an owner's no, plain no,
unknown, locally administered MACs (a note) and rows of several fields.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from pydantic import BaseModel

from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.bulk_rows import FIELDS
from supplygraph.graph.engine.judge import Evidence, Judgement
from supplygraph.graph.engine.outlets import answer_fields
from supplygraph.graph.engine.resolve import Query
from supplygraph.graph.model.answers import ResolveResult
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


def _plain(value: Any) -> Any:
    """A value of an answer, comparable across engines: records as dicts, field by field."""
    if isinstance(value, Evidence):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(Evidence)}
    if isinstance(value, BaseModel):
        return value.model_dump(by_alias=True)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _fields(j: Judgement) -> dict[str, Any]:
    """Every field of a judgement (a field added later is compared too), the best evidence path
    with every field of its own (match, path, names, score, text, weak links)."""
    return {f.name: _plain(getattr(j, f.name)) for f in dataclasses.fields(Judgement)}


@pytest.fixture(scope="module")
def bulk_answers(graph: SupplyGraph) -> dict[int, Judgement]:
    """Each question answered in bulk: all of a target's questions in one run, so rows share
    the run's caches as an audit's do."""
    out: dict[int, Judgement] = {}
    for target in dict.fromkeys(t for t, _ in QUESTIONS):
        run = BulkResolver(graph.resolver).prepare(target)
        mine = [i for i, (t, _) in enumerate(QUESTIONS) if t == target]
        rows = [tuple(QUESTIONS[i][1].get(f, "") for f in FIELDS) for i in mine]
        for i, result in zip(mine, run.resolve(rows), strict=True):  # type: ignore[arg-type]  # five-field rows
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
    # The single JSON answer is written from its judgement: every field the judgement decides
    # says the same as the bulk answer's.
    result = graph.resolve(target=target, **fields)  # type: ignore[arg-type]  # text fields only
    judged = answer_fields(bulk)
    assert {name: getattr(result, name) for name in judged} == judged


def test_the_comparison_sees_every_field() -> None:
    """The comparison is by the records' own fields: a difference anywhere shows."""
    answer = Judgement("no", 0.5, "text", None, "x", ("a note",))
    assert _fields(answer) != _fields(dataclasses.replace(answer, notes=()))
    assert set(_fields(answer)) == {f.name for f in dataclasses.fields(Judgement)}
    assert set(answer_fields(answer)) < set(ResolveResult.model_fields)
    # Bulk rows share a judgement with equal content: the content is made of every field too.
    assert len(answer.content()) == len(dataclasses.fields(Judgement))
    assert answer.content() != dataclasses.replace(answer, explanation="other").content()


def bulk_day(graph: SupplyGraph, target: str) -> Any:
    return BulkResolver(graph.resolver).prepare(target).day
