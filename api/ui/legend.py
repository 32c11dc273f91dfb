"""What the graph legend shows: every node kind and relation the graph script draws.

One table for the entity page and the resolve page; ``tests/test_ui.py`` checks that it covers
every :class:`NodeKind` and :class:`Relation`, so a new kind cannot be drawn unexplained. The
swatches (``app.css`` ``.sw-*``) use the colours of ``static/graphview.js``.
"""

from __future__ import annotations

from dataclasses import dataclass

from supplygraph.graph.model.records import Relation


@dataclass(frozen=True)
class Legend:
    nodes: tuple[tuple[str, str], ...]
    edges: tuple[tuple[str, str], ...]
    marks: tuple[tuple[str, str], ...]


# (swatch key, text); the node keys are the graph script's node classes.
LEGEND = Legend(
    nodes=(
        ("organization", "organization"),
        ("state", "state body / SOE"),
        ("person", "person"),
        ("brand", "brand"),
        ("product", "product / model"),
        ("identifier", "identifier (MAC block, FCC grantee code)"),
        ("id-group", "group of identifiers (click to draw each)"),
        ("fan-group", "group of distributors, holdings, brands ... (click to draw each)"),
        ("center", "the entity of this page"),
        ("designated", "designated (on a list)"),
        ("expandable", "more facts not drawn yet (click)"),
    ),
    edges=(
        (Relation.OWNS.value, "owns (share)"),
        (Relation.CONTROLS.value, "controls"),
        (Relation.OWNS_BRAND.value, "owns the brand"),
        (Relation.MODEL_OF.value, "model of the brand"),
        (Relation.MANUFACTURES_FOR.value, "makes products for (OEM)"),
        (Relation.DISTRIBUTES.value, "sells, not the maker"),
        (Relation.ASSIGNED.value, "holds the identifier"),
        (Relation.SAME_AS.value, "linked record of the same entity"),
        (Relation.UNRELATED_TO.value, "a source says they are not related"),
    ),
    marks=(
        ("ended", "fact ended"),
        ("weak", "weak evidence (grade C only or low confidence)"),
    ),
)
