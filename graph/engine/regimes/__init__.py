"""Regulation verdicts: does rule X apply to this entity on day D, and why?

Each regime in the rule calendar (``seed_data/rules.yaml``, see
:mod:`supplygraph.graph.engine.rulebook`) is one of four kinds, evaluated on the entity's upstream
neighbourhood (collected once per entity and day, one batched store call per hop and direction):

``ownership_50`` (``ofac-50``, ``bis-affiliates``)
    Covered when parties designated on the regime's lists own 50% or more, directly or
    indirectly, individually or in the aggregate. "Indirectly" is OFAC's reading in FAQ 401
    (https://ofac.treasury.gov/faqs/401): an entity that is itself 50%-owned by blocked persons
    is blocked, and its *whole* stake counts at the next level (X owns 50% of A, A owns 50% of B:
    B is blocked; it is not "25%"). So this is a fixpoint over the ownership graph, not the
    product-of-shares arithmetic of :mod:`supplygraph.graph.engine.ownership`. Only ownership
    counts, never control (FAQ 398, https://ofac.treasury.gov/faqs/398). The BIS Affiliates Rule (90
    FR 47201, effective 2025-09-29) adopts the same test for Entity List and MEU List parties and
    certain SDNs; it was suspended from 2025-11-10 through 2026-11-09 (90 FR 50857). Those dates are
    data. Both rules speak of entities: a brand, product or identifier is judged on its legal
    owner (the brand's owner, the owner of the product's brand, the identifier's assignee), and
    the reason says so.
``listing`` (``us-entity-list``, ``us-ofac-ns-cmic``, ``us-dod-1260h``)
    The entity itself (or a record linked to it by SAME_AS) is designated on the day asked.
``affiliates`` (``ndaa-889``, ``fcc-covered``)
    NDAA FY2019 section 889 as implemented in FAR 52.204-25 names companies "or any subsidiary
    or affiliate"; the FCC Covered List (Secure Networks Act; FCC 22-84 on equipment
    authorization) does likewise. No percentage: covered when the entity is named, is owned or
    controlled by a named company (any share), or the brand/product/identifier is made by or
    assigned to one (OWNS_BRAND, MANUFACTURES_FOR, ASSIGNED, MODEL_OF).
``ica_order`` (``ca-ica-2025``)
    Canada's Investment Canada Act order of 27 June 2025 against Hikvision Canada Inc., scoped
    as the government's statement says: the order reaches the named company only ("does not
    extend to Hikvision's affiliate operations outside of Canada"), while federal bodies are
    not to use or purchase Hikvision equipment, so Hikvision's brands and products are covered.

Every verdict carries a one-paragraph ``reason``, evidence ``paths`` (steps with their sources)
and the rule's own ``sources``; ``unknown`` names the missing data.
"""

from __future__ import annotations

from .engine import FAMILIES, RegimeEngine, evaluate, evaluate_rule

__all__ = ["FAMILIES", "RegimeEngine", "evaluate", "evaluate_rule"]
