"""This service's verdict for a known entity, as the matching protocols (/match, /reconcile)
attach it to each candidate.

The verdict is the one ``GET /v1/resolve`` gives for the entity's own key: its MAC block, its
FCC grantee code, its brand name or its name. So a screening system that reads the verdict next
to a match can ask the same question again on /v1/resolve and get the same answer, with paths.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from supplygraph.graph.engine.resolve import Query
from supplygraph.graph.model.answers import EntityRef, Verdict
from supplygraph.graph.model.records import IdScheme, Node, NodeKind
from supplygraph.service import SupplyGraph

MAC_BLOCKS = {IdScheme.OUI.value, IdScheme.OUI28.value, IdScheme.OUI36.value}
MAC_DIGITS = 12


class EntityVerdict(BaseModel):
    """Is this candidate ultimately the target? The answer ``/v1/resolve`` gives for ``asked``."""

    target: EntityRef = Field(description="The target group the verdict is about.")
    verdict: Verdict = Field(
        description="yes | possible | no | unknown, as on /v1/resolve.", examples=["yes"]
    )
    confidence: float = Field(
        ge=0, le=1, description="Match quality times evidence strength.", examples=[0.95]
    )
    explanation: str = Field(
        description="One sentence on why.",
        examples=["HiLook is a brand owned by Hikvision."],
    )
    asked: dict[str, str] = Field(
        description="The /v1/resolve parameters this verdict answers; ask them there for paths.",
        examples=[{"brand": "HiLook"}],
    )


def resolve_parameters(node: Node) -> dict[str, str]:
    """The /v1/resolve parameters that name ``node`` best: its block, grantee code or name.

    >>> from supplygraph.graph.model.records import Node, NodeKind, SourceRef
    >>> cited = (SourceRef(id="s", title="a source"),)
    >>> resolve_parameters(Node(id="b", kind=NodeKind.BRAND, name="HiLook", sources=cited))
    {'brand': 'HiLook'}
    """
    if node.kind == NodeKind.IDENTIFIER:
        scheme = str(node.properties.get("scheme", ""))
        value = str(node.properties.get("value", ""))
        if scheme in MAC_BLOCKS and value:
            # A block is asked as its first address: the most specific assigned block decides.
            return {"mac": value.ljust(MAC_DIGITS, "0")}
        if scheme == IdScheme.FCC_GRANTEE.value and value:
            return {"fcc_id": value}
    if node.kind == NodeKind.BRAND:
        return {"brand": node.name}
    return {"name": node.name}


def entity_verdict(
    graph: SupplyGraph, node: Node, target: str | None, as_of: date | None
) -> EntityVerdict:
    """The verdict for ``node`` against ``target`` (default Hikvision), from the engine's cache
    when asked before."""
    asked = resolve_parameters(node)
    result = graph.resolver.resolve(Query(**asked), target=target, as_of=as_of)
    return EntityVerdict(
        target=result.target,
        verdict=result.verdict,
        confidence=result.confidence,
        explanation=result.explanation,
        asked=asked,
    )
