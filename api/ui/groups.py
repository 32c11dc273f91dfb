"""Group an entity's relations into the sections an investigator reads: brands, OEM ties, ..."""

from __future__ import annotations

from dataclasses import dataclass, field

from supplygraph.graph.model.answers import EntityDetail, Step

# (relation, the entity is the edge's source) -> section title. Ownership and control are shown
# by the owners/holdings sections with integrated shares, so their direct edges come last.
SECTIONS: dict[tuple[str, bool], str] = {
    ("OWNS_BRAND", True): "Brands",
    ("MANUFACTURES_FOR", True): "OEM customers (makes products for)",
    ("MANUFACTURES_FOR", False): "Made by (OEM makers)",
    ("DISTRIBUTES", True): "Distributes",
    ("DISTRIBUTES", False): "Distributed by",
    ("OWNS_BRAND", False): "Brand owner",
    ("MODEL_OF", False): "Models",
    ("MODEL_OF", True): "Brand of this model",
    ("ASSIGNED", True): "Assigned identifiers (MAC blocks, FCC grantee codes)",
    ("ASSIGNED", False): "Assigned to",
    ("SAME_AS", True): "Same as (linked records)",
    ("SAME_AS", False): "Same as (linked records)",
    ("OWNS", True): "Owns directly",
    ("OWNS", False): "Owned directly by",
    ("CONTROLS", True): "Controls directly",
    ("CONTROLS", False): "Controlled directly by",
}
ORDER = list(dict.fromkeys(SECTIONS.values()))


@dataclass
class Related:
    """One relation seen from the entity: the other end and the edge with its sources."""

    other_id: str
    other_name: str
    step: Step


@dataclass
class Group:
    title: str
    items: list[Related] = field(default_factory=list)


def relation_groups(detail: EntityDetail) -> list[Group]:
    """The entity's relations by section, in reading order, each sorted by the other's name."""
    groups: dict[str, Group] = {}
    for step in detail.relations:
        outgoing = step.from_ == detail.id
        title = SECTIONS.get((step.relation, outgoing), step.relation)
        other_id, other_name = (step.to, step.to_name) if outgoing else (step.from_, step.from_name)
        groups.setdefault(title, Group(title)).items.append(Related(other_id, other_name, step))
    for g in groups.values():
        g.items.sort(key=lambda r: r.other_name.casefold())
    return sorted(groups.values(), key=lambda g: ORDER.index(g.title) if g.title in ORDER else 99)
