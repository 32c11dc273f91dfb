"""Upstream neighbourhoods walked side by side (a bulk batch) are each what a walk of its own
gives: a company one walk reaches stays a listed sister company of another walk's root."""

from __future__ import annotations

from datetime import date

from factories import edge, listing, org, owns

from supplygraph.graph.engine.upstream import collect_upstream, collect_upstream_many
from supplygraph.graph.model.records import Relation
from supplygraph.graph.store.backends import open_store

DAY = date(2025, 6, 1)


def test_a_sister_reached_by_another_walk_stays_a_sister() -> None:
    store = open_store("sqlite:///:memory:")
    try:
        with store.writer() as w:
            w.put(
                [
                    org("parent", "Parent Group Co., Ltd."),
                    org("device", "Parent Device Co., Ltd."),
                    org("listed", "Parent Technologies Co., Ltd."),
                    org("reseller", "Listed Subsidiary Ltd."),
                    owns("parent", "device", 100.0),
                    edge("parent", Relation.CONTROLS, "listed"),
                    owns("listed", "reseller", 100.0),
                    listing("listed", "us-fcc-covered", date(2021, 3, 12)),
                ]
            )
        view = store.view()
        alone = collect_upstream(view, "device", DAY)
        assert [(e.src, e.dst) for e in alone.sisters] == [("parent", "listed")]
        # "reseller"'s walk reaches "listed"; the device's sister must not be lost to it.
        together = collect_upstream_many(view, ["device", "reseller"], DAY)
        assert together["device"].sisters == alone.sisters
        assert together["device"].designations == alone.designations
        assert together["reseller"].sisters == collect_upstream(view, "reseller", DAY).sisters
    finally:
        store.close()
