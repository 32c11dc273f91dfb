"""Tiny hand-written records for cases the real files do not cover."""

from __future__ import annotations

from datetime import date
from typing import Any

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import (
    Designation,
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    Relation,
    SourceRef,
)

# Fixture facts count as primary (grade A) unless a test says otherwise with WEAK_SRC.
SRC = SourceRef(id="test-fixture", title="hand-written test fixture", grade="A", quote="fixture")
WEAK_SRC = SourceRef(id="test-weak", title="hand-written weak hint", grade="C", quote="hint")


def org(node_id: str, name: str, *aliases: str, **kw: Any) -> Node:
    return Node(
        id=node_id, kind=NodeKind.ORGANIZATION, name=name, aliases=aliases, sources=(SRC,), **kw
    )


def edge(src: str, rel: Relation, dst: str, share: float | None = None, **kw: Any) -> Edge:
    return Edge(
        id=make_id("t", src, rel.value, dst, kw.get("valid_from"), kw.get("reported_on")),
        src=src,
        dst=dst,
        relation=rel,
        share=share,
        sources=(SRC,),
        **kw,
    )


def owns(src: str, dst: str, share: float | None = None, **kw: object) -> Edge:
    return edge(src, Relation.OWNS, dst, share, **kw)


def listing(entity: str, list_id: str, start: date) -> Designation:
    return Designation(
        id=make_id("d", entity, list_id),
        entity_id=entity,
        list_id=list_id,
        start_date=start,
        sources=(SRC,),
    )


def ident(scheme: IdScheme, value: str) -> Identifier:
    return Identifier(scheme=scheme, value=value)
